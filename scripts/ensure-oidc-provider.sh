#!/usr/bin/env bash
# The OpenID Connect provider that the single sign-on tests start (tests/oidc_provider: the
# certified oidc-provider package from npm, run with Node 20 or later), installed with `npm ci`
# from its lock file, again only when the lock file changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/../tests/oidc_provider"

if ! command -v npm >/dev/null 2>&1; then
  echo "ensure-oidc-provider: installing Debian's nodejs and npm..."
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends nodejs npm >/dev/null 2>&1 \
    || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends nodejs npm >/dev/null; }
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "ensure-oidc-provider: oidc-provider needs Node 20 or later; this machine has $(node --version)." >&2
  exit 1
fi

STAMP=node_modules/.package-lock.sha256
WANT="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules/oidc-provider ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$WANT" > "$STAMP"
fi
