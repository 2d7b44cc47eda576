#!/usr/bin/env bash
# Builds the minified bundles and packs them into iommu-lens.vsix (no node_modules: everything is
# bundled by esbuild; see .vscodeignore). vsce 4 wants Node >= 22: the Node 24 that the e2e
# setup installs is used when the machine's node is older.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-iommu-lens.vsix}"
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 22 ]; then
  source scripts/e2e-env.sh
  ensure_node24
  export PATH="$E2E_NODE_BIN:$PATH"
fi
rm -rf dist
node scripts/build.mjs --production
# The README's screenshots are relative links (docs/images, not shipped): kept as written.
npx --no-install vsce package --no-dependencies --allow-missing-repository --no-rewrite-relative-links -o "$out" </dev/null
size=$(stat -c %s "$out")
echo "packaged $out ($size bytes)"
if [ "$size" -ge $((2 * 1024 * 1024)) ]; then echo "error: $out is not under 2 MB" >&2; exit 1; fi
