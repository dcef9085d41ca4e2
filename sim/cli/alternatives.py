"""What-if commands: write a variant file, compare two runs, sweep many stochastic runs."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.text import Text

from .app import app, console, report_errors
from .tables import Column, FormatOpt, csv_text, json_text, resolve_format, write_out

if TYPE_CHECKING:
    from ..errors import Problem
    from ..model import Scenario

SCHEMA = Path("docs") / "scenario.schema.json"
_UNKNOWN = re.compile(r"unknown (actor|fact|channel|source) '([^']+)'")


# -- loading with better messages ---------------------------------------------------------------
def _removals(path: Path, alternative: str | None = None) -> dict[str, tuple[str, int, int]]:
    """``KIND:ID`` → where it is removed, along the ``extends`` chain of ``path`` (and in ``alternative``)."""
    from ..errors import ScenarioError
    from ..loader import read_file
    from ..located import LMap, parse_yaml

    out: dict[str, tuple[str, int, int]] = {}
    seen: set[Path] = set()
    p: Path | None = path
    first = True
    while p is not None and p.resolve() not in seen:
        seen.add(p.resolve())
        try:
            data = parse_yaml(read_file(p), str(p))
        except ScenarioError:
            break
        if not isinstance(data, LMap):
            break
        changes = [data]
        if first and alternative:
            changes += [a for a in data.get("alternatives") or [] if isinstance(a, LMap) and a.get("id") == alternative]
        for ch in changes:
            rm = ch.get("remove")
            if isinstance(rm, list):
                for i, target in enumerate(rm):
                    out.setdefault(str(target), rm.where[i])
        first = False
        ext = data.get("extends")
        p = p.parent / ext if isinstance(ext, str) else None
    return out


def explain_removals(problems: list[Problem], path: Path, alternative: str | None = None) -> list[Problem]:
    """Add to each 'unknown X' problem the position of the removal that left the reference dangling."""
    from ..errors import Problem

    removed = _removals(path, alternative)
    if not removed:
        return problems
    out = []
    for p in problems:
        m = _UNKNOWN.search(p.message)
        where = removed.get(f"{m.group(1)}:{m.group(2)}") if m else None
        if where is not None:
            p = Problem(p.file, p.line, p.col, p.path,
                        f"{p.message}; {m.group(1)} {m.group(2)!r} is removed at {where[0]}:{where[1]}:{where[2]} "
                        f"— remove or change what uses it too")
        out.append(p)
    return out


def load(path: Path, alternative: str | None = None) -> Scenario:
    """Load a scenario or variant file; dangling references name the removal that caused them."""
    from ..errors import ScenarioError
    from ..loader import load_scenario
    from ..store import is_ref, open_scenario

    if is_ref(str(path)):  # saved:ID from the store
        return open_scenario(str(path), alternative)
    try:
        return load_scenario(path, alternative)
    except ScenarioError as e:
        raise ScenarioError(explain_removals(e.problems, path, alternative)) from None


# -- variant ------------------------------------------------------------------------------------
def _scalar(text: str, option: str) -> Any:
    """A --set value read as YAML (``12h`` stays text, ``0.5`` is a number, flow maps allowed)."""
    from ..errors import Problem, ScenarioError
    from ..located import parse_yaml

    try:
        value = parse_yaml(text, option)
    except ScenarioError as e:
        raise ScenarioError([Problem(option, 0, 0, "", f"cannot read value {text!r}: {p.message}")
                             for p in e.problems]) from None
    return _plain(value)


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _schema_ref(out: Path, base: Path) -> str:
    """Relative path from the output's folder to docs/scenario.schema.json of the nearest project."""
    from ..resources import schema_file

    for start in (out.resolve().parent, base.resolve().parent, Path.cwd().resolve()):
        for d in (start, *start.parents):
            if (d / SCHEMA).is_file():
                return Path(os.path.relpath(d / SCHEMA, out.resolve().parent)).as_posix()
    shipped = schema_file()
    return Path(os.path.relpath(shipped, out.resolve().parent)).as_posix() if shipped else ""


