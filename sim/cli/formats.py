"""The ``import`` command: a TimelineJS-style spreadsheet export becomes a scenario skeleton."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import app, console, print_warning, report_errors


@app.command("import")
@report_errors
def import_cmd(file: Annotated[Path, typer.Argument(metavar="FILE.csv", help="Spreadsheet exported as CSV: "
                                                    "TimelineJS's columns plus Sender, Recipients and Channel")],
               out: Annotated[Path, typer.Option("--out", "-o", help="Scenario file to write")],
               timezone: Annotated[str, typer.Option("--timezone", "--tz", help="Zone the spreadsheet's times are "
                                                     "in (an IANA name)")] = "UTC",
               title: Annotated[str, typer.Option("--title", help="Scenario title (default: the title row, "
                                                  "else the file name)")] = "") -> None:
    """Make a scenario skeleton from a spreadsheet of events; partial dates become time windows, and
    everything the spreadsheet does not say is listed."""
    from ..errors import Problem, ScenarioError
    from ..fileio import atomic_write
    from ..interchange import import_timeline_csv, scenario_yaml
    from ..loader import load_text
    from .alternatives import _schema_ref

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError([Problem(str(file), 0, 0, "", f"cannot read file: {getattr(e, 'strerror', None) or e}")]) from None
    imported = import_timeline_csv(text, str(file), timezone, title)
    yaml_text = scenario_yaml(imported.scenario, _schema_ref(out, file))
    load_text(yaml_text, str(out))  # the skeleton must load as it is written
    for note in imported.unmapped:
        print_warning(note)
    atomic_write(out, yaml_text)
    s = imported.scenario

    def count(n: int, what: str) -> str:
        return f"{n} {what}{'s' if n != 1 else ''}"

    console().print(f"wrote {out} ({count(len(s['events']), 'event')}, {count(len(s['actors']), 'actor')}, "
                    f"{count(len(s['channels']), 'channel')}, {count(len(s['sources']), 'source')}); "
                    f"{count(len(imported.unmapped), 'note')} on what to check", soft_wrap=True, markup=False)
