"""Tables for the terminal, a pipe, a file or a program: one set of rows, three formats.

Every command that prints a table builds plain rows (ids, ISO 8601 times, lists) and a list of
:class:`Column` s saying how each row reads in the terminal; :func:`emit` then writes a rich table
(``--format table``), CSV or JSON, to stdout or to ``--out``. A table never cuts a cell: on a
terminal long cells fold onto more lines, anywhere else the table takes the width it needs.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .app import UNLIMITED_WIDTH

FORMATS = ("table", "csv", "json")
FormatOpt = Annotated[Optional[str], typer.Option(
    "--format", "-f", metavar="table|csv|json",
    help="Output format (default: table; with --out, from the file's suffix)")]


@dataclass(frozen=True)
class Column:
    """A column: ``key`` in the rows, ``header`` in a table, and how a table shows the value."""

    key: str
    header: str = ""
    show: Callable[[dict[str, Any]], str] | None = None  # table text; default: the value itself
    no_wrap: bool = False  # ids and times: kept on one line (a table may fold other columns)

    def text(self, row: dict[str, Any]) -> str:
        if self.show is not None:
            return self.show(row)
        return _cell(row.get(self.key))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}:{v}" for k, v in value.items())
    return str(value)


def resolve_format(fmt: str | None, out: Path | None) -> str:
    """The format asked for, else the one ``out``'s suffix names, else ``table``."""
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out is not None else ""
        return suffix if suffix in ("csv", "json") else "table"
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    return fmt


def table_text(rows: Sequence[dict[str, Any]], columns: Sequence[Column], title: str = "",
               terminal: bool = False, width: int | None = None) -> str:
    """The rows as a rich table; at a terminal of ``width`` columns long cells fold, elsewhere
    the table is as wide as its longest cells."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title or None, title_justify="left")
    for c in columns:
        t.add_column(c.header or c.key, no_wrap=c.no_wrap or not terminal, overflow="fold")
    for row in rows:
        t.add_row(*(Text(c.text(row)) for c in columns))
    if terminal:
        console = Console(file=io.StringIO(), width=width, force_terminal=False, highlight=False, emoji=False)
    else:
        natural = Console(file=io.StringIO(), width=UNLIMITED_WIDTH).measure(t).maximum
        console = Console(file=io.StringIO(), width=max(natural, len(title), 20), force_terminal=False,
                          highlight=False, emoji=False)
    console.print(t)
    text: str = console.file.getvalue()  # type: ignore[attr-defined]
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    """The rows as CSV with a header of column keys; lists are ``;``-separated."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.key for c in columns])
    for row in rows:
        w.writerow([_cell(row.get(c.key)) for c in columns])
    return buf.getvalue()


def json_text(data: Any) -> str:
    """JSON, indented, non-ASCII kept."""
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def rows_for_json(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> list[dict[str, Any]]:
    """The rows restricted to the columns' keys, values as they are (lists stay lists)."""
    return [{c.key: row.get(c.key) for c in columns} for row in rows]


def on_terminal() -> bool:
    """Whether stdout is a terminal (tables then fit its width)."""
    return sys.stdout.isatty()


def write_out(text: str, out: Path | None) -> None:
    """Write ``text`` to ``out`` atomically, or to stdout."""
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from ..fileio import atomic_write

    atomic_write(out, text)


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: str, title: str = "",
         out: Path | None = None, extra: dict[str, Any] | None = None) -> None:
    """Write the rows as a table, CSV or JSON (an object with ``rows`` and ``extra``'s keys when
    ``extra`` is given, else a list) to ``out`` or stdout."""
    if fmt == "csv":
        text = csv_text(rows, columns)
    elif fmt == "json":
        data: Any = rows_for_json(rows, columns)
        text = json_text({**(extra or {}), "rows": data} if extra is not None else data)
    else:
        import shutil

        terminal = out is None and on_terminal()
        text = table_text(rows, columns, title, terminal, shutil.get_terminal_size().columns if terminal else None)
    write_out(text, out)