def _read_adds(files: list[Path]) -> tuple[dict[str, list[Any]], dict[str, list[tuple[str, int, int]]]]:
    """Sections to add, from files holding ``events: [...]``, ``rules: [...]`` (or ``add: {...}``),
    with the position of each entry."""
    from ..errors import Problem, ScenarioError
    from ..located import LMap, locate, parse_yaml
    from ..variants import SECTIONS

    adds: dict[str, list[Any]] = {}
    where: dict[str, list[tuple[str, int, int]]] = {}
    problems = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except OSError as e:
            raise ScenarioError([Problem(str(f), 0, 0, "", f"cannot read file: {e.strerror or e}")]) from None
        data = parse_yaml(text, str(f))
        if isinstance(data, LMap) and set(data) == {"add"} and isinstance(data["add"], LMap):
            data = data["add"]
        if not isinstance(data, LMap):
            problems.append(Problem(str(f), 1, 1, "", "expected a mapping like 'events: [...]' or 'rules: [...]'"))
            continue
        for section, items in data.items():
            _, line, col = locate(data, (section,))
            if section not in SECTIONS:
                problems.append(Problem(str(f), line, col, str(section),
                                        f"cannot add to {section!r}: use one of {', '.join(SECTIONS)}"))
            elif not isinstance(items, list):
                problems.append(Problem(str(f), line, col, str(section), "expected a list of entries"))
            else:
                adds.setdefault(section, []).extend(_plain(items))
                where.setdefault(section, []).extend(items.where)
    if problems:
        raise ScenarioError(problems)
    return adds, where


def _precheck(base: Path, removes: list[str], sets: dict[str, Any]) -> None:
    """Apply the changes to the base alone so that errors name the command-line option."""
    from ..errors import Problem, ScenarioError
    from ..loader import load_data
    from ..variants import ChangeError, remove, set_path

    data = load_data(base)
    problems = []
    for target in removes:
        try:
            data = remove(data, target, ("--remove", 0, 0), target)
        except ChangeError as e:
            problems.append(Problem("--remove", 0, 0, "", f"{target!r}: {e.message}"))
    for key, value in sets.items():
        try:
            data = set_path(data, key, value, ("--set", 0, 0), key)
        except ChangeError as e:
            problems.append(Problem("--set", 0, 0, "", f"{key!r}: {e.message}"))
    if problems:
        raise ScenarioError(problems)


def variant_text(base: Path, out: Path, removes: list[str], sets: dict[str, Any], adds: dict[str, list[Any]],
                 title: str = "", description: str = "") -> str:
    """The YAML text of a variant file at ``out`` that changes ``base``."""
    import yaml

    doc: dict[str, Any] = {"extends": Path(os.path.relpath(base.resolve(), out.resolve().parent)).as_posix()}
    if title:
        doc["title"] = title
    if description:
        doc["description"] = description
    if removes:
        doc["remove"] = list(removes)
    if sets:
        doc["set"] = dict(sets)
    if adds:
        doc["add"] = adds
    body = yaml.safe_dump(doc, default_flow_style=False, sort_keys=False, width=110, allow_unicode=True)
    ref = _schema_ref(out, base)
    return (f"# yaml-language-server: $schema={ref}\n" if ref else "") + body


def _origins(text: str, file: str, add_where: dict[str, list[tuple[str, int, int]]]) -> list[tuple[int, str, tuple[str, int, int] | None]]:
    """(line in the variant text, command-line option, position in an --add-file) for each change, by line."""
    from ..located import parse_yaml

    data = parse_yaml(text, file)
    marks: list[tuple[int, str, tuple[str, int, int] | None]] = [(1, "", None)]
    for key, label in (("extends", "BASE"), ("title", "--title"), ("description", "--description")):
        if key in data:
            marks.append((data.where[key][1], label, None))
    for i, target in enumerate(data.get("remove") or []):
        marks.append((data["remove"].where[i][1], f"--remove {target}", None))
    for key in data.get("set") or {}:
        marks.append((data["set"].where[key][1], f"--set {key}", None))
    for section, items in (data.get("add") or {}).items():
        for i, pos in enumerate(items.where):
            src = add_where.get(section, [])
            marks.append((pos[1], "--add-file", src[i] if i < len(src) else None))
    return sorted(marks, key=lambda m: m[0])


