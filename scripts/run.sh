#!/usr/bin/env bash
# Installs what is needed, builds, and opens examples/ in VS Code with the extension loaded:
# desktop VS Code (`code --extensionDevelopmentPath`) when `code` is on the PATH, otherwise a local
# code-server (installed into .e2e/) with the packed .vsix installed; it prints the URL to open.
# IOMMU_LENS_PORT picks code-server's port (default 8080); IOMMU_LENS_CODE_SERVER=1 forces it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if command -v code >/dev/null && [ -z "${IOMMU_LENS_CODE_SERVER:-}" ]; then
  npm run build
  exec code --extensionDevelopmentPath="$PWD" "$PWD/examples"
fi
source scripts/e2e-env.sh
ensure_node24
ensure_code_server
bash scripts/package.sh iommu-lens.vsix
data="$E2E_DIR/run"
mkdir -p "$data/user-data/User" "$data/extensions"
settings="$data/user-data/User/settings.json"
[ -f "$settings" ] || cat > "$settings" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "telemetry.telemetryLevel": "off",
  "security.workspace.trust.enabled": false,
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden"
}
JSON
echo 'auth: none' > "$data/config.yaml"
common=(--user-data-dir "$data/user-data" --extensions-dir "$data/extensions" --config "$data/config.yaml")
PATH="$E2E_NODE_BIN:$PATH" "$E2E_CODE_SERVER" "${common[@]}" --install-extension "$PWD/iommu-lens.vsix" --force
port="${IOMMU_LENS_PORT:-8080}"
echo
echo "IOMMU Lens in VS Code (code-server): http://127.0.0.1:$port/?folder=$PWD/examples"
echo "(Ctrl+C stops it)"
echo
PATH="$E2E_NODE_BIN:$PATH" exec "$E2E_CODE_SERVER" "${common[@]}" --auth none --bind-addr "127.0.0.1:$port" \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override "$PWD/examples"
