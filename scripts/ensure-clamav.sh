#!/usr/bin/env bash
# The evidence tests scan uploads with a real ClamAV daemon (started by the tests on a private
# socket with a one-signature database, so no signature download is needed); install Debian's
# clamav-daemon if it is missing. Production points CLAMD_ADDRESS at its own clamd.
set -euo pipefail
if [ -x /usr/sbin/clamd ]; then
  exit 0
fi
echo "Installing Debian's clamav-daemon for the evidence virus-scan tests..."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends clamav-daemon >/dev/null 2>&1 \
  || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends clamav-daemon >/dev/null; }
test -x /usr/sbin/clamd
