#!/usr/bin/env bash
# Makes QEMU 10.0 (qemu-system-aarch64, for `iommu-lens qemu`) available and prints its path.
# Looks for one first: $IOMMU_LENS_QEMU, the unpacked copy in ~/.cache/iommu-lens/qemu-10.0,
# qemu-system-aarch64 on the PATH (any of them at version >= 10.0). Otherwise, on Debian 12
# (bookworm) it adds the bookworm-backports suite to apt's sources and either unpacks Debian's
# qemu-system-arm 10.0 beside an installed 7.2 (apt-get download + dpkg -x; 7.2 brought the
# libraries) or installs it with apt-get. Idempotent; nothing is fetched when a copy is found
# (IOMMU_LENS_QEMU_NO_INSTALL=1: look only).
# Exit 0 with the path on stdout, 1 when QEMU 10 cannot be had here (the reason on stderr).
set -euo pipefail
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/iommu-lens/qemu-10.0"
UNPACKED="$CACHE/usr/bin/qemu-system-aarch64"

is10() { # PATH -> true when it runs and reports version >= 10
  [ -x "$1" ] || return 1
  local v
  v=$("$1" --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -1)
  [ -n "$v" ] && [ "$v" -ge 10 ]
}
for c in "${IOMMU_LENS_QEMU:-}" "$UNPACKED" "$(command -v qemu-system-aarch64 || true)"; do
  if [ -n "$c" ] && is10 "$c"; then echo "$c"; exit 0; fi
done
# IOMMU_LENS_QEMU_NO_INSTALL=1: only look (tests that use QEMU when it is there).
if [ -n "${IOMMU_LENS_QEMU_NO_INSTALL:-}" ]; then echo "install-qemu: no QEMU >= 10.0 found" >&2; exit 1; fi

if ! command -v apt-get >/dev/null || ! grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
  echo "install-qemu: no QEMU >= 10.0 found and this is not Debian 12 (install qemu-system-aarch64 10.x and set IOMMU_LENS_QEMU)" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
LIST=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee "$LIST" >/dev/null
fi
if ! apt-cache policy qemu-system-arm 2>/dev/null | grep -q 'bookworm-backports'; then
  $SUDO apt-get update -qq >&2
fi
if command -v qemu-system-aarch64 >/dev/null; then
  tmp=$(mktemp -d)
  chmod 755 "$tmp" # apt-get download runs as _apt
  (cd "$tmp" && apt-get download -qq -t bookworm-backports qemu-system-arm >&2)
  mkdir -p "$CACHE"
  dpkg -x "$tmp"/qemu-system-arm_*.deb "$CACHE"
  rm -rf "$tmp"
  if is10 "$UNPACKED"; then echo "$UNPACKED"; exit 0; fi
  echo "install-qemu: the unpacked QEMU 10 does not run beside the installed one; installing it" >&2
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t bookworm-backports qemu-system-arm >&2
c="$(command -v qemu-system-aarch64 || true)"
if [ -n "$c" ] && is10 "$c"; then echo "$c"; exit 0; fi
echo "install-qemu: qemu-system-arm from bookworm-backports did not give QEMU >= 10.0" >&2
exit 1
