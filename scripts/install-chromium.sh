#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests if it is missing (idempotent).
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "color emoji"; then exit 0; fi
echo "installing chromium and an emoji font (apt)"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-color-emoji >/dev/null
/usr/bin/chromium --version
