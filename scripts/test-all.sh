#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: unit, language server, debugger, fuzz (CI budget), every
# example against QEMU's SMMUv3,
# the panels in headless Chromium, and the end-to-end suite in a real VS Code (code-server) driven by headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
source scripts/e2e-env.sh
# Debian packages first (chromium for the e2e suite, a toolchain and libkrb5-dev for code-server).
if command -v apt-get >/dev/null; then apt_install_missing chromium fonts-dejavu-core libkrb5-dev build-essential python3; fi
npm ci --no-audit --no-fund
npm test
echo "[test-all] unit tests done at $((SECONDS - t0)) s"
# Every example through QEMU's SMMUv3 (QEMU 10.0 from Debian bookworm-backports, installed when
# missing): the known QEMU departures are the only differences allowed (exit 1 otherwise).
QEMU_BIN="$(bash scripts/install-qemu.sh)"
node bin/iommu-lens.js qemu --qemu "$QEMU_BIN" examples/*.smmu
echo "[test-all] examples through QEMU done at $((SECONDS - t0)) s"
# The webview panels rendered in headless Chromium (every panel, dark and light, hostile strings).
npm run test:panels
echo "[test-all] panel rendering done at $((SECONDS - t0)) s"
bash scripts/e2e.sh
echo "[test-all] e2e suite done at $((SECONDS - t0)) s"
# Desktop VS Code where it can be downloaded; skips with a message here (no network but npm/Debian).
npm run test:electron
echo "[test-all] all done in $((SECONDS - t0)) s"
