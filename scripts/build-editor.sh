#!/usr/bin/env bash
# Rebuild the dashboard's scenario editor bundle (CodeMirror 6) from editor/ into dashboard/assets/.
# Needs node and npm; the versions are pinned in editor/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../editor"
npm ci --no-audit --no-fund
npx esbuild main.js --bundle --minify --format=iife --target=es2019 --legal-comments=none \
  --metafile=node_modules/.editor-meta.json --outfile=../dashboard/assets/editor.min.js
node ../scripts/bundle-licences.js node_modules/.editor-meta.json > ../dashboard/assets/editor.min.js.LICENSE.txt
ls -l ../dashboard/assets/editor.min.js
