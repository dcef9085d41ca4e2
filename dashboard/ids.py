"""Every component id of the page, in one place (``assets/backchannel.js`` uses the same strings)."""

URL = "url"
NOTICE = "notice"
TITLE = "title"
SUBTITLE = "subtitle"
T_LABEL = "t-label"
T_UTC = "t-utc"
HEADLINE = "headline"
ALT_NOTE = "alt-note"  # the alternative's title and description

SCENARIO = "scenario"
ALTERNATIVE = "alternative"
FACT = "fact"
ACTOR = "actor"
MODE = "mode"
GROUP = "group"
PANELS = "panels"
COPY = "copy-link"
STORY = "story-mode"
WHEEL = "wheel-zoom"
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
FOCUS = "focus"  # what the actor in focus knew of the selected fact, and the rest by fact
ANSWER = "answer"  # who learned the selected fact, when, from whom, over what
CARD = "story-card"
RECENT = "recent"  # the latest things that happened up to t
LOG = "log"
NET_LEGEND = "network-legend"
SHOW_AFF = "show-affiliations"
SHOW_MEDIUM = "show-media"
POS = "moved"  # {"pos": "actor:x:y,..."}: a node the reader dragged

PANEL_NETWORK = "panel-network"
PANEL_TIMELINE = "panel-timeline"
PANEL_MATRIX = "panel-matrix"
PANEL_LOG = "panel-log"

VIEW = "view"  # {"search": ...} the resolved view, for the panels that compute on the server
SHOWN_VIEW = "shown-view"  # the same, passed on by the page only while such a panel is shown

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
