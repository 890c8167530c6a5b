#!/usr/bin/env bash
# Install pia-assistant into ./.venv from the project's own files.
#   bash scripts/bootstrap.sh        # the app (embedded defaults, offline)
#   bash scripts/bootstrap.sh test   # the app + everything the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-app}"

if [ "$mode" = "test" ]; then
  # Debian packages the tests use: headless Chromium (HTML report check) and a Japanese font (PDF rendering).
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  [ -e /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf ] || need+=(fonts-ipaexfont-gothic)
  if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" = "0" ]; then
      apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
    else
      echo "bootstrap: please install the Debian packages: ${need[*]}" >&2
    fi
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
# pip's notices about this machine's extra local indexes are noise here; errors still fail the script
quiet() {
  set +e
  "$@" 2>&1 | grep -v "^WARNING: Location "
  local rc=${PIPESTATUS[0]}
  set -e
  return "$rc"
}
if [ "$mode" = "test" ]; then
  quiet .venv/bin/pip install -q -e '.[test]'
else
  quiet .venv/bin/pip install -q -e .
fi
