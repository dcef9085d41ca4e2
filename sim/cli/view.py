"""Dashboard commands: ``serve`` (the Dash app) and ``export`` (one self-contained HTML view)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import app, console, report_errors


def _configure(file: Path | None) -> None:
    """Point the dashboard at FILE's scenario folder (or keep the default folder) and make FILE the default."""
    from dashboard import data

    if file is None:
        return
    if not file.is_file():
        raise OSError(2, "no such scenario file", str(file))
    default_dir = data.scenarios_dir()
    name = data.name_for(file, default_dir)
    if name is None:
        os.environ[data.ENV_DIR] = str(file.resolve().parent)
        name = data.name_for(file, file.resolve().parent)
    os.environ[data.ENV_DEFAULT] = name or data.DEFAULT_SCENARIO


@app.command()
@report_errors
def serve(file: Annotated[Optional[Path], typer.Argument(help="Scenario file to open first (default: the "
                                                                "documented scenario in scenarios/)")] = None,
          host: Annotated[str, typer.Option("--host", help="Interface to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option("--port", help="Port to listen on")] = 8050) -> None:
    """Start the dashboard: network, timeline, knowledge matrix and event log, with shareable links."""
    _configure(file)
    from dashboard import data
    from dashboard.app import create_app

    console().print(f"Scenarios from {data.scenarios_dir()}; open http://{host}:{port}/", soft_wrap=True)
    create_app().run(host=host, port=port, debug=False)


@app.command()
@report_errors
def export(file: Annotated[Path, typer.Argument(help="Scenario or variant YAML file")],
           out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write")],
           alternative: Annotated[Optional[str], typer.Option("--alternative", "-a",
                                                              help="Named alternative inside the file")] = None,
           fact: Annotated[Optional[str], typer.Option("--fact", help="Fact to follow (default: the most widely known)")] = None,
           mode: Annotated[str, typer.Option("--mode", help="event (a step per event) or calendar (even time steps)")] = "event",
           actor: Annotated[Optional[str], typer.Option("--actor", help="Actor in focus")] = None,
           at: Annotated[Optional[str], typer.Option("--at", help="The moment the file opens at, with offset or zone, "
                                                                  "e.g. 2025-05-11T22:30+03:00 (default: the "
                                                                  "scenario's opening moment)")] = None) -> None:
    """Write one self-contained HTML file (works offline) with the animated network, timeline and a slider."""
    from .. import load_scenario, run
    from ..timeparse import as_timestamp
    from dashboard.figures.export import export_html

    if mode not in ("event", "calendar"):
        raise ValueError(f"unknown mode {mode!r}: use event or calendar")
    result = run(load_scenario(file, alternative), label=alternative or "")
    if fact is not None:
        result.knowers(fact)  # checks the id, suggesting a close one
    if actor is not None:
        result.beliefs_about(actor)
    try:
        t = as_timestamp(at) if at is not None else None
    except ValueError as e:
        raise ValueError(f"--at: {e}") from None
    html = export_html(result, fact, mode, actor, t)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    console().print(f"wrote {out} ({len(html.encode()) // 1024} KiB)")
