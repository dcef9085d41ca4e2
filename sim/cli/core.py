"""Core commands: validate, run, who-knew, timeline, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from rich.markup import escape

from ..limits import CLI_LIMITS
from .app import EXIT_BAD_INPUT, app, console, print_error, print_warning, report_errors
from .tables import Column, FormatOpt, csv_text, emit, json_text, on_terminal, resolve_format, rows_for_json, \
    table_text, write_out

if TYPE_CHECKING:
    from ..model import Scenario
    from ..result import RunResult

ScenarioArg = Annotated[Path, typer.Argument(metavar="FILE", help="Scenario or variant YAML file, or saved:ID from the store")]
OptScenarioArg = Annotated[Optional[Path], typer.Argument(metavar="[FILE]", help="Scenario or variant YAML file "
                                                          "(default: the documented scenario)")]
OutOpt = Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file instead of stdout")]
AltOpt = Annotated[Optional[str], typer.Option("--alternative", "-a", help="Named alternative inside the file")]
ModeOpt = Annotated[str, typer.Option("--mode", help="replay (point estimates) or stochastic (sampled)")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed for stochastic mode")]
MaxEventsOpt = Annotated[Optional[int], typer.Option("--max-events", min=1, help="Stop a run after this many events")]
MaxFiringsOpt = Annotated[Optional[int], typer.Option("--max-rule-firings", min=1, help="Stop a run after this many rule firings")]
MaxSecondsOpt = Annotated[Optional[float], typer.Option("--max-seconds", min=0.001, help="Stop a run after this many seconds")]


def _run(file: Path, alternative: str | None, mode: str, seed: int, max_events: int | None = CLI_LIMITS.max_events,
         max_rule_firings: int | None = CLI_LIMITS.max_rule_firings,
         max_seconds: float | None = CLI_LIMITS.max_seconds) -> RunResult:
    from .. import run
    from ..limits import RunLimits
    from ..store import open_scenario

    if mode not in ("replay", "stochastic"):
        raise ValueError(f"unknown mode {mode!r}: use replay or stochastic")
    return run(open_scenario(file, alternative), mode=mode, seed=seed, label=alternative or "",  # type: ignore[arg-type]
               limits=RunLimits(max_events, max_rule_firings, max_seconds))


def _local(ts: float, tz: str) -> str:
    from ..timeparse import to_local

    return to_local(ts, tz).strftime("%a %d %b %Y %H:%M %Z")


def _iso(ts: float, tz: str) -> str:
    from ..timeparse import to_local

    return to_local(ts, tz).isoformat(timespec="seconds")


def _scenario_file(file: Path | None) -> Path:
    """FILE, or the documented scenario when none is given."""
    if file is not None:
        return file
    from ..resources import default_scenario_file

    default = default_scenario_file()
    if default is None:
        raise OSError(2, "no scenario file given and the documented scenario is not installed", "FILE")
    return default


SKIP_PREVIEW = 5  # skipped events listed by ``run`` unless --all-skips


@app.command()
@report_errors
def validate(files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Scenario or variant files")],
             alternative: AltOpt = None,
             strict: Annotated[bool, typer.Option("--strict", help="Exit 2 on warnings too")] = False) -> None:
    """Check scenario files (and each named alternative); print every problem as FILE:LINE:COL, then
    warnings about parts that can never take part in a run."""
    from .. import validate_files
    from ..lint import lint_file

    results = validate_files(list(files), alternative)
    out, err = console(), console(stderr=True)
    bad = warned = 0
    for name, problems in results.items():
        if problems:
            bad += 1
            for p in problems:
                print_error(p)
            continue
        warnings = lint_file(Path(name), alternative)
        for w in warnings:
            print_warning(w)
        warned += bool(warnings)
        suffix = f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else ""
        out.print(f"[green]ok[/green] {name}{suffix}", soft_wrap=True)
    if bad:
        err.print(f"{bad} of {len(results)} file{'s' if len(results) != 1 else ''} with problems", soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if strict and warned:
        err.print(f"{warned} file{'s' if warned != 1 else ''} with warnings (--strict)", soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command("run")
@report_errors
def run_cmd(file: OptScenarioArg = None, alternative: AltOpt = None, mode: ModeOpt = "replay", seed: SeedOpt = 0,
            out: Annotated[Optional[Path], typer.Option("--out", help="Write events.csv, knowledge.csv, run.json here")] = None,
            format_: FormatOpt = None,
            all_skips: Annotated[bool, typer.Option("--all-skips", help="List every skipped event, not the first "
                                                                        f"{SKIP_PREVIEW}")] = False,
            max_events: MaxEventsOpt = CLI_LIMITS.max_events, max_rule_firings: MaxFiringsOpt = CLI_LIMITS.max_rule_firings,
            max_seconds: MaxSecondsOpt = CLI_LIMITS.max_seconds) -> None:
    """Replay a scenario (default: the documented one); summarise who learned each fact first and last,
    and what was skipped."""
    from .. import write_run
    from ..certainty import describe_knowledge_when, describe_record_when

    fmt = resolve_format(format_, None)
    result = _run(_scenario_file(file), alternative, mode, seed, max_events, max_rule_firings, max_seconds)
    s = result.scenario
    tz = s.meta.timezone
    names = {a.id: a.name for a in s.actors}
    rows = []
    for f in s.facts:
        ks = result.knowers(f.id)
        rows.append({"fact": f.id, "first": ks[0].actor if ks else None, "first_at": _iso(ks[0].time, tz) if ks else None,
                     "last": ks[-1].actor if ks else None, "last_at": _iso(ks[-1].time, tz) if ks else None,
                     "knowers": len(ks), "actors": len(s.actors)})
    columns = [Column("fact", no_wrap=True),
               Column("first", show=lambda r: names[r["first"]] if r["first"] else "nobody"),
               Column("first_at", "when", show=lambda r: _knew_when(result, r["first"], r["fact"], tz), no_wrap=True),
               Column("last", show=lambda r: names[r["last"]] if r["last"] else ""),
               Column("last_at", "when", show=lambda r: _knew_when(result, r["last"], r["fact"], tz), no_wrap=True),
               Column("knowers", show=lambda r: f"{r['knowers']}/{r['actors']}"), Column("actors", "of")]
    skipped = result.skipped()
    shown = skipped if all_skips else skipped[:SKIP_PREVIEW]
    summaries = _summaries(s)
    skip_rows = [{"time": _iso(e.time, tz), "event": e.cause, "summary": summaries.get(e.cause, e.cause),
                  "reason": e.reason, "record": e.id} for e in shown]
    skip_columns = [Column("time", "when", show=lambda r: describe_record_when(result, r["record"], tz), no_wrap=True),
                    Column("event", no_wrap=True), Column("summary", "what"), Column("reason")]
    if fmt == "json":
        write_out(json_text({"title": s.meta.title, "mode": mode, "seed": seed, "timezone": tz,
                             "facts": rows_for_json(rows, columns), "skipped_count": len(skipped),
                             "skipped": rows_for_json(skip_rows, skip_columns)}), None)
    elif fmt == "csv":
        write_out(csv_text(rows, columns), None)
    else:
        c = console()
        c.print(f"[bold]{escape(s.meta.title)}[/bold] — {mode} run" + (f", seed {seed}" if mode == "stochastic" else ""),
                soft_wrap=True)
        emit(rows, [col for col in columns if col.key != "actors"], "table",
             f"Who learned each fact first and last (times in {tz})")
        if skipped:
            more = len(skipped) - len(shown)
            emit(skip_rows, skip_columns, "table",
                 f"Skipped events: {len(skipped)}" + (f", the first {len(shown)} shown" if more else ""))
            if more:
                c.print(f"… and {more} more skipped event{'s' if more != 1 else ''}: --all-skips lists them all "
                        f"(or --out DIR writes them to events.csv).", soft_wrap=True)
        else:
            c.print("No event was skipped.")
    if out is not None:
        err = console(stderr=True) if fmt != "table" else console()
        for p in write_run(result, out):
            err.print(f"wrote {p}", soft_wrap=True, markup=False)


def _knew_when(result: RunResult, actor: str | None, fact: str, tz: str) -> str:
    """When ``actor`` first knew ``fact``, in words with its bounds and basis (empty for nobody)."""
    from ..certainty import describe_knowledge_when

    return describe_knowledge_when(result, actor, fact, tz) if actor else ""


def _certainty_row(result: RunResult, actor: str, fact: str, tz: str) -> dict[str, Any]:
    """``basis``, ``earliest`` and ``latest`` of ``actor``'s knowledge of ``fact``, for CSV and JSON rows."""
    c = result.knowledge_certainty(actor, fact)
    if c is None:
        return {"basis": None, "earliest": None, "latest": None}
    return {"basis": c.basis, "earliest": _iso(c.earliest, tz), "latest": _iso(c.latest, tz)}


