#!/usr/bin/env bash
# The browser of the UI end-to-end tests: Debian's `chromium` package, driven headless by
# playwright-core (which never downloads a browser of its own here).
#   chromium.sh install|path|version
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# CHROMIUM_PATH overrides where the browser is (another Chromium build already on the machine).
CHROMIUM_BIN="${CHROMIUM_PATH:-/usr/bin/chromium}"

install() {
  [[ -x "$CHROMIUM_BIN" ]] && return 0
  [[ -n "${CHROMIUM_PATH:-}" ]] && die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
  apt_install chromium
  [[ -x "$CHROMIUM_BIN" ]] || die "the Debian package chromium did not install $CHROMIUM_BIN"
  log "installed $("$CHROMIUM_BIN" --version 2>/dev/null || echo chromium)"
}

case "${1:-}" in
  install) install ;;
  path) [[ -x "$CHROMIUM_BIN" ]] || die "no Chromium at $CHROMIUM_BIN; run $0 install"; echo "$CHROMIUM_BIN" ;;
  version) "$CHROMIUM_BIN" --version ;;
  *) die "usage: $0 install|path|version" ;;
esac
