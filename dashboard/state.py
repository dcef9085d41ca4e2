"""What a URL encodes: :class:`ViewState`, and its query-string encoding with notices.

Parameters (all optional)::

    scenario  scenario name inside the scenario folder, e.g. alexander_release or alternatives/no_tap
    saved     id of a scenario saved from the editor (instead of ``scenario``; ``/s/ID`` links here)
    alt       named alternative inside that file (empty: as documented)
    t         the moment shown, ISO 8601 (UTC ``Z`` or with an offset)
    mode      event (each step is the next event) or calendar (even steps of real time)
    fact      fact id shown on the network and timeline
    actor     actor id in focus (empty: none)
    panels    comma-separated subset of network,timeline,matrix,log,compare,sweep,mattered,editor (default:
              the first four, plus compare when compare, calt or remove is given, plus sweep when sweep is given)
    group     matrix rows: actors or affiliations
    compare   scenario name of the run to compare with (empty: the same file as ``scenario``), or saved:ID
    calt      named alternative of that file to compare with
    sweep     number of stochastic replays for the sweep panel (0 or absent: no sweep)
    seed      the sweep's seed
    remove    elements to take out of this run for the run compared with, comma-separated KIND:ID
              (event, rule, channel, actor; tap:CHANNEL/ACTOR), as ``backchannel variant --remove``
              takes them; replaces compare and calt
    story     1: story mode (a card per key moment; the step buttons go from moment to moment)
    hide      comma-separated affiliations and media drawn faint on the network, e.g. ``Iran,medium:call``
    pos       actors moved on the network, ``actor:x:y`` comma-separated (x, y within ±10)

:func:`decode` never raises: malformed or unknown parameters fall back to defaults and each
fallback is described in a notice for the page to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode

from sim.timeparse import parse_instant

PANELS: tuple[str, ...] = ("network", "timeline", "matrix", "log", "compare", "sweep", "mattered", "editor")
DEFAULT_PANELS: tuple[str, ...] = ("network", "timeline", "matrix", "log")
MODES: tuple[str, ...] = ("event", "calendar")
GROUPS: tuple[str, ...] = ("actors", "affiliations")
PARAMS: tuple[str, ...] = ("scenario", "alt", "t", "mode", "fact", "actor", "panels", "group", "compare", "calt",
                           "sweep", "seed", "remove", "saved", "story", "hide", "pos")
MAX_RUNS = 5000
DEFAULT_RUNS = 500  # the sweep's size when its panel is turned on
MAX_SEED = 2**31 - 1
MAX_REMOVE = 20  # elements one link may remove
MAX_NAME = 200  # characters of a scenario name
MAX_HIDDEN = 40  # affiliations and media a link may hide
MAX_MOVED = 200  # actors a link may move
_HIDE = re.compile(r"^(?:medium:)?[^,<>\x00-\x1f]{1,60}$")
_POS = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]{0,79}):(-?\d{1,2}(?:\.\d{1,4})?):(-?\d{1,2}(?:\.\d{1,4})?)$")
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,79}$")
_TARGET = re.compile(r"^(?:(?:event|rule|channel|actor):[A-Za-z_][A-Za-z0-9_-]{0,79}"
                     r"|tap:[A-Za-z_][A-Za-z0-9_-]{0,79}/[A-Za-z_][A-Za-z0-9_-]{0,79})$")
_SCENARIO = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")
_SAVED = re.compile(r"^saved:[0-9a-f]{16}$")  # a scenario saved from the editor (sim.store)


@dataclass(frozen=True)
class ViewState:
    """Everything that defines a view; empty strings and ``t=None`` mean "the default"."""

    scenario: str = ""
    alt: str = ""
    t: float | None = None
    mode: str = "event"
    fact: str = ""
    actor: str = ""
    panels: tuple[str, ...] = DEFAULT_PANELS
    group: str = "actors"
    compare: str = ""
    calt: str = ""
    sweep: int = 0
    seed: int = 0
    remove: tuple[str, ...] = ()
    story: bool = False
    hide: tuple[str, ...] = ()
    pos: tuple[tuple[str, float, float], ...] = ()

    def with_(self, **changes: object) -> ViewState:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def comparing(self) -> bool:
        """Whether a second run is named (a file, a named alternative, or both)."""
        return bool(self.compare or self.calt or self.remove)


def implied_panels(state: ViewState) -> tuple[str, ...]:
    """The panels a link shows when it has no ``panels`` parameter."""
    extra = {"compare"} if state.comparing else set()
    extra |= {"sweep"} if state.sweep else set()
    return tuple(p for p in PANELS if p in DEFAULT_PANELS or p in extra)


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
    if _SAVED.match(state.scenario):
        pairs.append(("saved", state.scenario.split(":", 1)[1]))
    elif state.scenario:
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
    if tuple(state.panels) != implied_panels(state):
        pairs.append(("panels", ",".join(state.panels) or "none"))
    if state.group != "actors":
        pairs.append(("group", state.group))
    if state.compare:
        pairs.append(("compare", state.compare))
    if state.calt:
        pairs.append(("calt", state.calt))
    if state.sweep:
        pairs.append(("sweep", str(state.sweep)))
    if state.seed:
        pairs.append(("seed", str(state.seed)))
    if state.remove:
        pairs.append(("remove", ",".join(state.remove)))
    if state.story:
        pairs.append(("story", "1"))
    if state.hide:
        pairs.append(("hide", ",".join(state.hide)))
    if state.pos:
        pairs.append(("pos", encode_pos(state.pos)))
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
        if len(scenario) <= MAX_NAME and _SCENARIO.match(scenario) and ".." not in scenario.split("/"):
            state = state.with_(scenario=scenario)
        else:
            notices.append(f"“{scenario[:60]}” is not a scenario name; showing the default scenario.")
    saved = values.get("saved", "")
    if saved:
        if _SAVED.match(f"saved:{saved}"):
            state = state.with_(scenario=f"saved:{saved}")
        else:
            notices.append(f"“{saved[:60]}” is not the id of a saved scenario; showing the default scenario.")
    compare = values.get("compare", "")
    if compare:
        if len(compare) <= MAX_NAME and ((_SCENARIO.match(compare) and ".." not in compare.split("/"))
                                         or _SAVED.match(compare)):
            state = state.with_(compare=compare)
        else:
            notices.append(f"“{compare[:60]}” is not a scenario name; nothing to compare with.")
    for key in ("alt", "fact", "actor", "calt"):
        v = values.get(key, "")
        if v:
            if _ID.match(v):
                state = state.with_(**{key: v})
            else:
                what = {"alt": "alternative", "calt": "alternative to compare with"}.get(key, key)
                notices.append(f"“{v[:60]}” is not a valid {what} id; ignored it.")
    if "t" in values and values["t"]:
        try:
            state = state.with_(t=parse_t(values["t"]))
        except (ValueError, OverflowError, OSError):
            notices.append(f"Could not read the time “{values['t'][:40]}”; showing where the story opens.")
    mode = values.get("mode", "event")
    if mode in MODES:
        state = state.with_(mode=mode)
    else:
        notices.append(f"Unknown mode “{mode[:20]}”; use event or calendar. Showing event mode.")
    for key, top in (("sweep", MAX_RUNS), ("seed", MAX_SEED)):
        v = values.get(key, "")
        if v:
            n = _int(v)
            if n is not None and (1 if key == "sweep" else 0) <= n <= top:
                state = state.with_(**{key: n})
            elif key == "sweep":
                notices.append(f"“{v[:20]}” is not a number of runs from 1 to {MAX_RUNS}; no sweep.")
            else:
                notices.append(f"“{v[:20]}” is not a seed (a whole number from 0 to {MAX_SEED}); used 0.")
    if values.get("remove"):
        state = _remove(state, values["remove"], notices)
    if "panels" in values:
        raw = [p for p in values["panels"].split(",") if p and p != "none"]
        bad = [p for p in raw if p not in PANELS]
        if bad:
            notices.append(f"Unknown panel “{bad[0][:20]}”; panels are {', '.join(PANELS)}.")
        panels = tuple(p for p in PANELS if p in raw)
        state = state.with_(panels=panels if panels or values["panels"] == "none" else implied_panels(state))
    else:
        state = state.with_(panels=implied_panels(state))
    story = values.get("story", "")
    if story in ("1", "0", ""):
        state = state.with_(story=story == "1")
    else:
        notices.append(f"“{story[:20]}” is not 1 or 0 for story mode; story mode is off.")
    hide = [h for h in values.get("hide", "").split(",") if h]
    good = tuple(dict.fromkeys(h for h in hide[:MAX_HIDDEN] if _HIDE.match(h)))
    if len(good) < len(hide):
        notices.append("Some of the filters in the link could not be read; ignored them.")
    state = state.with_(hide=good)
    moved: dict[str, tuple[str, float, float]] = {}
    raw_pos = [p for p in values.get("pos", "").split(",") if p]
    for p in raw_pos[:MAX_MOVED]:
        m = _POS.match(p)
        if m and abs(float(m[2])) <= 10 and abs(float(m[3])) <= 10:
            moved.setdefault(m[1], (m[1], float(m[2]), float(m[3])))
    if len(moved) < len(raw_pos):
        notices.append("Some of the moved positions in the link could not be read; ignored them.")
    state = state.with_(pos=tuple(moved.values()))
    group = values.get("group", "actors")
    if group in GROUPS:
        state = state.with_(group=group)
    else:
        notices.append(f"Unknown group “{group[:20]}”; showing actors.")
    return state, notices


def _remove(state: ViewState, text: str, notices: list[str]) -> ViewState:
    """``state`` with the elements a ``remove`` parameter names (unreadable ones dropped, with a notice)."""
    targets = list(dict.fromkeys(t for t in text.split(",") if t))
    bad = [t for t in targets if not _TARGET.match(t)]
    if bad:
        notices.append(f"“{bad[0][:60]}” is not an element to remove (KIND:ID, e.g. channel:ID or "
                       f"tap:CHANNEL/ACTOR); ignored it.")
    good = [t for t in targets if t not in bad]
    if len(good) > MAX_REMOVE:
        notices.append(f"A link may remove at most {MAX_REMOVE} elements; used the first {MAX_REMOVE}.")
        good = good[:MAX_REMOVE]
    if good and (state.compare or state.calt):
        notices.append("A link that removes elements compares with this run without them; ignored "
                       "“compare” and “calt”.")
        state = state.with_(compare="", calt="")
    return state.with_(remove=tuple(good))


def encode_pos(pos: tuple[tuple[str, float, float], ...]) -> str:
    """Moved actors as the ``pos`` parameter writes them: ``actor:x:y`` comma-separated."""
    return ",".join(f"{a}:{_num(x)}:{_num(y)}" for a, x, y in pos)


def _num(x: float) -> str:
    """A coordinate with at most four decimals, as the ``pos`` parameter reads it."""
    return f"{round(x, 4):.4f}".rstrip("0").rstrip(".")


def _int(text: str) -> int | None:
    """A plain decimal integer, or None."""
    return int(text) if re.fullmatch(r"\d{1,12}", text.strip()) else None