def write_variant(base: Path, out: Path, removes: list[str], sets: dict[str, Any], adds: dict[str, list[Any]],
                  title: str = "", description: str = "",
                  add_where: dict[str, list[tuple[str, int, int]]] | None = None) -> Scenario:
    """Write a variant file after checking that it loads; on any problem nothing is written.

    Problems inside the would-be file are reported against the option (``--set PATH``) or the
    ``--add-file`` entry they came from; problems in the base name the base file's lines.
    """
    from ..errors import Problem, ScenarioError

    _precheck(base, removes, sets)
    text = variant_text(base, out, removes, sets, adds, title, description)
    import tempfile

    from ..fileio import WriteError

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)  # never a planted link
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as e:
        raise WriteError(e.errno or 0, e.strerror or str(e), str(out)) from None
    tmp = Path(name)
    removed_by = re.compile(rf"is removed at {re.escape(str(tmp))}:\d+:\d+")
    try:
        scenario = load(tmp)
    except ScenarioError as e:
        tmp.unlink(missing_ok=True)
        marks = _origins(text, str(tmp), add_where or {})
        problems = []
        for p in e.problems:
            msg = removed_by.sub("is removed by --remove", p.message).replace(str(tmp), str(out))
            if p.file not in (str(tmp), str(tmp.resolve())):
                problems.append(Problem(p.file, p.line, p.col, p.path, msg))
                continue
            _, label, src = [m for m in marks if m[0] <= max(p.line, 1)][-1]
            if src is not None:
                problems.append(Problem(src[0], src[1], src[2], p.path, f"{msg} (in this added entry)"))
            else:
                problems.append(Problem(label or str(out), 0, 0, p.path, msg))
        raise ScenarioError(problems) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        os.chmod(tmp, 0o644)
        tmp.replace(out)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise WriteError(e.errno or 0, e.strerror or str(e), str(out)) from None
    return scenario


@app.command()
@report_errors
def variant(base: Annotated[Path, typer.Argument(help="Scenario (or variant) file to change")],
            out: Annotated[Path, typer.Option("--out", "-o", help="Variant file to write")],
            remove: Annotated[Optional[list[str]], typer.Option("--remove", help="KIND:ID to remove, e.g. channel:x or tap:CHANNEL/ACTOR")] = None,
            set_: Annotated[Optional[list[str]], typer.Option("--set", help="PATH=VALUE, e.g. channels.x.latency=12h")] = None,
            add_file: Annotated[Optional[list[Path]], typer.Option("--add-file", help="YAML with events: [...] / rules: [...] to add")] = None,
            title: Annotated[str, typer.Option("--title", help="Title of the variant")] = "",
            description: Annotated[str, typer.Option("--description", help="What the variant asks")] = "") -> None:
    """Write a variant file that extends BASE with removals, settings and additions; checked before writing."""
    from ..errors import Problem, ScenarioError

    sets: dict[str, Any] = {}
    bad = []
    for item in set_ or []:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            bad.append(Problem("--set", 0, 0, "", f"cannot read {item!r}: write PATH=VALUE, e.g. channels.x.latency=12h"))
            continue
        sets[key.strip()] = _scalar(value.strip(), "--set")
    if bad:
        raise ScenarioError(bad)
    adds, add_where = _read_adds(list(add_file or []))
    s = write_variant(base, out, list(remove or []), sets, adds, title, description, add_where)
    console().print(Text(f"wrote {out} ({s.meta.title}: {len(s.actors)} actors, {len(s.channels)} channels, "
                         f"{len(s.events)} events, {len(s.rules)} rules)"), soft_wrap=True)


# -- compare ------------------------------------------------------------------------------------
def _when(ts: float | None, tz: str, short: bool = False) -> str:
    if ts is None:
        return "—"
    from ..timeparse import to_local

    return to_local(ts, tz).strftime("%d %b %H:%M" if short else "%a %d %b %H:%M")


_STYLE = {"earlier": "green", "later": "red", "only_base": "magenta", "only_alt": "cyan", "same": "dim", "never": "dim"}


