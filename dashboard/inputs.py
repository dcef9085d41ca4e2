"""Checking what the browser sends before a callback uses it.

Anyone can post any JSON to ``/_dash-update-component``, so a callback's arguments may be of any
type and size. Each helper returns a value of the expected type and bounds, or the control's
empty value, and never raises; each callback calls one of the ``*_args`` helpers first.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .state import GROUPS, MAX_RUNS, MAX_SEED, MODES, PANELS

MAX_SEARCH = 4096  # characters of a query string
MAX_NAME = 200  # characters of a scenario name (a longer one cannot be a file name anyway)
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,79}$")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")
_SAVED = re.compile(r"^saved:[0-9a-f]{16}$")
MAX_ITEMS = 200  # entries of a checklist's value or options
MAX_TEXT = 200  # characters of one such entry
MAX_POS = 4000  # characters of the moved actors' positions


def search(v: Any) -> str:
    """A query string (``?a=b``), at most :data:`MAX_SEARCH` characters; else empty."""
    return v if isinstance(v, str) and len(v) <= MAX_SEARCH else ""


def name(v: Any) -> str:
    """A scenario name as the dropdown gives it (``alternatives/no_intercepts``, or ``saved:ID`` from the
    editor's store); else empty."""
    ok = isinstance(v, str) and len(v) <= MAX_NAME and (
        (_NAME.match(v) and ".." not in v.split("/")) or _SAVED.match(v))
    return v if ok else ""


def ident(v: Any) -> str:
    """An id (alternative, fact, actor); else empty."""
    return v if isinstance(v, str) and _ID.match(v) else ""


def choice(v: Any, allowed: tuple[str, ...], default: str) -> str:
    """One of ``allowed``; else ``default``."""
    return v if isinstance(v, str) and v in allowed else default


def panels(v: Any) -> list[str]:
    """The ticked panels among :data:`~dashboard.state.PANELS`; else none."""
    return [p for p in PANELS if p in v] if isinstance(v, list) and all(isinstance(x, str) for x in v) else []


def whole(v: Any, top: int) -> int | None:
    """A whole number from 0 to ``top`` (a number or its digits), or None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) and math.isfinite(v) and 0 <= v <= top and int(v) == v:
        return int(v)
    if isinstance(v, str) and re.fullmatch(r"\d{1,12}", v) and int(v) <= top:
        return int(v)
    return None


def moment(v: Any) -> dict[str, float] | None:
    """``{"t": POSIX seconds}`` with a finite time within the years 1–9999; else None."""
    if not isinstance(v, dict):
        return None
    t = v.get("t")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) \
            or not -62135596800 <= t <= 253402300799:
        return None
    return {"t": float(t)}


MAX_DIGEST = 64  # characters of a bundle's digest (dashboard/delta.py makes 32)


def view(v: Any) -> dict[str, Any] | None:
    """The stored view ``{"search", "run", "built", "built_t", "digest"}``, checked: ``search`` (the view's
    link) a string of bounded size, else None for the whole; ``run`` the run's fingerprint; ``built``,
    ``built_t`` and ``digest`` what the page's playback bundle was built from (a link, and its exact
    moment or None) and its digest. A part that is not usable is "" (``built_t``: None)."""
    if not isinstance(v, dict) or not isinstance(v.get("search"), str) or len(v["search"]) > MAX_SEARCH:
        return None

    def text(key: str, top: int) -> str:
        got = v.get(key)
        return got if isinstance(got, str) and len(got) <= top else ""

    at = moment({"t": v.get("built_t")})
    return {"search": v["search"], "run": text("run", MAX_SEARCH), "built": text("built", MAX_SEARCH),
            "built_t": at["t"] if at else None, "digest": text("digest", MAX_DIGEST)}


def clicks(v: Any) -> int:
    """A click count; else 0."""
    return whole(v, 2**53) or 0


def controls_args(scenario: Any, alt: Any, mode: Any, fact: Any, actor: Any) -> tuple[str, str, str, str, str]:
    """The first five controls: scenario name, alternative, mode, fact and actor."""
    return name(scenario), ident(alt), choice(mode, MODES, "event"), ident(fact), ident(actor)


def sync_args(search_: Any, scenario: Any, alt: Any, mode: Any, fact: Any, actor: Any, panels_: Any, group: Any,
              compare: Any, calt: Any, runs: Any, seed: Any, current: Any, view_: Any) -> tuple[Any, ...]:
    """The sync callback's arguments, checked (in the same order)."""
    return (search(search_), *controls_args(scenario, alt, mode, fact, actor), panels(panels_),
            choice(group, GROUPS, "actors"), name(compare), ident(calt), whole(runs, MAX_RUNS),
            whole(seed, MAX_SEED), moment(current), view(view_))


def export_args(n_clicks: Any, scenario: Any, alt: Any, mode: Any, fact: Any, actor: Any,
                current: Any) -> tuple[Any, ...]:
    """The export callback's arguments, checked (in the same order)."""
    return (clicks(n_clicks), *controls_args(scenario, alt, mode, fact, actor), moment(current))


def strings(v: Any) -> list[str]:
    """A checklist's value: at most :data:`MAX_ITEMS` strings of at most :data:`MAX_TEXT` characters; else none."""
    if not isinstance(v, list) or len(v) > MAX_ITEMS:
        return []
    return [x for x in v if isinstance(x, str) and len(x) <= MAX_TEXT]


def options(v: Any) -> list[dict[str, str]]:
    """A checklist's options as the page holds them (``{"label", "value"}`` with string values); else none."""
    if not isinstance(v, list) or len(v) > MAX_ITEMS:
        return []
    return [{"value": o["value"]} for o in v
            if isinstance(o, dict) and isinstance(o.get("value"), str) and len(o["value"]) <= MAX_TEXT]


def positions(v: Any) -> dict[str, str] | None:
    """The page's moved actors, ``{"pos": "actor:x:y,..."}``; else None."""
    ok = isinstance(v, dict) and isinstance(v.get("pos"), str) and len(v["pos"]) <= MAX_POS
    return {"pos": v["pos"]} if ok else None


def filter_args(story: Any, aff: Any, medium: Any, moved: Any, aff_options: Any,
                medium_options: Any) -> tuple[Any, ...]:
    """The story-mode, filter and moved-actor arguments of the sync callback, checked (in the same order)."""
    return strings(story), strings(aff), strings(medium), positions(moved), options(aff_options), options(medium_options)
