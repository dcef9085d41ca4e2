"""The Dash app: ``gunicorn dashboard.app:server`` or ``backchannel serve``.

Configuration comes from the environment (read per request, so several workers agree):
``BACKCHANNEL_SCENARIOS`` (the scenario folder) and ``BACKCHANNEL_DEFAULT_SCENARIO``.
"""

from __future__ import annotations

from pathlib import Path

from dash import Dash

from . import callbacks, layout


def create_app() -> Dash:
    """A new app with the page layout and its callbacks (no shared state between apps)."""
    app = Dash(
        __name__,
        title="Backchannel — who knew what, and when",
        assets_folder=str(Path(__file__).parent / "assets"),
        update_title=None,
        suppress_callback_exceptions=False,
    )
    app.layout = layout.layout
    callbacks.register(app)
    return app


app = create_app()
server = app.server
