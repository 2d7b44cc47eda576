#!/usr/bin/env node
// Command-line runner: `iommu-lens run FILE... [--json]` (built into dist/cli.js by `npm run build`).
'use strict';
const { main } = require('../dist/cli.js');
process.exitCode = main(
  process.argv.slice(2),
  (s) => process.stdout.write(s.endsWith('\n') || s === '' ? s : s + '\n'),
  (s) => process.stderr.write(s + '\n'),
);
