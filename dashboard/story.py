"""Readable text about a run: what one actor knew at t and how, and one-line headlines.

Pure functions over a :class:`~sim.RunResult`; the dashboard shows their Markdown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.certainty import describe_knowledge_when, describe_record_when

from .figures.common import fact_statements, local_label, names, readable_reason, short_names

if TYPE_CHECKING:
    from sim.result import RunResult


def focus_entries(result: RunResult, actor: str) -> list[tuple[float, str]]:
    """What ``actor`` came to know, and what it came to know about others, as timed Markdown lines."""
    tz = result.scenario.meta.timezone
    nm = names(result)
    statements = {f.id: f.statement for f in result.scenario.facts}
    out: list[tuple[float, str]] = []
    for k in result.learned_by(actor):
        f = k.fact
        when = describe_knowledge_when(result, actor, f, tz)
        if k.how == "origin":
            how = "originated it"
        else:
            verb = "told by" if k.how == "told" else "**intercepted** from"
            how = f"{verb} {nm.get(k.from_actor or '', k.from_actor)} via {k.channel} ({k.medium})"
        chain = [nm.get(x, x) for x in result.path(actor, f)]
        line = f"- **{statements.get(f, f)}** (`{f}`) — {how}, {when}"
        if len(chain) > 2:
            line += f"  \n  chain: {' → '.join(chain)}"
        out.append((k.time, line))
    for m in result.beliefs_about(actor):
        subject, f = m.subject, m.fact
        if subject == actor:
            continue
        how = {"told": "told by them", "confirmed": "they confirmed it", "intercepted": "from an intercept",
               "self": "own"}.get(m.how, m.how)
        out.append((m.time, f"- knows that **{nm.get(subject, subject)}** knows `{f}` ({how}), "
                            f"{local_label(m.time, tz, long=False)}"))
    out.sort(key=lambda x: x[0])
    return out


def recent_entries(result: RunResult) -> list[tuple[float, str]]:
    """One timed Markdown line per thing that happened (deliveries, intercepts, decisions, skips)."""
    tz = result.scenario.meta.timezone
    nm = short_names(result)
    s = result.scenario
    summaries = {e.id: e.summary for e in s.events} | {r.id: r.summary for r in s.rules}
    statements = fact_statements(result)
    out = []
    for e in result.events:
        when = describe_record_when(result, e.id, tz)
        what = summaries.get(e.cause, e.cause)
        if e.kind == "deliver":
            line = f"{nm.get(e.actor, e.actor)} → {nm.get(e.recipients[0], e.recipients[0])}: {what}"
        elif e.kind == "intercept":
            line = f"**{nm.get(e.actor, e.actor)} intercepts** {nm.get(result.sender(e), '')}: {what}"
        elif e.kind == "originate" and not e.reason_code:
            line = f"**{nm.get(e.actor, e.actor)}** decides: {what}"
        elif e.kind == "skip":
            line = f"~~{what}~~ (did not happen: {readable_reason(e, nm, statements)})"
        elif e.kind == "lost":
            line = f"lost on the way: {what}"
        else:
            continue
        out.append((e.time, f"- {when} — {line}"))
    return out
