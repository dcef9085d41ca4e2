"""Formats that journalists and analysts already use: a TimelineJS-style spreadsheet in, and
TimelineJS JSON, GEXF (Gephi, with time intervals) and GraphML out.

:func:`import_timeline_csv` turns a spreadsheet export (one row per event: date, time, headline,
text, source, plus sender, recipients and channel columns) into a scenario skeleton and a list of
what it could not map. The writers take a :class:`~sim.result.RunResult`: what happened in a run,
with the scenario's sources.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem, ScenarioError
from .timeparse import to_local, to_utc_iso, zone

if TYPE_CHECKING:
    from .result import RunResult

MEDIA = ("call", "text", "meeting", "intermediary", "public_statement", "press", "intercept", "briefing",
         "letter", "other")

# Spreadsheet headers (lower-cased, spaces and underscores alike) → the field they fill. The TimelineJS
# template's own columns come first; 'date', 'source', 'sender', 'recipients' and 'channel' are ours.
HEADERS = {
    "year": "year", "month": "month", "day": "day", "time": "time",
    "end year": "end_year", "end month": "end_month", "end day": "end_day", "end time": "end_time",
    "date": "date", "end date": "end_date", "display date": "display_date",
    "headline": "headline", "text": "text", "media": "media", "media credit": "credit", "source": "source",
    "sources": "source", "media caption": "caption", "type": "type", "group": "group",
    "sender": "sender", "from": "sender", "recipients": "recipients", "recipient": "recipients", "to": "recipients",
    "channel": "channel", "medium": "medium",
}
IGNORED = {"media thumbnail", "background", "media caption", "group"}


@dataclass
class Imported:
    """A scenario skeleton (plain data, ready to dump as YAML) and the notes on what was not mapped."""

    scenario: dict[str, Any]
    unmapped: list[Problem] = field(default_factory=list)


def slug(text: str, taken: set[str] | None = None, fallback: str = "item") -> str:
    """An id from free text (``Ana Costa`` → ``ana_costa``), unique among ``taken``."""
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or fallback
    if not re.match(r"[a-z_]", s):
        s = f"{fallback}_{s}"
    out, n = s, 2
    while taken is not None and out in taken:
        out, n = f"{s}_{n}", n + 1
    if taken is not None:
        taken.add(out)
    return out


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if re.fullmatch(r"-?\d{1,4}", text) else None


def _clock(text: str) -> time | None:
    m = re.fullmatch(r"\s*(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*", text.lower())
    if not m:
        return None
    h, mi, s = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    if m.group(4):
        h = h % 12 + (12 if m.group(4).startswith("p") else 0)
    return time(h, mi, s) if h < 24 and mi < 60 and s < 60 else None


def _period(y: int | None, mo: int | None, d: int | None, t: time | None, tz: str) -> tuple[datetime, datetime] | None:
    """The instants a partial date covers: a year, a month, a day, or one minute."""
    if y is None:
        return None
    z = zone(tz)
    if mo is None:
        return datetime(y, 1, 1, tzinfo=z), datetime(y + 1, 1, 1, tzinfo=z) - timedelta(minutes=1)
    if d is None:
        nxt = date(y + (mo == 12), mo % 12 + 1, 1)
        return datetime(y, mo, 1, tzinfo=z), datetime.combine(nxt, time(), z) - timedelta(minutes=1)
    if t is None:
        return datetime(y, mo, d, tzinfo=z), datetime(y, mo, d, 23, 59, tzinfo=z)
    at = datetime.combine(date(y, mo, d), t, z)
    return at, at


def _split_date(text: str) -> tuple[int | None, int | None, int | None, time | None]:
    """``2025``, ``2025-05``, ``2025-05-11``, ``2025-05-11 22:00``, ``5/11/2025`` → parts."""
    s = text.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[ T](.+))?", s)
    if m:
        t = _clock(m.group(4)) if m.group(4) else None
        if m.group(4) and t is None:
            return None, None, None, None
        return int(m.group(1)), _int(m.group(2) or ""), _int(m.group(3) or ""), t
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(.+))?", s)  # the spreadsheet's US-style dates
    if m:
        t = _clock(m.group(4)) if m.group(4) else None
        return int(m.group(3)), int(m.group(1)), int(m.group(2)), t
    return None, None, None, None


def _iso(dt: datetime, tz: str) -> str:
    return f"{dt.strftime('%Y-%m-%dT%H:%M')} {tz}"


def _names(cell: str) -> list[str]:
    return [n.strip() for n in re.split(r"[;,]", cell) if n.strip()]


def import_timeline_csv(text: str, file: str = "<csv>", timezone: str = "UTC", title: str = "") -> Imported:
    """A scenario skeleton from a TimelineJS-style spreadsheet export.

    Every row with a date and a headline becomes an event: a message when it has a sender and
    recipients, a decision when it has only a sender. Partial dates (a year, a month, a day without a
    time) and rows with an end date become time windows. Actors, channels, sources and one fact per
    event are made from the cells; whatever the spreadsheet does not say is filled with the format's
    most cautious value and listed in ``unmapped`` with the row it concerns.
    """
    zone(timezone)
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as e:
        raise ScenarioError([Problem(file, 0, 0, "", f"cannot read CSV: {e}")]) from None
    if not rows:
        raise ScenarioError([Problem(file, 1, 1, "", "the file is empty: expected a header row")])
    header = [re.sub(r"[\s_]+", " ", h.strip().lower()) for h in rows[0]]
    notes: list[Problem] = []
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in HEADERS and HEADERS[h] not in cols:
            cols[HEADERS[h]] = i
        elif h and h not in IGNORED:
            notes.append(Problem(file, 1, i + 1, h, f"column {rows[0][i]!r} is not used"))
    if "headline" not in cols or not ({"year", "date"} & set(cols)):
        raise ScenarioError([Problem(file, 1, 1, "", "expected a 'Headline' column and a 'Year' (or 'Date') column, "
                                                     "as in TimelineJS's spreadsheet template")])

    def cell(row: list[str], key: str) -> str:
        i = cols.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    actors: dict[str, str] = {}  # name → id
    actor_ids: set[str] = set()
    sources: dict[str, dict[str, Any]] = {}
    source_ids: set[str] = set()
    channels: dict[str, dict[str, Any]] = {}
    channel_ids: set[str] = set()
    facts: list[dict[str, Any]] = []
    fact_ids: set[str] = set()
    events: list[dict[str, Any]] = []
    event_ids: set[str] = set()
    title_text, description, times = title, "", []

    def actor(name: str) -> str:
        if name not in actors:
            actors[name] = slug(name, actor_ids, "actor")
        return actors[name]

    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        headline = cell(row, "headline")
        if cell(row, "type").lower() == "title":
            title_text = title_text or headline
            description = cell(row, "text")
            continue
        if "date" in cols and cell(row, "date"):
            y, mo, d, t = _split_date(cell(row, "date"))
        else:
            y, mo, d = _int(cell(row, "year")), _int(cell(row, "month")), _int(cell(row, "day"))
            t = _clock(cell(row, "time")) if cell(row, "time") else None
            if cell(row, "time") and t is None:
                notes.append(Problem(file, n, cols["time"] + 1, "time", f"cannot read time {cell(row, 'time')!r}; "
                                     "the whole day is used"))
        try:
            start = _period(y, mo, d, t, timezone)
        except ValueError as e:
            start = None
            notes.append(Problem(file, n, 1, "date", f"not a date ({e}); the row is left out"))
            continue
        if start is None or not headline:
            notes.append(Problem(file, n, 1, "", "no date or no headline: the row is left out"))
            continue
        if "end_date" in cols and cell(row, "end_date"):
            end = _period(*_split_date(cell(row, "end_date")), timezone)
        else:
            end = _period(_int(cell(row, "end_year")), _int(cell(row, "end_month")), _int(cell(row, "end_day")),
                          _clock(cell(row, "end_time")) if cell(row, "end_time") else None, timezone)
        lo, hi = start[0], (end or start)[1]
        if hi < lo:
            notes.append(Problem(file, n, 1, "end", "the end date is before the start; the end is ignored"))
            hi = start[1]
        times += [lo, hi]
        sender = cell(row, "sender")
        recipients = [r for r in _names(cell(row, "recipients")) if r != sender]
        eid = slug(headline, event_ids, "event")
        fid = slug(headline, fact_ids, "fact")
        event: dict[str, Any] = {"id": eid}
        if not sender:
            notes.append(Problem(file, n, 1, "sender", "no sender: the row becomes a decision of an actor named "
                                                      "'unknown' — say who acted"))
            sender = "unknown"
        sid = actor(sender)
        if recipients:
            rids = [actor(r) for r in recipients]
            name = cell(row, "channel") or f"{sender} to {', '.join(recipients)}"
            if name not in channels:
                medium = (cell(row, "medium") or name).lower().replace(" ", "_")
                if medium not in MEDIA:
                    notes.append(Problem(file, n, cols.get("channel", cols.get("medium", -1)) + 1, "channel",
                                         f"medium of channel {name!r} not given: 'other' is used (one of "
                                         f"{', '.join(MEDIA)})"))
                    medium = "other"
                channels[name] = {"id": slug(name, channel_ids, "channel"), "between": [sid], "medium": medium,
                                  "description": "Made from the spreadsheet; latency not stated (0s is a modelling choice)."}
            between = channels[name]["between"]
            between += [a for a in [sid, *rids] if a not in between]
            event |= {"time": None, "summary": headline, "actor": sid, "to": rids, "channel": channels[name]["id"]}
        else:
            event |= {"kind": "decision", "time": None, "summary": headline, "actor": sid}
        event["time"] = _iso(lo, timezone) if lo == hi else {"earliest": _iso(lo, timezone), "latest": _iso(hi, timezone)}
        facts.append({"id": fid, "statement": cell(row, "text") or headline, "origin": sid})
        event["facts"] = [fid]
        credit = cell(row, "credit") or cell(row, "source")
        if not credit:
            notes.append(Problem(file, n, 1, "source", "no source: cited as 'unsourced' (reliability F)"))
            credit = "unsourced"
        if credit not in sources:
            url = cell(row, "media") if re.match(r"https?://", cell(row, "media")) else ""
            sources[credit] = {"id": slug(credit, source_ids, "source"), "outlet": credit, "title": credit,
                               "published": lo.date().isoformat(), "reference": url or credit, "reliability": "F",
                               "notes": "From the spreadsheet: publication date, title and reliability not stated."}
            notes.append(Problem(file, n, 1, "source", f"source {credit!r}: publication date set to this row's date, "
                                                      f"reliability F (cannot be judged) — check both"))
        event["sources"] = [{"source": sources[credit]["id"], "claim": cell(row, "text") or headline, "grade": 6}]
        events.append(event)
    if not events:
        raise ScenarioError([Problem(file, 0, 0, "", "no row has both a date and a headline")])
    zone_note = "the spreadsheet's times are read in " + timezone
    scenario = {
        "meta": {"title": title_text or Path(file).stem.replace("_", " "),
                 "description": (description.rstrip(". ") + ". " if description else "")
                                + f"Imported from {Path(file).name}; {zone_note}.",
                 "timezone": timezone,
                 "span": {"start": _iso(min(times) - timedelta(days=1), timezone),
                          "end": _iso(max(times) + timedelta(days=1), timezone)}},
        "sources": list(sources.values()),
        "actors": [{"id": i, "name": name, "affiliation": "unknown", "timezone": timezone}
                   for name, i in actors.items()],
        "facts": facts,
        "channels": list(channels.values()),
        "events": events,
    }
    notes.append(Problem(file, 0, 0, "actors", f"{len(actors)} actors: affiliation 'unknown' and time zone "
                                               f"{timezone} for each — set both"))
    return Imported(scenario, notes)


def scenario_yaml(data: dict[str, Any], schema_ref: str = "") -> str:
    """YAML text of a scenario dict, in the order of the format."""
    import yaml

    head = f"# yaml-language-server: $schema={schema_ref}\n" if schema_ref else ""
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


# -- writers ------------------------------------------------------------------------------------
def _credit(result: RunResult, source_ids: tuple[str, ...]) -> str:
    by_id = {s.id: s for s in result.scenario.sources}
    return "; ".join(f"{by_id[i].outlet}, “{by_id[i].title}” ({by_id[i].published.isoformat()})"
                     for i in source_ids if i in by_id)


def _tl_date(ts: float, tz: str) -> dict[str, Any]:
    d = to_local(ts, tz)
    return {"year": d.year, "month": d.month, "day": d.day, "hour": d.hour, "minute": d.minute,
            "display_date": d.strftime("%a %d %b %Y %H:%M %Z")}


def to_timelinejs(result: RunResult) -> dict[str, Any]:
    """TimelineJS JSON: a title slide and one slide per thing that happened (deliveries, intercepts,
    decisions and skips; a send shows as its deliveries), grouped by who acted, the sources in each
    slide's media credit."""
    s = result.scenario
    tz = s.meta.timezone
    names = {a.id: a.name for a in s.actors}
    statements = {f.id: f.statement for f in s.facts}
    summaries = {e.id: e.summary for e in s.events} | {r.id: r.summary for r in s.rules}
    scripted = {e.id for e in s.events}
    slides = []
    for e in result.events:
        if e.kind == "send":
            continue
        to = [names.get(x, x) for x in e.recipients]
        who = names.get(e.actor, e.actor)
        if e.kind == "intercept":
            sender = names.get(result.sender(e), "")
            whose = f"{sender}'s" if sender else "a"
            line = f"{who} intercepts {whose} message to {', '.join(to)}."
        elif e.kind == "skip":
            line = f"Did not happen in this run: {who} did not yet know what it needed to."
        elif e.kind == "originate":
            line = f"{who} knows it first."
        else:
            line = f"{who} to {', '.join(to)}" + (f" ({e.medium})" if e.medium else "") + "."
        facts = "".join(f"<li>{statements.get(f, f)}</li>" for f in e.facts)
        note = "" if e.cause in scripted else " <em>A modelled reaction, not a reported event.</em>"
        slide: dict[str, Any] = {
            "start_date": _tl_date(e.time, tz),
            "text": {"headline": summaries.get(e.cause, e.cause),
                     "text": f"<p>{line}{note}</p>" + (f"<ul>{facts}</ul>" if facts else "")},
            "group": who,
            "unique_id": f"record-{e.id}",
        }
        credit = _credit(result, e.sources)
        if credit:
            slide["media"] = {"url": f"<blockquote>{summaries.get(e.cause, e.cause)}</blockquote>",
                              "credit": f"Sources: {credit}"}
        slides.append(slide)
    return {"title": {"text": {"headline": s.meta.title, "text": f"<p>{s.meta.description}</p>" if s.meta.description
                               else ""}},
            "events": slides, "scale": "human"}