@app.command("compare")
@report_errors
def compare_cmd(base: Annotated[Path, typer.Argument(help="Base scenario (or variant) file, or saved:ID")],
                alt: Annotated[Path, typer.Argument(help="Alternative: a variant file or saved:ID, or the same file with "
                                                         "--alternative")],
                alternative_base: Annotated[Optional[str], typer.Option("--alternative-base", help="Named alternative of BASE")] = None,
                alternative: Annotated[Optional[str], typer.Option("--alternative", "-a", help="Named alternative of ALT")] = None,
                mode: Annotated[str, typer.Option("--mode", help="replay or stochastic")] = "replay",
                seed: Annotated[int, typer.Option("--seed", help="Seed for stochastic mode (both runs)")] = 0,
                fact: Annotated[Optional[list[str]], typer.Option("--fact", help="Only these facts")] = None,
                all_: Annotated[bool, typer.Option("--all", help="Also list unchanged pairs")] = False,
                out: Annotated[Optional[Path], typer.Option("--out", help="Write compare.csv and compare.json here")] = None,
                format_: FormatOpt = None) -> None:
    """Who learned what earlier or later in ALT than in BASE, and which events were skipped or added."""
    from rich.table import Table

    from .. import run
    from ..compare import compare, format_delta
    from ..limits import CLI_LIMITS

    if mode not in ("replay", "stochastic"):
        raise ValueError(f"unknown mode {mode!r}: use replay or stochastic")
    rb = run(load(base, alternative_base), mode=mode, seed=seed, label=alternative_base or "base",  # type: ignore[arg-type]
             limits=CLI_LIMITS)
    ra = run(load(alt, alternative), mode=mode, seed=seed, label=alternative or "alternative",  # type: ignore[arg-type]
             limits=CLI_LIMITS)
    cmp = compare(rb, ra)
    if fact:
        known = set(rb.facts) | set(ra.facts)
        for f in fact:
            if f not in known:
                from ..references import _suggest

                raise ValueError(f"unknown fact {f!r}{_suggest(f, known)}")
    fmt = resolve_format(format_, None)
    if fmt != "table":
        keep = [r for r in cmp.knowledge_rows() if (not fact or r["fact"] in fact)
                and (all_ or r["status"] not in ("same", "never"))]
        from ..compare import KNOWLEDGE_COLUMNS

        if fmt == "csv":
            write_out(csv_text(keep, [Column(k) for k in KNOWLEDGE_COLUMNS]), None)
        else:
            write_out(json_text({**cmp.to_dict(), "knowledge": keep}), None)
        if out is not None:
            for p in write_comparison(cmp, out):
                console(stderr=True).print(Text(f"wrote {p}"))
        return
    tz = cmp.timezone
    names = {a.id: a.name for a in rb.scenario.actors} | {a.id: a.name for a in ra.scenario.actors}
    c = console()
    c.print(Text.assemble((cmp.base_title, "bold"), "  vs  ", (cmp.alt_title, "bold"), f" — {mode} runs"),
            soft_wrap=True)
    t = Table(title=f"When each actor first knew each fact (times in {tz})")
    for col in ("fact", "actor", "base", "alternative", "difference", "status", "alternative via"):
        t.add_column(col)
    for k in cmp.knowledge:
        if fact and k.fact not in fact:
            continue
        if not all_ and k.status in ("same", "never"):
            continue
        style = _STYLE[k.status]
        t.add_row(Text(k.fact), Text(names.get(k.actor, k.actor)), _when(k.base, tz), _when(k.alt, tz),
                  format_delta(k.delta) if k.delta is not None else "", Text(k.status, style),
                  Text(" → ".join(k.alt_path)))
    counts = cmp.counts()
    if t.row_count:
        c.print(t)
    c.print(", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items() if n), soft_wrap=True)
    if cmp.events:
        et = Table(title="Events and rules that behaved differently")
        for col in ("id", "kind", "change", "base", "alternative", "what — why"):
            et.add_column(col)
        for e in cmp.events:
            et.add_row(Text(e.id), e.kind, e.change, _when(e.base_time, tz), _when(e.alt_time, tz),
                       Text(e.summary + (f" — {e.reason}" if e.reason else "")))
        c.print(et)
    else:
        c.print("Every scripted event and rule behaved the same.")
    if out is not None:
        for p in write_comparison(cmp, out):
            c.print(Text(f"wrote {p}"))


def write_comparison(cmp: Any, out: Path) -> list[Path]:
    """Write ``compare.csv`` (one row per actor and fact) and ``compare.json`` (everything)."""
    import csv
    import json

    from ..compare import KNOWLEDGE_COLUMNS

    from ..fileio import atomic_folder, atomic_open, atomic_write

    def write(tmp: Path) -> list[Path]:
        with atomic_open(tmp / "compare.csv", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=KNOWLEDGE_COLUMNS)
            w.writeheader()
            w.writerows(cmp.knowledge_rows())
        return [tmp / "compare.csv", atomic_write(tmp / "compare.json", json.dumps(cmp.to_dict(), indent=1,
                                                                                   ensure_ascii=False))]

    return atomic_folder(out, write)


# -- sweep --------------------------------------------------------------------------------------
@app.command("sweep")
@report_errors
def sweep_cmd(file: Annotated[Path, typer.Argument(help="Scenario or variant file")],
              runs: Annotated[int, typer.Option("--runs", "-n", min=1, help="Number of stochastic runs")] = 1000,
              seed: Annotated[int, typer.Option("--seed", help="Sweep seed; run i uses a seed derived from (seed, i)")] = 0,
              alternative: Annotated[Optional[str], typer.Option("--alternative", "-a", help="Named alternative inside the file")] = None,
              workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Local worker processes")] = 1,
              dask: Annotated[Optional[str], typer.Option("--dask", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")] = None,
              deadline: Annotated[Optional[str], typer.Option("--deadline", help="Moment for 'known by', e.g. 2025-05-08T12:00+03:00 (default: span end)")] = None,
              fact: Annotated[Optional[list[str]], typer.Option("--fact", help="Only show these facts")] = None,
              out: Annotated[Optional[Path], typer.Option("--out", help="Write summary.parquet and runs.parquet here")] = None,
              format_: FormatOpt = None) -> None:
    """Run FILE many times in stochastic mode: how likely each actor learned each fact, when, and via what."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.table import Table

    from ..compiled import compile_scenario
    from ..references import _suggest
    from ..sweep import sweep

    scenario = load(file, alternative)
    for f in fact or []:
        if f not in {x.id for x in scenario.facts}:
            raise ValueError(f"unknown fact {f!r}{_suggest(f, [x.id for x in scenario.facts])}")
    c = console()
    with Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("runs", total=runs)
        result = sweep(compile_scenario(scenario), runs, seed, workers=workers, dask=dask, deadline=deadline,
                       out=out, alternative=alternative or "",
                       progress=lambda done, total: bar.update(task, completed=done))
    tz = result.timezone
    fmt = resolve_format(format_, None)
    if fmt != "table":
        from ..timeparse import to_utc_iso

        keep = [dict(r, **{k: to_utc_iso(r[k]) if r[k] is not None else None for k in r if k in ("p10", "p50", "p90")})
                for r in result.rows() if not fact or r["fact"] in fact]
        if fmt == "json":
            write_out(json_text({"title": result.title, "runs": runs, "seed": seed, "rows": keep}), None)
        else:
            columns = [Column(k) for k in keep[0] if k != "first_sources"] if keep else []
            write_out(csv_text(keep, [*columns, Column("first_sources")]) if keep else "", None)
        return
    t = Table(title=Text(f"{result.title}: {runs} stochastic runs, seed {seed} (times in {tz}; "
                         f"deadline {_when(result.deadline, tz)})"))
    for col in ("fact", "actor", "knew", "by deadline", "p10", "median", "p90", "first via"):
        t.add_column(col, justify="right" if col in ("knew", "by deadline") else "left")
    never = 0
    for row in result.rows():
        if fact and row["fact"] not in fact:
            continue
        if row["p_known"] == 0:
            never += 1
            continue
        via = ", ".join(f"{s} {n / max(1, sum(row['first_sources'].values())):.0%}"
                        for s, n in list(row["first_sources"].items())[:2])
        t.add_row(Text(row["fact"]), Text(row["actor"]), f"{row['p_known']:.1%}", f"{row['p_by_deadline']:.1%}",
                  _when(row["p10"], tz, True), _when(row["p50"], tz, True), _when(row["p90"], tz, True), Text(via))
    c.print(t)
    if never:
        c.print(f"{never} actor–fact pair{'s' if never != 1 else ''} never known in any run.", soft_wrap=True)
    from ..timeparse import format_duration

    if result.exact:
        c.print("Quantiles are of the runs in which the actor learned the fact, exact.", soft_wrap=True)
    else:
        c.print(f"Quantiles are of the runs in which the actor learned the fact, to within "
                f"{format_duration(result.bin_seconds) if result.bin_seconds >= 1 else 'a second'} "
                f"(quantile sketches: the sweep was too large to keep every run's times).", soft_wrap=True)
    if out is not None:
        c.print(Text(f"wrote {out / 'summary.parquet'} and {out / 'runs.parquet'}"))
