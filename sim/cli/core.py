"""Core commands: validate, run, who-knew, timeline, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from .app import EXIT_BAD_INPUT, app, console, print_error, report_errors

if TYPE_CHECKING:
    from ..result import RunResult

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario or variant YAML file")]
AltOpt = Annotated[Optional[str], typer.Option("--alternative", "-a", help="Named alternative inside the file")]
ModeOpt = Annotated[str, typer.Option("--mode", help="replay (point estimates) or stochastic (sampled)")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed for stochastic mode")]


def _run(file: Path, alternative: str | None, mode: str, seed: int) -> RunResult:
    from .. import load_scenario, run

    if mode not in ("replay", "stochastic"):
        raise ValueError(f"unknown mode {mode!r}: use replay or stochastic")
    return run(load_scenario(file, alternative), mode=mode, seed=seed, label=alternative or "")  # type: ignore[arg-type]


def _local(ts: float, tz: str) -> str:
    from ..timeparse import to_local

    return to_local(ts, tz).strftime("%a %d %b %Y %H:%M %Z")


@app.command()
@report_errors
def validate(files: Annotated[list[Path], typer.Argument(help="Scenario or variant files")]) -> None:
    """Check scenario files (and each named alternative); print every problem as FILE:LINE:COL."""
    from .. import validate_files

    results = validate_files(list(files))
    out, err = console(), console(stderr=True)
    bad = 0
    for name, problems in results.items():
        if problems:
            bad += 1
            for p in problems:
                print_error(p)
        else:
            out.print(f"[green]ok[/green] {name}", soft_wrap=True)
    if bad:
        err.print(f"{bad} of {len(results)} file{'s' if len(results) != 1 else ''} with problems", soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command("run")
@report_errors
def run_cmd(file: ScenarioArg, alternative: AltOpt = None, mode: ModeOpt = "replay", seed: SeedOpt = 0,
            out: Annotated[Optional[Path], typer.Option("--out", help="Write events.csv, knowledge.csv, run.json here")] = None) -> None:
    """Replay a scenario; summarise who learned each fact first and last, and what was skipped."""
    from rich.table import Table

    from .. import write_run
    from ..certainty import describe_knowledge_when, describe_record_when

    result = _run(file, alternative, mode, seed)
    s = result.scenario
    tz = s.meta.timezone
    c = console()
    c.print(f"[bold]{s.meta.title}[/bold] — {mode} run" + (f", seed {seed}" if mode == "stochastic" else ""))
    t = Table(title=f"Who learned each fact first and last (times in {tz})", show_lines=False)
    for col in ("fact", "first", "when", "last", "when", "knowers"):
        t.add_column(col)
    names = {a.id: a.name for a in s.actors}
    for f in s.facts:
        ks = result.knowers(f.id)
        if ks:
            t.add_row(f.id, names[ks[0].actor], describe_knowledge_when(result, ks[0].actor, f.id, tz),
                      names[ks[-1].actor], describe_knowledge_when(result, ks[-1].actor, f.id, tz),
                      f"{len(ks)}/{len(s.actors)}")
        else:
            t.add_row(f.id, "[dim]nobody[/dim]", "", "", "", f"0/{len(s.actors)}")
    c.print(t)
    skipped = result.skipped()
    if skipped:
        st = Table(title="Skipped events")
        for col in ("when", "event", "reason"):
            st.add_column(col)
        for e in skipped:
            st.add_row(describe_record_when(result, e.id, tz), e.cause, e.reason)
        c.print(st)
    else:
        c.print("No event was skipped.")
    if out is not None:
        for p in write_run(result, out):
            c.print(f"wrote {p}")


@app.command("who-knew")
@report_errors
def who_knew(file: ScenarioArg, fact: Annotated[str, typer.Argument(help="Fact id")],
             at: Annotated[Optional[str], typer.Option("--at", help="Time with offset or zone, e.g. 2025-05-11T23:00+03:00")] = None,
             alternative: AltOpt = None, mode: ModeOpt = "replay", seed: SeedOpt = 0) -> None:
    """Who knew FACT at a moment, since when, and how (the provenance chain)."""
    from rich.table import Table

    from ..certainty import describe_knowledge_when

    result = _run(file, alternative, mode, seed)
    s = result.scenario
    tz = s.meta.timezone
    ks = result.knowers(fact, at)
    names = {a.id: a.name for a in s.actors}
    when = f" at {at}" if at else " by the end of the run"
    t = Table(title=f"Who knew {fact}{when} (times in {tz})")
    t.add_column("actor")
    t.add_column("since")
    for col in ("how", "from", "channel", "chain"):
        t.add_column(col)
    for k in ks:
        t.add_row(names[k.actor], describe_knowledge_when(result, k.actor, fact, tz), k.how, names.get(k.from_actor or "", ""), k.channel or "",
                  " → ".join(result.path(k.actor, fact)))
    c = console()
    c.print(t)
    unaware = [names[a] for a in result.compiled.actors if a not in {k.actor for k in ks}]
    if unaware:
        c.print(f"Did not know{when}: " + ", ".join(unaware), soft_wrap=True)


@app.command()
@report_errors
def timeline(file: ScenarioArg, alternative: AltOpt = None, mode: ModeOpt = "replay", seed: SeedOpt = 0,
             tz: Annotated[Optional[str], typer.Option("--tz", help="Display zone (default: the scenario's)")] = None) -> None:
    """The sequence as a table in local time: what was sent, delivered, intercepted or skipped."""
    from rich.table import Table

    from ..certainty import describe_record_when
    from ..timeparse import zone

    result = _run(file, alternative, mode, seed)
    s = result.scenario
    zone_name = tz or s.meta.timezone
    zone(zone_name)
    summaries = {e.id: e.summary for e in s.events} | {r.id: r.summary for r in s.rules}
    names = {a.id: a.name for a in s.actors}
    t = Table(title=f"{s.meta.title} (times in {zone_name})")
    t.add_column("time")
    for col in ("kind", "who", "to", "medium", "facts", "what"):
        t.add_column(col)
    for e in result.events:
        if e.kind == "send":
            continue  # the delivery rows show the same message with its arrival time
        what = summaries.get(e.cause, e.cause)
        if e.kind == "skip":
            what = f"[dim]skipped: {what} — {e.reason}[/dim]"
        to = ", ".join(names.get(x, x) for x in (e.to or "").split(";") if x)
        t.add_row(describe_record_when(result, e.id, zone_name), e.kind, names.get(e.actor, e.actor), to, e.medium or "",
                  ", ".join(e.facts), what)
    console().print(t)


@app.command()
def schema(out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file instead of stdout")] = None) -> None:
    """Print the scenario format's JSON Schema (for editor completion and linting)."""
    from ..schema import scenario_schema

    text = json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
