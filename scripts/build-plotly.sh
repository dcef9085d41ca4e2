#!/usr/bin/env bash
# Write the page's own browser scripts, from the versions pinned in plotlyjs/package-lock.json, into
# dashboard/assets/: plotly.js bundled with only the traces the page draws (plotlyjs/plotly-entry.js; its
# version must be the plotly Python package's plotly.js version: tests/dashboard/test_assets.py checks) and
# regenerator-runtime, which the app serves in place of Babel's whole polyfill (dashboard/serving.py).
# Its LICENSE.txt holds the licence of every package bundled (scripts/bundle-licences.js). Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")/../plotlyjs"
npm ci --no-audit --no-fund
version=$(node -p 'require("plotly.js/package.json").version')
out=../dashboard/assets/plotly-partial.min.js
npx esbuild plotly-entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2016 \
  --define:global=window --define:define.amd=false --loader:.css=empty --legal-comments=none \
  --metafile=node_modules/.plotly-meta.json \
  --banner:js="/* plotly.js v$version (scatter, bar, heatmap), bundled from plotlyjs/plotly-entry.js; MIT license: $(basename "$out").LICENSE.txt */" \
  --log-level=warning --outfile="$out"
node ../scripts/bundle-licences.js node_modules/.plotly-meta.json plotly.js > "$out.LICENSE.txt"
cp node_modules/regenerator-runtime/runtime.js ../dashboard/assets/regenerator-runtime.js
cp node_modules/regenerator-runtime/LICENSE ../dashboard/assets/regenerator-runtime.js.LICENSE.txt
ls -l "$out" ../dashboard/assets/regenerator-runtime.js
