#!/usr/bin/env bash
# Installs the Debian packages that qagraph needs, when they are missing.
#   scripts/system-deps.sh node   Node.js and npm (the front-end libraries; make run)
#   scripts/system-deps.sh test   the above, Chromium and a font (the browser tests) and
#                                 Virtuoso (the remote-store tests); make test
set -euo pipefail
what="${1:-test}"
need=()
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "$what" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
  # Virtuoso Open Source, for the tests of the remote store: only the server and client
  # binaries (virtuoso-t, isql-vt), not the packaged system service, which would ask for a
  # DBA password and start a server of its own. Tests start throw-away servers themselves.
  { command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; } || need+=(virtuoso-opensource-7-bin)
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing Debian packages: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
