"""The ``backchannel`` command: a thin layer over the library calls the dashboard also uses.

Every module in this package registers its commands on :data:`sim.cli.app.app`; heavy
imports (the engine, Dash, Plotly) happen inside commands so that ``--help`` answers fast.
"""

from __future__ import annotations

import importlib
import pkgutil

from .app import app

for _m in pkgutil.iter_modules(__path__):
    if _m.name != "app":
        importlib.import_module(f"{__name__}.{_m.name}")


def main() -> None:
    """Console entry point."""
    app()


__all__ = ["app", "main"]
