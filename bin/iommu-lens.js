#!/usr/bin/env node
// Command-line runner: `iommu-lens run FILE... [--json] [--junit FILE] [--fail-on LEVEL]` (built into dist/cli.js by `npm run build`).
'use strict';
const { main } = require('../dist/cli.js');
// `qemu` answers asynchronously (a Promise); the others return the status at once.
Promise.resolve(main(
  process.argv.slice(2),
  (s) => process.stdout.write(s.endsWith('\n') || s === '' ? s : s + '\n'),
  (s) => process.stderr.write(s + '\n'),
  process.cwd(),
  (s) => process.stdout.write(s),
)).then((code) => { process.exitCode = code; });
