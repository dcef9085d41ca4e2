"""The answer at a glance: who learned the selected fact, when, from whom, over what and along which
chain; and, for an actor in focus, what they knew of it at t and how, with the rest of their
knowledge grouped by fact.

:func:`answer_data` and :func:`focus_data` precompute, for one view, every line the page may show
with the time from which it holds; :func:`answer_at` and :func:`focus_at` pick the lines for a moment
(the page does the same in the browser, ``assets/backchannel.js``). Everything is HTML with the
scenario's text escaped, in names and statements, never ids.
"""

from __future__ import annotations

from html import escape as _escape
from typing import TYPE_CHECKING, Any

from .figures.common import channel_labels, fact_labels, local_label, medium_label, names

if TYPE_CHECKING:
    from sim.records import Knowledge
    from sim.result import RunResult

def escape(text: str) -> str:
    """``text`` safe inside the page's HTML, which is read as JSX: markup and braces escaped."""
    return _escape(str(text)).replace("{", "&#123;").replace("}", "&#125;")


BASIS_WORDS = {"reported": "reported", "inferred": "inferred", "assumed": "assumed (a modelling choice)"}
META_HOW = {"told": "{subject} told them", "confirmed": "{subject} confirmed it", "intercepted": "from an intercept",
            "self": "they told {subject}"}


def certainty(result: RunResult, actor: str, fact: str) -> tuple[str, float | None, float | None] | None:
    """``(basis, earliest, latest)`` for ``actor`` first knowing ``fact``, when the run can say (None otherwise)."""
    query = getattr(result, "knowledge_certainty", None)
    if query is None:
        return None
    try:
        c = query(actor, fact)
    except Exception:  # an actor who never knew it has no certainty to give
        return None
    return (getattr(c, "basis", "") or "", getattr(c, "earliest", None), getattr(c, "latest", None)) if c else None


def _when(result: RunResult, k: Knowledge) -> str:
    """``11 May 22:05``, with bounds (``between … and …``) and basis when the run knows them."""
    tz = result.scenario.meta.timezone
    text = f"<b>{escape(local_label(k.time, tz, long=False))}</b>"
    c = certainty(result, k.actor, k.fact)
    if c is None:
        return text
    basis, lo, hi = c
    if lo is not None and hi is not None and hi - lo >= 60:
        text += f" (between {escape(local_label(lo, tz, long=False))} and {escape(local_label(hi, tz, long=False))})"
    if basis:
        text += f' <span class="basis basis-{escape(basis)}">{escape(BASIS_WORDS.get(basis, basis))}</span>'
    return text


def how_words(result: RunResult, k: Knowledge, channels: dict[str, str] | None = None) -> str:
    """``told by Bishara Bahbah over “Bahbah's line to Witkoff” (call)`` or ``originated it``."""
    if k.how == "origin":
        return "originated it"
    nm = names(result)
    over = (channels if channels is not None else channel_labels(result)).get(k.channel or "", k.channel or "")
    verb = "told by" if k.how == "told" else "<b>intercepted</b> from"
    medium = medium_label(k.medium)
    return (f"{verb} {escape(nm.get(k.from_actor or '', k.from_actor or ''))} over “{escape(over)}”"
            + (f" ({escape(medium)})" if medium else ""))


def chain_words(result: RunResult, actor: str, fact: str) -> str:
    """``Hamas leadership in Doha → Bishara Bahbah → Steve Witkoff`` ('' for one who originated it)."""
    nm = names(result)
    chain = [nm.get(a, a) for a in result.path(actor, fact)]
    return " → ".join(escape(c) for c in chain) if len(chain) > 1 else ""


def _line(result: RunResult, k: Knowledge, channels: dict[str, str]) -> str:
    chain = chain_words(result, k.actor, k.fact)
    return (f"{_when(result, k)} · {how_words(result, k, channels)}"
            + (f'<br/><span class="chain">chain: {chain}</span>' if chain else ""))


def answer_data(result: RunResult, fact: str) -> dict[str, Any]:
    """Every line of the who-learned list for ``fact``: ``rows`` in the order of first knowing (those who
    never know it last), each ``{"actor", "t", "known", "later"}`` (``t`` None: never)."""
    nm = names(result)
    labels = fact_labels(result)
    channels = channel_labels(result)
    tz = result.scenario.meta.timezone
    rows = []
    for k in result.knowers(fact):
        name = f'<span class="who">{escape(nm[k.actor])}</span>'
        rows.append({"actor": k.actor, "t": k.time, "known": f"{name} · {_line(result, k, channels)}",
                     "later": f"{name} (learns it {escape(local_label(k.time, tz, long=False))})"})
    knew = {r["actor"] for r in rows}
    for a in result.compiled.actors:
        if a not in knew:
            rows.append({"actor": a, "t": None, "known": "", "later": f'<span class="who">{escape(nm[a])}</span>'})
    return {"fact": labels.get(fact, fact), "total": len(result.compiled.actors), "rows": rows}


