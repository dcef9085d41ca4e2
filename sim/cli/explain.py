"""``backchannel explain``: which messages, channels, taps and actors mattered for one outcome."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.text import Text

from .app import app, console, report_errors

if TYPE_CHECKING:
    from ..explain import Explanation, Row

EFFECT_STYLE = {"necessary": "bold red", "delaying": "yellow", "redundant": "cyan", "earlier": "green",
                "unchanged": "dim"}


def _when(ts: float | None, tz: str) -> str:
    if ts is None:
        return "never"
    from ..timeparse import to_local

    return to_local(ts, tz).strftime("%a %d %b %H:%M")


def _effect(r: Row, x: Explanation, tz: str) -> str:
    """What removing the element does, in words."""
    from ..compare import format_delta

    if r.status == "necessary":
        if r.known_at is None:
            return "never learns it"
        return f"learns it only {_when(r.known_at, tz)}, too late"
    if r.status == "delaying":
        return f"{format_delta(r.delay)} later" if r.delay is not None else "never learns it"
    if r.status == "earlier":
        if r.delay is None:
            return f"learns it, {_when(r.known_at, tz)}"
        return f"{format_delta(r.delay)[1:]} earlier" if r.delay < 0 else f"in time, {_when(r.known_at, tz)}"
    if r.status == "redundant":
        return "no change: another path carries it"
    return "no change"


def _variant_hint(r: Row) -> str:
    extra = len(r.removal.removes) - 1 + len(r.removal.sets)
    return f"--remove {r.removal.target}" + (f" (+{extra} more)" if extra else "")


def print_explanation(x: Explanation, show_all: bool, file: Path, alternative: str | None) -> None:
    """The outcome, the replay's path, then the ranking (and the paired stochastic figures)."""
    from rich.table import Table

    from ..explain import KIND_WORDS, STATUSES, interval, label

    s = x.result.scenario
    tz = s.meta.timezone
    names = {a.id: a.name for a in s.actors}
    statement = next(f.statement for f in s.facts if f.id == x.fact)
    by = f" by {_when(x.by, tz)}" if x.by is not None else ""
    c = console()
    c.print(Text.assemble((s.meta.title, "bold"), " — what mattered for ", (names[x.actor], "bold"),
                          f" learning{by}: “{statement}”"), soft_wrap=True)
    if x.known_at is None:
        c.print(Text(f"In the replay {names[x.actor]} never learns it."), soft_wrap=True)
    else:
        when = _when(x.known_at, tz) + ("" if x.learned else ", too late")
        c.print(Text(f"In the replay {names[x.actor]} learns it {when} ({tz}), by this path:"), soft_wrap=True)
        path = Table(title="The replay's path")
        for col in ("when", "who", "how", "from", "channel", "by way of"):
            path.add_column(col)
        kinds = {e.id: "event" for e in s.events} | {r.id: "rule" for r in s.rules}
        for k in x.path:
            path.add_row(_when(k.time, tz), Text(names.get(k.actor, k.actor)), k.how,
                         Text(names.get(k.from_actor, k.from_actor) if k.from_actor else ""),
                         Text(label(s, "channel", k.channel) if k.channel else ""),
                         Text(label(s, kinds.get(k.via_event, "event"), k.via_event)))
        c.print(path)
    t = Table(title=f"Each element removed in turn ({len(x.rows)}; times in {tz})")
    cols = ["#", "effect", "element", "without it", "on path", "learns it instead via", "reproduce with"]
    if x.runs:
        cols[4:4] = ["P with", "P without", "difference (95%)"]
    for col in cols:
        t.add_column(col, justify="right" if col in ("#", "P with", "P without") else "left")
    hidden = 0
    for i, r in enumerate(x.rows, 1):
        if r.status == "unchanged" and not show_all and not (x.runs and r.difference):
            hidden += 1
            continue
        instead = " → ".join(names.get(a, a) for a in r.path) if r.known_at is not None and r.status != "unchanged" else ""
        cells: list[object] = [str(i), Text(r.status, EFFECT_STYLE[r.status]),
                               Text(f"{KIND_WORDS[r.kind]}: {label(s, r.kind, r.id)}"),
                               Text(_effect(r, x, tz)), "yes" if r.on_path else "", Text(instead),
                               Text(_variant_hint(r))]
        if x.runs:
            ci = interval(r, x.runs)
            diff = f"{r.difference:+.1%}" + (f" ({ci[0]:+.1%} to {ci[1]:+.1%})" if ci else "")
            cells[4:4] = [f"{r.p_with:.1%}", f"{r.p_without:.1%}", diff]
        t.add_row(*cells)
    if t.row_count:
        c.print(t)
    counts = {st: len(x.by_status(st)) for st in STATUSES}
    c.print(", ".join(f"{n} {st}" for st, n in counts.items() if n)
            + (f" ({hidden} unchanged not listed; --all lists them)" if hidden and hidden < counts["unchanged"]
               else " (unchanged not listed; --all lists them)" if hidden else ""), soft_wrap=True)
    if x.runs:
        c.print(Text(f"Stochastic: {x.runs:,} paired runs (seed {x.seed}; run i uses the same seed with and without "
                     f"each element); {names[x.actor]} learns it{by} in {x.p_base:.1%} of runs with everything in place. "
                     "Intervals are normal approximations of the paired difference."), soft_wrap=True)
    where = f"{file}" + (f" (named alternative {alternative!r})" if alternative else "")
    c.print(Text(f"Reproduce a row: backchannel variant {file} -o VARIANT.yaml with the row's options "
                 f"(all of them in explain.csv with --out); removals apply to {where}."
                 + (" A variant file extends the file as documented: add the alternative's own changes to it."
                    if alternative else "")), soft_wrap=True)


@app.command("explain")
@report_errors
def explain_cmd(file: Annotated[Path, typer.Argument(help="Scenario or variant file")],
                actor: Annotated[str, typer.Argument(help="Actor id, e.g. witkoff")],
                fact: Annotated[str, typer.Argument(help="Fact id, e.g. hamas_agrees_release")],
                by: Annotated[Optional[str], typer.Option("--by", help="Learned by this moment, e.g. 2025-05-11T23:00+03:00")] = None,
                alternative: Annotated[Optional[str], typer.Option("--alternative", "-a", help="Named alternative inside the file")] = None,
                stochastic: Annotated[bool, typer.Option("--stochastic", help="Also paired stochastic runs with and without each element")] = False,
                runs: Annotated[int, typer.Option("--runs", "-n", min=1, help="Stochastic runs per side")] = 200,
                seed: Annotated[int, typer.Option("--seed", help="Seed; run i uses a seed derived from (seed, i) on both sides")] = 0,
                workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Local worker processes")] = 1,
                all_: Annotated[bool, typer.Option("--all", help="Also list the elements whose removal changes nothing")] = False,
                out: Annotated[Optional[Path], typer.Option("--out", help="Write explain.csv and explain.json here")] = None) -> None:
    """Remove each event, reaction, channel, tap and actor in turn: which were necessary for ACTOR learning FACT,
    which delay it, which are redundant."""
    from ..explain import explain, write_explanation
    from .alternatives import load

    scenario = load(file, alternative)
    x = explain(scenario, actor, fact, by, runs=runs if stochastic else 0, seed=seed, workers=workers)
    print_explanation(x, all_, file, alternative)
    if out is not None:
        for p in write_explanation(x, out):
            console().print(Text(f"wrote {p}"))
