"""What a URL encodes: :class:`ViewState`, and its query-string encoding with notices.

Parameters (all optional)::

    scenario  scenario name inside the scenario folder, e.g. alexander_release or alternatives/no_tap
    alt       named alternative inside that file (empty: as documented)
    t         the moment shown, ISO 8601 (UTC ``Z`` or with an offset)
    mode      event (each step is the next event) or calendar (even steps of real time)
    fact      fact id shown on the network and timeline
    actor     actor id in focus (empty: none)
    panels    comma-separated subset of network,timeline,matrix,log
    group     matrix rows: actors or affiliations

:func:`decode` never raises: malformed or unknown parameters fall back to defaults and each
fallback is described in a notice for the page to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode

from sim.timeparse import parse_instant

PANELS: tuple[str, ...] = ("network", "timeline", "matrix", "log")
MODES: tuple[str, ...] = ("event", "calendar")
GROUPS: tuple[str, ...] = ("actors", "affiliations")
PARAMS: tuple[str, ...] = ("scenario", "alt", "t", "mode", "fact", "actor", "panels", "group")
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,79}$")
_SCENARIO = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")


@dataclass(frozen=True)
class ViewState:
    """Everything that defines a view; empty strings and ``t=None`` mean "the default"."""

    scenario: str = ""
    alt: str = ""
    t: float | None = None
    mode: str = "event"
    fact: str = ""
    actor: str = ""
    panels: tuple[str, ...] = PANELS
    group: str = "actors"

    def with_(self, **changes: object) -> ViewState:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def format_t(t: float) -> str:
    """POSIX seconds as ISO 8601 UTC with a ``Z`` (microseconds only when needed)."""
    s = datetime.fromtimestamp(t, timezone.utc).isoformat()
    return s.replace("+00:00", "Z")


def parse_t(text: str) -> float:
    """An ISO 8601 instant from a URL (a ``+`` decoded as a space is put back) as POSIX seconds."""
    s = text.strip()
    s = re.sub(r"(\d) (\d\d:?\d\d)$", r"\1+\2", s)
    return parse_instant(s).timestamp()


def encode(state: ViewState) -> str:
    """The query string (with a leading ``?``) for ``state``; defaults are left out."""
    pairs: list[tuple[str, str]] = []
    if state.scenario:
        pairs.append(("scenario", state.scenario))
    if state.alt:
        pairs.append(("alt", state.alt))
    if state.t is not None:
        pairs.append(("t", format_t(state.t)))
    pairs.append(("mode", state.mode))
    if state.fact:
        pairs.append(("fact", state.fact))
    if state.actor:
        pairs.append(("actor", state.actor))
    if tuple(state.panels) != PANELS:
        pairs.append(("panels", ",".join(state.panels) or "none"))
    if state.group != "actors":
        pairs.append(("group", state.group))
    return "?" + urlencode(pairs, safe="/:,")


def decode(search: str | None) -> tuple[ViewState, list[str]]:
    """Read a query string; return the state and a notice for every value that was not usable."""
    notices: list[str] = []
    values: dict[str, str] = {}
    try:
        pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=True, strict_parsing=False,
                          max_num_fields=50)
    except ValueError:
        return ViewState(), ["The link's parameters could not be read; showing the default view."]
    for key, value in pairs:
        if key not in PARAMS:
            notices.append(f"Ignored unknown parameter “{key[:40]}”.")
        elif key in values:
            notices.append(f"Parameter “{key}” was given twice; used the first.")
        else:
            values[key] = value
    state = ViewState()
    scenario = values.get("scenario", "")
    if scenario:
        if _SCENARIO.match(scenario) and ".." not in scenario.split("/"):
            state = state.with_(scenario=scenario)
        else:
            notices.append(f"“{scenario[:60]}” is not a scenario name; showing the default scenario.")
    for key in ("alt", "fact", "actor"):
        v = values.get(key, "")
        if v:
            if _ID.match(v):
                state = state.with_(**{key: v})
            else:
                notices.append(f"“{v[:60]}” is not a valid {key} id; ignored it.")
    if "t" in values and values["t"]:
        try:
            state = state.with_(t=parse_t(values["t"]))
        except (ValueError, OverflowError, OSError):
            notices.append(f"Could not read the time “{values['t'][:40]}”; showing the last step.")
    mode = values.get("mode", "event")
    if mode in MODES:
        state = state.with_(mode=mode)
    else:
        notices.append(f"Unknown mode “{mode[:20]}”; use event or calendar. Showing event mode.")
    if "panels" in values:
        raw = [p for p in values["panels"].split(",") if p and p != "none"]
        bad = [p for p in raw if p not in PANELS]
        if bad:
            notices.append(f"Unknown panel “{bad[0][:20]}”; panels are {', '.join(PANELS)}.")
        panels = tuple(p for p in PANELS if p in raw)
        state = state.with_(panels=panels if panels or values["panels"] == "none" else PANELS)
    group = values.get("group", "actors")
    if group in GROUPS:
        state = state.with_(group=group)
    else:
        notices.append(f"Unknown group “{group[:20]}”; showing actors.")
    return state, notices