def to_timelinejs_text(result: RunResult) -> str:
    import json

    return json.dumps(to_timelinejs(result), indent=1, ensure_ascii=False) + "\n"


def to_graph(result: RunResult) -> Any:
    """A networkx ``MultiDiGraph``: actors as nodes, one edge per delivered or intercepted message,
    each with the interval from its sending to its arrival (POSIX seconds and ISO 8601 UTC)."""
    import networkx as nx

    s = result.scenario
    start, end = s.meta.span.start.timestamp(), s.meta.span.end.timestamp()
    g = nx.MultiDiGraph(name=s.meta.title)
    for a in s.actors:
        g.add_node(a.id, label=a.name, affiliation=a.affiliation, start=start, end=end)
    sends = {e.message: e for e in result.events if e.kind == "send"}
    for e in result.events:
        if e.kind not in ("deliver", "intercept"):
            continue
        send = sends.get(e.message)
        sender = send.actor if send is not None else e.actor
        t0 = send.time if send is not None else e.time
        targets = [e.actor] if e.kind == "intercept" else list(e.recipients)
        for t in targets:
            g.add_edge(sender, t, key=f"r{e.id}-{t}", kind=e.kind, channel=e.channel or "", medium=e.medium or "",
                       facts=";".join(e.facts), sources=";".join(e.sources), cause=e.cause,
                       start=float(t0), end=float(max(e.time, t0)), sent=to_utc_iso(t0), arrived=to_utc_iso(e.time))
    return g


def to_gexf_text(result: RunResult) -> str:
    """GEXF 1.2 (networkx's writer) with each edge's time interval, for Gephi's timeline."""
    import networkx as nx

    buf = io.BytesIO()
    nx.write_gexf(to_graph(result), buf)
    return buf.getvalue().decode("utf-8")


def to_graphml_text(result: RunResult) -> str:
    """GraphML (networkx's writer): the same graph, times as attributes."""
    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(to_graph(result), buf)
    return buf.getvalue().decode("utf-8")
