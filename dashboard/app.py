"""The Dash app: ``gunicorn dashboard.app:server`` or ``backchannel serve``.

Configuration comes from the environment (read per request, so several workers agree):
``BACKCHANNEL_SCENARIOS`` (the scenario folder) and ``BACKCHANNEL_DEFAULT_SCENARIO``.
"""

from __future__ import annotations

import gc
from pathlib import Path

from dash import Dash

from . import callbacks, editor, layout, whatmattered
from .serving import limit_requests, scripts_later, small_polyfill


def create_app() -> Dash:
    """A new app with the page layout and its callbacks (no shared state between apps)."""
    app = Dash(
        __name__,
        title="Backchannel — who knew what, and when",
        assets_folder=str(Path(__file__).parent / "assets"),
        update_title=None,
        suppress_callback_exceptions=False,
        # The editor's bundle (editor-load.js loads it when its panel opens) and the regenerator runtime (served
        # in place of Dash's polyfill, dashboard/serving.py) are not scripts of the page.
        assets_ignore=r"^(editor\.min|regenerator-runtime)\.js$",
        compress=True,  # gzip (or brotli) for every response: the first load is a third of its size
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    app.layout = layout.layout
    callbacks.register(app)
    whatmattered.register(app)
    editor.register(app)
    limit_requests(app.server)
    small_polyfill(app.server)
    scripts_later(app)
    return app


def settle() -> None:
    """Import what the callbacks use, then leave everything loaded so far out of the cyclic garbage
    collector's scans (``gc.freeze``): a full collection then walks only what requests create, a few
    milliseconds instead of the ~60 ms that a scan of all of Dash, plotly and pydantic takes."""
    from . import bundle, data, resolve, whatif  # noqa: F401  (the callbacks import these on first use)

    gc.collect()
    gc.freeze()


app = create_app()
server = app.server
settle()