def _shown(iso: str | None, tz: str) -> str:
    """A table's reading of a row's ISO time: ``Sun 11 May 2025 22:00 +03``."""
    if not iso:
        return ""
    from datetime import datetime

    return _local(datetime.fromisoformat(iso).timestamp(), tz)


def _summaries(s: Scenario) -> dict[str, str]:
    return {e.id: e.summary for e in s.events} | {r.id: r.summary for r in s.rules}


@app.command("who-knew")
@report_errors
def who_knew(file: ScenarioArg, fact: Annotated[str, typer.Argument(metavar="FACT", help="Fact id")],
             at: Annotated[Optional[str], typer.Option("--at", help="Time with offset or zone, e.g. 2025-05-11T23:00+03:00")] = None,
             alternative: AltOpt = None, mode: ModeOpt = "replay", seed: SeedOpt = 0,
             format_: FormatOpt = None, out: OutOpt = None,
             max_events: MaxEventsOpt = CLI_LIMITS.max_events, max_rule_firings: MaxFiringsOpt = CLI_LIMITS.max_rule_firings,
             max_seconds: MaxSecondsOpt = CLI_LIMITS.max_seconds) -> None:
    """Who knew FACT at a moment, since when, and how (the provenance chain)."""
    fmt = resolve_format(format_, out)
    from ..certainty import describe_knowledge_when

    result = _run(file, alternative, mode, seed, max_events, max_rule_firings, max_seconds)
    s = result.scenario
    tz = s.meta.timezone
    ks = result.knowers(fact, at)
    names = {a.id: a.name for a in s.actors}
    when = f" at {at}" if at else " by the end of the run"
    rows = [{"actor": k.actor, "since": _iso(k.time, tz), "how": k.how, "from": k.from_actor, "channel": k.channel,
             "medium": k.medium, "chain": result.path(k.actor, fact), **_certainty_row(result, k.actor, k.fact, tz)}
            for k in ks]
    columns = [Column("actor", show=lambda r: names[r["actor"]]),
               Column("since", show=lambda r: describe_knowledge_when(result, r["actor"], fact, tz), no_wrap=True), Column("how"),
               Column("from", show=lambda r: names.get(r["from"] or "", "")), Column("channel", no_wrap=True),
               Column("medium"), Column("chain", show=lambda r: " → ".join(names[a] for a in r["chain"])),
               Column("basis"), Column("earliest"), Column("latest")]
    unaware = [a for a in result.compiled.actors if a not in {k.actor for k in ks}]
    if fmt == "table":
        text = table_text(rows, [c for c in columns if c.key not in ("medium", "basis", "earliest", "latest")], f"Who knew {fact}{when} (times in {tz})",
                          out is None and on_terminal(), _width())
        if unaware:
            text += f"Did not know{when}: " + ", ".join(names[a] for a in unaware) + "\n"
        write_out(text, out)
    elif fmt == "json":
        write_out(json_text({"fact": fact, "at": at, "timezone": tz, "knew": rows_for_json(rows, columns),
                             "did_not_know": unaware}), out)
    else:
        emit(rows, columns, fmt, out=out)
    if out is not None:
        console(stderr=True).print(f"wrote {out}", soft_wrap=True, markup=False)


