#!/usr/bin/env bash
# End-to-end suite: installs its prerequisites once (scripts/e2e-env.sh), packs the .vsix, and runs
# test/e2e/*.test.ts with node's test runner against code-server in headless Chromium.
# Screenshots and code-server logs: test-results/e2e/<suite>/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/e2e-env.sh
ensure_e2e
bash scripts/package.sh iommu-lens.vsix
rm -rf out/e2e test-results/e2e
npx --no-install tsc -p test/e2e/tsconfig.json
export E2E_VSIX="$PWD/iommu-lens.vsix" E2E_CHROMIUM=/usr/bin/chromium
node --test --test-concurrency=1 --test-timeout=300000 out/e2e/*.test.js "$@"
