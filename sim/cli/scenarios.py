"""``backchannel scenarios``: the scenarios saved from the dashboard's editor (list, show, export, import)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import app, console, report_errors

scenarios = typer.Typer(help="Scenarios saved in the store that the dashboard's editor writes to "
                             "(use them anywhere a file is expected as saved:ID).", no_args_is_help=True)
app.add_typer(scenarios, name="scenarios")

StoreOpt = Annotated[Optional[Path], typer.Option("--store", help="The store's SQLite file (default: "
                                                                  "$BACKCHANNEL_STORE, else the user's data directory)")]
IdArg = Annotated[str, typer.Argument(help="saved:ID or ID, as `backchannel scenarios list` shows it")]


def _store(path: Path | None):
    from ..store import Store

    return Store(path)


def _get(store, ref: str):
    from ..store import not_found

    row = store.get(ref)
    if row is None:
        raise not_found(ref, store)
    return row


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@scenarios.command("list")
@report_errors
def list_cmd(store: StoreOpt = None,
             limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most this many")] = 100) -> None:
    """The saved scenarios, newest first: id, title, what each was started from, when it was saved."""
    from rich.table import Table
    from rich.text import Text

    from ..store import ID_LENGTH, PREFIX

    s = _store(store)
    rows = s.list("saved", limit)
    if not rows:
        console().print(f"No saved scenario in {s.path}.", soft_wrap=True, markup=False)
        return
    t = Table(title=f"Saved scenarios in {s.path}")
    t.add_column("id", no_wrap=True, min_width=len(PREFIX) + ID_LENGTH)
    for col in ("title", "started from"):
        t.add_column(col, overflow="fold")
    t.add_column("saved", no_wrap=True)
    for r in rows:
        t.add_row(r.ref, Text(r.title), Text(r.parent or ""), _when(r.created))
    console().print(t)


@scenarios.command("show")
@report_errors
def show_cmd(ref: IdArg, store: StoreOpt = None) -> None:
    """Print a saved scenario's text (its title, origin and time on stderr)."""
    row = _get(_store(store), ref)
    err = console(stderr=True)
    err.print(f"{row.ref}: {row.title} (started from {row.parent or 'nothing'}, saved {_when(row.created)})",
              soft_wrap=True, markup=False)
    typer.echo(row.text, nl=False)


@scenarios.command("export")
@report_errors
def export_cmd(ref: IdArg, out: Annotated[Path, typer.Option("--out", "-o", help="YAML file to write")],
               store: StoreOpt = None) -> None:
    """Write a saved scenario's text to a file."""
    row = _get(_store(store), ref)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(row.text, encoding="utf-8")
    tmp.replace(out)
    console().print(f"wrote {out}", soft_wrap=True, markup=False)


@scenarios.command("import")
@report_errors
def import_cmd(file: Annotated[Path, typer.Argument(help="Scenario or variant YAML file; a variant must extend a "
                                                         "scenario in the scenario folder or saved:ID")],
               title: Annotated[Optional[str], typer.Option("--title", help="Title (default: the scenario's)")] = None,
               store: StoreOpt = None) -> None:
    """Check a file and save it in the store; print its id and the dashboard link."""
    from ..loader import load_text
    from ..store import default_root

    s = _store(store)
    text = file.read_text(encoding="utf-8")
    scenario = load_text(text, str(file), root=default_root(), open_base=s.opener())
    base = re.search(r"^extends:\s*['\"]?([^'\"\s#]+)", text, re.MULTILINE)  # a variant's base is its parent
    row = s.put(text, title or scenario.meta.title, base.group(1).removesuffix(".yaml") if base else None)
    c = console()
    c.print(f"saved {row.ref}: {row.title}", soft_wrap=True, markup=False)
    c.print(f"open it in the dashboard at /s/{row.id}; use it as a file: saved:{row.id}", soft_wrap=True, markup=False)