def _width() -> int | None:
    import shutil

    return shutil.get_terminal_size().columns if on_terminal() else None


@app.command()
@report_errors
def timeline(file: ScenarioArg, alternative: AltOpt = None, mode: ModeOpt = "replay", seed: SeedOpt = 0,
             tz: Annotated[Optional[str], typer.Option("--tz", help="Display zone (default: the scenario's)")] = None,
             format_: FormatOpt = None, out: OutOpt = None,
             max_events: MaxEventsOpt = CLI_LIMITS.max_events, max_rule_firings: MaxFiringsOpt = CLI_LIMITS.max_rule_firings,
             max_seconds: MaxSecondsOpt = CLI_LIMITS.max_seconds) -> None:
    """The sequence as a table in local time: what was sent, delivered, intercepted or skipped."""
    from ..certainty import describe_record_when

    from ..timeparse import zone

    fmt = resolve_format(format_, out)
    result = _run(file, alternative, mode, seed, max_events, max_rule_firings, max_seconds)
    s = result.scenario
    zone_name = tz or s.meta.timezone
    zone(zone_name)
    summaries = _summaries(s)
    names = {a.id: a.name for a in s.actors}
    rows = []
    for e in result.events:
        if e.kind == "send":
            continue  # the delivery rows show the same message with its arrival time
        to = list(e.recipients)
        c = result.record_certainty(e.id)
        rows.append({"time": _iso(e.time, zone_name), "record": e.id, "basis": c.basis,
                     "earliest": _iso(c.earliest, zone_name), "latest": _iso(c.latest, zone_name), "kind": e.kind, "actor": e.actor, "to": to,
                     "sender": result.sender(e) if e.kind == "intercept" else None,
                     "channel": e.channel, "medium": e.medium, "facts": list(e.facts), "cause": e.cause,
                     "summary": summaries.get(e.cause, e.cause), "reason": e.reason})

    def what(r: dict[str, Any]) -> str:
        if r["kind"] == "skip":
            return f"skipped: {r['summary']} — {r['reason']}"
        if r["kind"] == "intercept":
            sender = names.get(r["sender"] or "", "the sender")
            return (f"intercepted {sender}'s message to {', '.join(names.get(x, x) for x in r['to'])}: "
                    f"{r['summary']}")
        return r["summary"]

    columns = [Column("time", show=lambda r: describe_record_when(result, r["record"], zone_name), no_wrap=True), Column("kind"),
               Column("actor", "who", show=lambda r: names.get(r["actor"], r["actor"])),
               Column("to", show=lambda r: "" if r["kind"] == "intercept" else ", ".join(names.get(x, x) for x in r["to"])),
               Column("sender"), Column("channel"), Column("medium"), Column("facts"), Column("cause"),
               Column("summary", "what", show=what), Column("reason"), Column("basis"), Column("earliest"),
               Column("latest")]
    table_columns = [c for c in columns if c.key not in ("sender", "channel", "cause", "reason", "basis", "earliest",
                                                         "latest")]
    emit(rows, table_columns if fmt == "table" else columns, fmt, f"{s.meta.title} (times in {zone_name})", out)
    if out is not None:
        console(stderr=True).print(f"wrote {out}", soft_wrap=True, markup=False)


@app.command()
@report_errors
def schema(out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file instead of stdout")] = None,
           reference: Annotated[bool, typer.Option("--reference", help="The format reference in Markdown instead "
                                                   "(docs/format-reference.md)")] = False) -> None:
    """Print the scenario format's JSON Schema (for editor completion and linting), or its reference."""
    from ..schema import scenario_schema

    if reference:
        from ..formatref import format_reference

        text = format_reference()
    else:
        text = json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        from ..fileio import atomic_write

        atomic_write(out, text)
