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
FOLDED_MIN = 12  # a text column at a narrow terminal folds, but keeps at least this many characters
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
    """The rows as a rich table. At a terminal ``width`` columns wide, long cells fold onto more lines
    but ids and times (``no_wrap`` columns) stay whole, even if the table must then be wider than the
    terminal; elsewhere the table is as wide as its longest cells."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    cells = [[c.text(row) for c in columns] for row in rows]
    longest = [max([len(c.header or c.key), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    widths: list[int | None] = [None] * len(columns)
    if terminal:  # share the terminal: ids and times whole, text columns fold (never below FOLDED_MIN)
        room = (width or 80) - 1 - 3 * len(columns) - sum(n for n, c in zip(longest, columns) if c.no_wrap)
        text = [i for i, c in enumerate(columns) if not c.no_wrap]
        total = sum(longest[i] for i in text) or 1
        for i, c in enumerate(columns):
            if c.no_wrap:
                widths[i] = longest[i]
            else:
                least = min(longest[i], max(FOLDED_MIN, len(c.header or c.key)))
                widths[i] = max(least, min(longest[i], room * longest[i] // total))
    t = Table(title=title or None, title_justify="left")
    for c, w in zip(columns, widths):
        t.add_column(c.header or c.key, width=w, overflow="fold", no_wrap=not terminal)
    for r in cells:
        t.add_row(*(Text(x) for x in r))
    if terminal:
        size = max(width or 80, 1 + sum(3 + (w or 0) for w in widths))
    else:
        size = max(Console(file=io.StringIO(), width=UNLIMITED_WIDTH).measure(t).maximum, len(title), 20)
    console = Console(file=io.StringIO(), width=size, force_terminal=False, highlight=False, emoji=False)
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
