#!/usr/bin/env bash
# Builds the console (console/ -> console/dist/, served by renkei-gateway): installs the npm
# packages pinned by console/package-lock.json when they changed, then bundles with esbuild.
# Nothing is fetched at run time; the browser loads only console/dist.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo/console"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "== console: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "== console: build (console/dist)"
npm run --silent build
