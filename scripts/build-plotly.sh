#!/usr/bin/env bash
# Copy plotly.js's cartesian partial bundle (the version pinned in plotlyjs/package-lock.json, which must be
# the plotly Python package's plotly.js version: tests/dashboard/test_assets.py checks) into dashboard/assets/.
# Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")/../plotlyjs"
npm ci --no-audit --no-fund
from=node_modules/plotly.js-cartesian-dist-min
cp "$from/plotly-cartesian.min.js" ../dashboard/assets/plotly-cartesian.min.js
cp "$from/LICENSE" ../dashboard/assets/plotly-cartesian.min.js.LICENSE.txt
ls -l ../dashboard/assets/plotly-cartesian.min.js
