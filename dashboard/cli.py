"""Dashboard commands: ``serve`` (the Dash app) and ``export`` (one self-contained HTML view, or the
run in a format other tools read), and the ``backchannel`` entry point.

They live here, not in :mod:`sim.cli`, so that the library never imports the dashboard: this module
adds its commands to the library's command line (:data:`sim.cli.app`) and :func:`main` runs the
whole. Dash and Plotly are imported inside the commands, so ``backchannel --help`` stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from sim.cli import app
from sim.cli.app import EXIT_BAD_INPUT, console, print_error, report_errors

EXPORT_FORMATS = ("html", "timelinejs", "gexf", "graphml")


def _configure(file: Path | None, alternative: str | None = None) -> None:
    """Point the dashboard at FILE's scenario folder (or keep the default folder) and make FILE (and
    ALTERNATIVE inside it) what a link that names no scenario opens."""
    from dashboard import data

    if file is not None:
        if not file.is_file():
            raise OSError(2, "no such scenario file", str(file))
        default_dir = data.scenarios_dir()
        name = data.name_for(file, default_dir)
        if name is None:
            os.environ[data.ENV_DIR] = str(file.resolve().parent)
            name = data.name_for(file, file.resolve().parent)
        os.environ[data.ENV_DEFAULT] = name or data.DEFAULT_SCENARIO
    if alternative:
        os.environ[data.ENV_DEFAULT_ALT] = alternative


@app.command()
@report_errors
def serve(file: Annotated[Optional[Path], typer.Argument(metavar="[FILE]", help="Scenario file to open first "
                                                         "(default: the documented scenario)")] = None,
          alternative: Annotated[Optional[str], typer.Option("--alternative", "-a",
                                                             help="Named alternative inside FILE to open first")] = None,
          host: Annotated[str, typer.Option("--host", help="Interface to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option("--port", help="Port to listen on")] = 8050,
          workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Worker processes (gunicorn)")] = 1,
          threads: Annotated[int, typer.Option("--threads", min=1, help="Threads per worker")] = 4,
          debug: Annotated[bool, typer.Option("--debug", help="Dash's development server with its debugger "
                                                             "(never on a network)")] = False,
          store: Annotated[Optional[Path], typer.Option("--store", help="SQLite file of the scenarios saved from the "
                                                                        "editor (default: $BACKCHANNEL_STORE, else "
                                                                        "the user's data directory)")] = None) -> None:
    """Start the dashboard: network, timeline, knowledge matrix and event log, with shareable links."""
    if store is not None:
        os.environ["BACKCHANNEL_STORE"] = str(store.resolve())
    from dashboard import data

    from sim import load_scenario

    _configure(file, alternative)
    folder = data.scenarios_dir()
    if not data.list_scenarios(folder):
        what = "holds no scenario file" if folder.is_dir() else "does not exist"
        print_error(f"no scenario folder: {folder} {what}; give a scenario file (backchannel serve FILE) "
                    f"or set {data.ENV_DIR} to a folder of scenarios")
        raise typer.Exit(EXIT_BAD_INPUT)
    if alternative:
        path = data.resolve(data.default_scenario(), folder)
        if path is None:
            raise ValueError(f"no scenario {data.default_scenario()!r} in {folder} to open alternative "
                             f"{alternative!r} of: give the file (backchannel serve FILE --alternative ID)")
        load_scenario(path, alternative)  # an unknown alternative is an input error, with suggestions
    from dashboard.serving import serve as serve_dashboard

    console().print(f"Scenarios from {folder}; open http://{host}:{port}/", soft_wrap=True)
    serve_dashboard(host, port, workers, threads, debug)


@app.command()
@report_errors
def export(file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario or variant YAML file, or saved:ID")],
           out: Annotated[Path, typer.Option("--out", "-o", help="File to write")],
           format_: Annotated[str, typer.Option("--format", "-f", help="html (one self-contained view), timelinejs "
                                                "(TimelineJS JSON), gexf (Gephi, with time intervals) or graphml")] = "html",
           alternative: Annotated[Optional[str], typer.Option("--alternative", "-a",
                                                              help="Named alternative inside the file")] = None,
           fact: Annotated[Optional[str], typer.Option("--fact", help="Fact to follow (default: the most widely known)")] = None,
           mode: Annotated[str, typer.Option("--mode", help="event (a step per event) or calendar (even time steps)")] = "event",
           actor: Annotated[Optional[str], typer.Option("--actor", help="Actor in focus")] = None,
           at: Annotated[Optional[str], typer.Option("--at", help="The moment the HTML file opens at, with offset or "
                                                                  "zone, e.g. 2025-05-11T22:30+03:00 (default: the "
                                                                  "scenario's opening moment)")] = None) -> None:
    """Write one self-contained HTML file (works offline) with the animated network, timeline and a slider;
    or, with --format, the run as TimelineJS JSON, GEXF or GraphML."""
    from sim import run
    from sim.fileio import atomic_write
    from sim.store import open_scenario

    if format_ not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {format_!r}: use {', '.join(EXPORT_FORMATS)}")
    if mode not in ("event", "calendar"):
        raise ValueError(f"unknown mode {mode!r}: use event or calendar")
    result = run(open_scenario(file, alternative), label=alternative or "")
    if fact is not None:
        result.knowers(fact)  # checks the id, suggesting a close one
    if actor is not None:
        result.beliefs_about(actor)
    if format_ == "html":
        from dashboard.figures.export import export_html

        from sim.timeparse import as_timestamp

        try:
            t = as_timestamp(at) if at is not None else None
        except ValueError as e:
            raise ValueError(f"--at: {e}") from None
        text = export_html(result, fact, mode, actor, t)
    else:
        from sim import interchange

        text = {"timelinejs": interchange.to_timelinejs_text, "gexf": interchange.to_gexf_text,
                "graphml": interchange.to_graphml_text}[format_](result)
    atomic_write(out, text)
    console().print(f"wrote {out} ({len(text.encode()) // 1024} KiB)")


def main() -> None:
    """Console entry point: every command of :mod:`sim.cli` plus ``serve`` and ``export``."""
    app()


__all__ = ["app", "main"]
