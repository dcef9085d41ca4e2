"""Every component id of the page, in one place (``assets/backchannel.js`` uses the same strings)."""

URL = "url"
NOTICE = "notice"
TITLE = "title"
SUBTITLE = "subtitle"
T_LABEL = "t-label"
T_UTC = "t-utc"
HEADLINE = "headline"

SCENARIO = "scenario"
ALTERNATIVE = "alternative"
FACT = "fact"
ACTOR = "actor"
MODE = "mode"
GROUP = "group"
PANELS = "panels"
COPY = "copy-link"
EXPORT = "export"
DOWNLOAD = "download"

PLAY = "play"
BACK = "step-back"
FORWARD = "step-forward"
SPEED = "speed"
SLIDER = "slider"
INTERVAL = "interval"

STORE = "bundle"  # precomputed figures and frames of the current view (per session, in the browser)
CURRENT = "current"  # {"t": POSIX seconds} of the step shown

NETWORK = "network"
TIMELINE = "timeline"
MATRIX = "matrix"
FOCUS = "focus"
LOG = "log"

PANEL_NETWORK = "panel-network"
PANEL_TIMELINE = "panel-timeline"
PANEL_MATRIX = "panel-matrix"
PANEL_LOG = "panel-log"

VIEW = "view"  # {"search": ...} the resolved view, for the panels that compute on the server

PANEL_COMPARE = "panel-compare"
COMPARE = "compare-with"
COMPARE_ALT = "compare-alt"
COMPARE_TEXT = "compare-text"
COMPARE_FIGURE = "compare-figure"
COMPARE_HEATMAP = "compare-heatmap"

PANEL_SWEEP = "panel-sweep"
SWEEP_RUNS = "sweep-runs"
SWEEP_SEED = "sweep-seed"
SWEEP_TEXT = "sweep-text"
SWEEP_CDF = "sweep-cdf"
SWEEP_SOURCES = "sweep-sources"
SWEEP_KNOWN = "sweep-known"
SWEEP_AT = "sweep-at"  # {"t": POSIX seconds} for the sweep heatmap: the moment shown, while paused

PANEL_MATTERED = "panel-mattered"
MATTERED = "mattered"  # the What mattered panel's body: outcome, path and ranked removals
