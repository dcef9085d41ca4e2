"""Parsing of durations (``15m``, ``1h30m``, ``2d``) and of instants that must carry a zone.

A bare clock time is never read as UTC: an instant needs a UTC offset (``+03:00``, ``Z``)
or an IANA zone name after it (``2025-05-11 22:00 Asia/Qatar``).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DURATION = re.compile(r"^\s*(?:(?P<d>\d+(?:\.\d+)?)\s*d)?\s*(?:(?P<h>\d+(?:\.\d+)?)\s*h)?"
                       r"\s*(?:(?P<m>\d+(?:\.\d+)?)\s*m(?:in)?)?\s*(?:(?P<s>\d+(?:\.\d+)?)\s*s)?\s*$")
_UNIT_SECONDS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


MAX_DURATION = 100 * 365.25 * 86400.0  # seconds: a duration is at most 100 years
MIN_YEAR, MAX_YEAR = 1900, 2200  # instants lie within these years


def parse_duration(text: str | int | float) -> float:
    """Return a duration in seconds from ``90s``, ``15m``, ``2h``, ``1d``, ``1h30m`` or ``0``.

    Raises ``ValueError`` for a negative, malformed or unit-less duration (a number other than 0,
    whole or not), and for one longer than 100 years.
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ValueError("a duration is a number with a unit, like 15m, 2h or 1d")
    if isinstance(text, (int, float)):
        if text == 0:
            return 0.0
        if text < 0:
            raise ValueError(f"duration {text} is negative")
        shown = f"{text:g}" if isinstance(text, float) else str(text)
        if not text <= MAX_DURATION:  # also inf and nan
            raise ValueError("a duration is a number with a unit, like 15m, 2h or 1d, and at most 100 years")
        raise ValueError(f"duration {shown} has no unit: write it as {shown}s, {shown}m, {shown}h or {shown}d")
    s = str(text).strip()
    shown = s if len(s) <= 40 else s[:39] + "…"
    if len(s) > 40:
        raise ValueError(f"cannot read duration {shown!r}: use a number and a unit, like 30s, 15m, 2h, 1d or 1h30m")
    if s.startswith("-"):
        raise ValueError(f"duration {s!r} is negative")
    if s == "0":
        return 0.0
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        raise ValueError(f"duration {s!r} has no unit: write it as {s}s, {s}m, {s}h or {s}d")
    m = _DURATION.match(s)
    if not s or not m or not any(m.group(u) for u in "dhms"):
        raise ValueError(f"cannot read duration {s!r}: use a number and a unit, like 30s, 15m, 2h, 1d or 1h30m")
    seconds = sum(float(m.group(u)) * _UNIT_SECONDS[u] for u in "dhms" if m.group(u))
    if not seconds <= MAX_DURATION:
        raise ValueError(f"duration {s!r} is longer than 100 years")
    return seconds


def format_duration(seconds: float) -> str:
    """Format seconds compactly (``1d 2h``, ``15m``, ``-3h 5m``) for tables."""
    sign = "-" if seconds < 0 else ""
    s = int(round(abs(seconds)))
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    parts = [f"{v}{u}" for v, u in ((d, "d"), (h, "h"), (m, "m"), (s, "s")) if v]
    return sign + (" ".join(parts[:2]) if parts else "0s")


_ZONE = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")


def zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name`` or raise ``ValueError`` naming it."""
    hint = "use an IANA name like Asia/Qatar or America/New_York"
    if not isinstance(name, str) or len(name) > 64 or not _ZONE.fullmatch(name):
        shown = name if isinstance(name, str) and len(name) <= 40 else f"{str(name)[:39]}…"
        raise ValueError(f"unknown time zone {shown!r}: {hint}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise ValueError(f"unknown time zone {name!r}: {hint}") from None


def check_year(dt: datetime, text: object) -> datetime:
    """``dt`` if its year lies within 1900–2200, else ``ValueError``."""
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        shown = text if isinstance(text, str) and len(text) <= 40 else dt.isoformat()
        raise ValueError(f"time {shown!r} lies outside the years {MIN_YEAR}–{MAX_YEAR} a scenario may use")
    return dt


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant with an offset, or a date/time followed by an IANA zone name.

    Returns an aware ``datetime``. A bare time or date with no zone raises ``ValueError``.
    """
    s = str(text).strip()
    if not s:
        raise ValueError("empty time")
    if len(s) > 100:
        raise ValueError(f"cannot read time {s[:39] + '…'!r}: write it like 2025-05-11T22:00+03:00 "
                         "or 2025-05-11 22:00 Asia/Qatar")
    tz = None
    head, _, tail = s.rpartition(" ")
    if head and "/" in tail or tail in ("UTC", "Z"):
        if head:
            s, tz = head.strip(), (timezone.utc if tail in ("UTC", "Z") else zone(tail))
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(f"cannot read time {text!r}: write it like 2025-05-11T22:00+03:00 "
                         "or 2025-05-11 22:00 Asia/Qatar") from None
    if tz is not None:
        if dt.tzinfo is not None:
            raise ValueError(f"time {text!r} has both an offset and a zone name; give one")
        dt = dt.replace(tzinfo=tz)
    if dt.tzinfo is None:
        raise BareTimeError(str(text))
    return check_year(dt, text)


def bare_time_message(text: str, zone_hint: str | None = None) -> str:
    """Why a time without an offset or zone is refused, suggesting ``zone_hint`` (the scenario's
    zone) and its offset at that time."""
    suggestion = "a UTC offset such as +03:00 or a zone name such as Asia/Qatar"
    if zone_hint:
        try:
            naive = datetime.fromisoformat(str(text).strip().replace(" ", "T", 1))
            offset = naive.replace(tzinfo=zone(zone_hint)).isoformat()[-6:]
            suggestion = f"{offset} or the zone name {zone_hint} (the scenario's zone)"
        except ValueError:
            suggestion = f"a UTC offset or the zone name {zone_hint} (the scenario's zone)"
    return f"time {text!r} has no UTC offset or zone; a bare time is ambiguous, add {suggestion}"


class BareTimeError(ValueError):
    """A time with no UTC offset and no zone name; ``text`` is the time as written."""

    def __init__(self, text: str, zone_hint: str | None = None):
        self.text = text
        super().__init__(bare_time_message(text, zone_hint))


def to_utc_iso(ts: float) -> str:
    """POSIX seconds to an ISO 8601 string in UTC with an explicit offset."""
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def to_local(ts: float, tz_name: str) -> datetime:
    """POSIX seconds to an aware datetime in ``tz_name``."""
    return datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo(tz_name))


def as_timestamp(value: datetime | str | float | int) -> float:
    """Accept an aware datetime, an instant string or POSIX seconds; return POSIX seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        value = parse_instant(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"time {value.isoformat()} has no UTC offset or zone")
        return value.timestamp()
    raise ValueError(f"cannot read {value!r} as a time")


