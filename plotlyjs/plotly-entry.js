// The plotly.js the dashboard's page loads: its core (scatter traces, axes, legend, hover, shapes,
// annotations, the mode bar and image export) with the two other traces the page draws, bars and heatmaps.
// scripts/build-plotly.sh bundles it into dashboard/assets/plotly-partial.min.js.
var Plotly = require("plotly.js/lib/core");

Plotly.register([require("plotly.js/lib/bar"), require("plotly.js/lib/heatmap")]);

module.exports = Plotly;