def answer_at(data: dict[str, Any], t: float, label: str) -> str:
    """The who-learned list at ``t`` (``label``: the moment in words) as HTML."""
    known = [r for r in data["rows"] if r["t"] is not None and r["t"] <= t]
    later = [r for r in data["rows"] if r["t"] is not None and r["t"] > t]
    never = [r for r in data["rows"] if r["t"] is None]
    out = [f'<p class="answer-head"><b>Who knows “{escape(data["fact"])}” at {escape(label)}</b> — '
           f'{len(known)} of {data["total"]}</p>']
    if known:
        out.append('<ol class="learned">' + "".join(f'<li data-actor="{escape(r["actor"])}">{r["known"]}</li>'
                                                    for r in known) + "</ol>")
    else:
        out.append('<p class="nobody">Nobody knows it yet.</p>')
    if later:
        out.append('<p class="later"><b>Not yet:</b> ' + ", ".join(r["later"] for r in later) + "</p>")
    if never:
        out.append('<p class="never"><b>Never learn it in this run:</b> ' + ", ".join(r["later"] for r in never)
                   + "</p>")
    return "".join(out)


def _meta_line(result: RunResult, subject: str, how: str, time: float) -> str:
    nm = names(result)
    tz = result.scenario.meta.timezone
    who = nm.get(subject, subject)
    return (f"knows that {escape(who)} knows it ({escape(META_HOW.get(how, how).format(subject=who))}), "
            f"{escape(local_label(time, tz, long=False))}")


def focus_data(result: RunResult, actor: str, fact: str) -> dict[str, Any]:
    """Every line of the focus panel for ``actor``: the selected ``fact`` first (``top``), then each other
    fact they came to know (``facts``, in order of knowing), with what they knew others knew of it."""
    nm = names(result)
    labels = fact_labels(result)
    channels = channel_labels(result)
    tz = result.scenario.meta.timezone
    metas: dict[str, list[list]] = {}
    for (knower, subject, f), m in sorted(result.meta.items(), key=lambda kv: (kv[1].time, kv[1].record)):
        if knower == actor and subject != actor:
            metas.setdefault(f, []).append([m.time, _meta_line(result, subject, m.how, m.time)])

    def entry(f: str) -> dict[str, Any]:
        k = result.first.get((actor, f))
        known = _line(result, k, channels) if k is not None else ""
        later = (f"not yet — learns it {escape(local_label(k.time, tz, long=False))}, "
                 f"{how_words(result, k, channels)}" if k is not None else "never, in this run")
        return {"fact": f, "label": escape(labels.get(f, f)), "t": k.time if k else None, "known": known,
                "later": later, "meta": metas.get(f, [])}

    others = [f for f in result.compiled.facts if f != fact and ((actor, f) in result.first or f in metas)]
    facts = sorted((entry(f) for f in others),
                   key=lambda e: (e["t"] if e["t"] is not None else min(m[0] for m in e["meta"])))
    return {"name": escape(nm[actor]), "top": entry(fact), "facts": facts}


def _metas(entry: dict[str, Any], t: float) -> str:
    lines = [m[1] for m in entry["meta"] if m[0] <= t]
    if not lines:
        return ""
    word = "other knows" if len(lines) == 1 else "others know"
    return (f'<details class="meta"><summary>what they knew others knew: {len(lines)} {word} it</summary><ul>'
            + "".join(f"<li>{line}</li>" for line in lines) + "</ul></details>")


def focus_at(data: dict[str, Any], t: float, label: str) -> str:
    """The focus panel at ``t`` as HTML: the top line, then the rest by fact (latest first)."""
    top = data["top"]
    now = top["known"] if top["t"] is not None and top["t"] <= t else top["later"]
    out = [f'<p class="focus-q"><b>What did {data["name"]} know of “{top["label"]}” at {escape(label)}, and how?</b></p>',
           f'<p class="focus-line">{now}</p>', _metas(top, t)]
    shown = [e for e in data["facts"] if (e["t"] is not None and e["t"] <= t) or any(m[0] <= t for m in e["meta"])]
    if shown:
        out.append(f'<p class="focus-rest"><b>Everything else {data["name"]} knew by then</b> (latest first)</p>'
                   '<ul class="focus-facts">')
        for e in reversed(shown):
            how = e["known"] if e["t"] is not None and e["t"] <= t else "does not know it yet"
            out.append(f'<li><b>{e["label"]}</b> — {how}{_metas(e, t)}</li>')
        out.append("</ul>")
    return "".join(out)
