#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: unit, language server, debugger, fuzz (CI budget),
# and the end-to-end suite in a real VS Code (code-server) driven by headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
npm test
