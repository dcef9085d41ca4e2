"""Readable text about a run: what one actor knew at t and how, and one-line headlines.

Pure functions over a :class:`~sim.RunResult`; the dashboard shows their HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typing import Any

from sim.certainty import describe_knowledge_when, describe_record_when

from .answer import escape
from .figures.common import (fact_labels, fact_statements, key_moments, local_label, names, readable_reason,
                             short_names)

if TYPE_CHECKING:
    from sim.result import RunResult




def recent_entries(result: RunResult) -> list[tuple[float, str]]:
    """One timed HTML list item per thing that happened (deliveries, intercepts, decisions, skips)."""
    tz = result.scenario.meta.timezone
    short = short_names(result)
    nm = {a: escape(n) for a, n in short.items()}
    s = result.scenario
    summaries = {e.id: e.summary for e in s.events} | {r.id: r.summary for r in s.rules}
    statements = fact_statements(result)
    out = []
    for e in result.events:
        when = escape(describe_record_when(result, e.id, tz))
        what = escape(summaries.get(e.cause, e.cause))
        actor = nm.get(e.actor, escape(e.actor))
        if e.kind == "deliver":
            line = f"{actor} → {nm.get(e.recipients[0], escape(e.recipients[0]))}: {what}"
        elif e.kind == "intercept":
            line = f"<b>{actor} intercepts</b> {nm.get(result.sender(e), '')}: {what}"
        elif e.kind == "originate" and not e.reason_code:
            line = f"<b>{actor}</b> decides: {what}"
        elif e.kind == "skip":
            line = f"<s>{what}</s> (did not happen: {escape(readable_reason(e, short, statements))})"
        elif e.kind == "lost":
            line = f"lost on the way: {what}"
        else:
            continue
        out.append((e.time, f"<li>{when} — {line}</li>"))
    return out


MAX_CHANGES = 6  # facts listed on a story card; the rest are counted


def story_cards(result: RunResult) -> list[dict[str, Any]]:
    """One card per key moment, in time order: ``id``, ``t``, ``fact`` (or ``""``) and ``html`` — the
    headline, when, what changed in who knows what since the previous moment, and the moment's sources
    (outlet, publication date, grade)."""
    moments = key_moments(result)
    if not moments:
        return []
    s = result.scenario
    tz = s.meta.timezone
    nm = names(result)
    labels = fact_labels(result)
    cites = {e.id: list(e.sources) for e in s.events} | {r.id: list(r.sources) for r in s.rules}
    outlets = {src.id: src for src in s.sources}
    summaries = {e.id: e.summary for e in s.events} | {r.id: r.summary for r in s.rules}
    cards = []
    prev = float("-inf")
    for i, m in enumerate(moments):
        learned: dict[str, list[str]] = {}
        for k in sorted(result.first.values(), key=lambda k: (k.time, k.record)):
            if prev < k.time <= m["t"] and k.how != "origin":
                learned.setdefault(k.fact, []).append(nm.get(k.actor, k.actor))
        items = [f"<li>{', '.join(escape(n) for n in who)} {'learns' if len(who) == 1 else 'learn'} "
                 f"“{escape(labels.get(f, f))}”</li>" for f, who in list(learned.items())[:MAX_CHANGES]]
        if len(learned) > MAX_CHANGES:
            items.append(f"<li>and {len(learned) - MAX_CHANGES} more facts</li>")
        since = "since the previous moment" if i else "up to this moment"
        changes = (f"<p><b>What changed {since}:</b></p><ul>{''.join(items)}</ul>" if items
                   else f"<p><b>What changed {since}:</b> nobody learned anything new.</p>")
        srcs = []
        for c in cites.get(m["event"], []):
            o = outlets.get(c.source)
            if o is None:
                continue
            srcs.append(f"<li>{escape(o.outlet)}, {o.published:%-d %B %Y}, grade {o.reliability}{c.grade}: "
                        f"<i>{escape(c.claim)}</i></li>")
        sources = f"<p><b>Sources</b></p><ul>{''.join(srcs)}</ul>" if srcs else "<p>No source cited for this event.</p>"
        cards.append({"id": m["id"], "t": m["t"], "fact": m["fact"], "html": (
            f'<p class="card-n">Key moment {i + 1} of {len(moments)} · {escape(local_label(m["t"], tz))}</p>'
            f'<h3 class="card-head">{escape(m["headline"])}</h3>'
            f'<p class="card-what">{escape(summaries.get(m["event"], ""))}</p>{changes}{sources}')})
        prev = m["t"]
    return cards
