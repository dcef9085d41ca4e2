#!/usr/bin/env bash
# Copy the page's own browser scripts, at the versions pinned in plotlyjs/package-lock.json, into
# dashboard/assets/: plotly.js's cartesian partial bundle (which must be the plotly Python package's plotly.js
# version: tests/dashboard/test_assets.py checks) and regenerator-runtime, which the app serves in place of
# Babel's whole polyfill (dashboard/serving.py). Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")/../plotlyjs"
npm ci --no-audit --no-fund
from=node_modules/plotly.js-cartesian-dist-min
cp "$from/plotly-cartesian.min.js" ../dashboard/assets/plotly-cartesian.min.js
cp "$from/LICENSE" ../dashboard/assets/plotly-cartesian.min.js.LICENSE.txt
cp node_modules/regenerator-runtime/runtime.js ../dashboard/assets/regenerator-runtime.js
cp node_modules/regenerator-runtime/LICENSE ../dashboard/assets/regenerator-runtime.js.LICENSE.txt
ls -l ../dashboard/assets/plotly-cartesian.min.js ../dashboard/assets/regenerator-runtime.js
