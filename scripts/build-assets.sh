#!/usr/bin/env bash
# Build the modeller's and the heatmap's JavaScript and CSS from npm packages into webapp/static/vendor/ (ignored by
# git; the app serves it, nothing comes from a CDN at run time). Installs with `npm ci` only when
# node_modules is missing or package-lock.json changed since the last install; bundles only when a
# source is newer than the bundle.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "build-assets: installing Debian's nodejs and npm to build the modeller..."
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends nodejs npm >/dev/null 2>&1 \
    || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends nodejs npm >/dev/null; }
fi

STAMP=node_modules/.package-lock.sha256
WANT="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  echo "build-assets: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$WANT" > "$STAMP"
fi

# Both entry points are bundled together (the `build` script in package.json): a missing bundle,
# or a source (or package.json's build line) newer than either bundle, rebuilds both.
STALE=""
for OUT in webapp/static/vendor/modeller.js webapp/static/vendor/heatmap.js; do
  if [ ! -f "$OUT" ] || [ -n "$(find webapp/assets package.json package-lock.json -newer "$OUT" -print -quit)" ]; then
    STALE=1
  fi
done
if [ -n "$STALE" ]; then
  echo "build-assets: bundling webapp/assets/modeller.js and webapp/assets/heatmap.js"
  npm run --silent build
fi

# axe-core, for the browser tests' accessibility checks (tests/browser/test_accessibility.py):
# copied as npm ships it, beside the bundles.
AXE=webapp/static/vendor/axe.min.js
if [ ! -f "$AXE" ] || [ node_modules/axe-core/axe.min.js -nt "$AXE" ]; then
  mkdir -p webapp/static/vendor
  cp node_modules/axe-core/axe.min.js "$AXE"
fi
