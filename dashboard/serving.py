"""Serving the app: in production (gunicorn or waitress, :func:`serve`), and on a free loopback port
from a thread for the browser tests, the screenshot script and the benchmarks (:func:`served`),
with the flags Chromium needs here.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def served(server: Any) -> Iterator[str]:
    """Serve the WSGI ``server`` on 127.0.0.1 at a free port; yield its base URL; stop on exit."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = make_server("127.0.0.1", port, server, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.shutdown()
        thread.join(5)


# -- production serving -----------------------------------------------------------------------
MAX_BODY_BYTES = 1 << 20  # a request body larger than this is refused (413); the page's largest is a few KB
TIMEOUT_S = 60  # a gunicorn worker silent for this long is restarted


def limit_requests(server: Any, max_bytes: int = MAX_BODY_BYTES) -> None:
    """Refuse request bodies over ``max_bytes`` (HTTP 413) on the Flask ``server``, whatever serves it."""
    server.config["MAX_CONTENT_LENGTH"] = max_bytes


# Dash's renderer is compiled for old browsers and has the page load all of Babel's polyfill (core-js and the
# regenerator runtime) before anything else: about 100 ms of a first visit's main thread here. The browsers
# the page supports have everything in it natively but the regenerator runtime, which the renderer's and the
# components' compiled async functions call; so that alone is served at the polyfill's address (its place in
# the page's order of scripts, before the scripts that need it). scripts/build-plotly.sh copies it.
POLYFILL = re.compile(r"/_dash-component-suites/dash/deps/polyfill@7[^/]*\.js$")
RUNTIME = Path(__file__).parent / "assets" / "regenerator-runtime.js"


def small_polyfill(server: Any) -> None:
    """Answer the Flask ``server``'s requests for Dash's polyfill with :data:`RUNTIME` (regenerator-runtime),
    cached as Dash caches its fingerprinted scripts."""
    from flask import Response, request

    body = RUNTIME.read_bytes()

    @server.before_request
    def _runtime_for_polyfill() -> Response | None:
        if not POLYFILL.search(request.path):
            return None
        response = Response(body, mimetype="application/javascript")
        response.cache_control.public = True
        response.cache_control.max_age = 31536000
        return response


# The event log's grid is mounted after the first screen (dashboard/layout.py's Deferred), yet its library, as
# large as plotly.js (1.3 MB), would be evaluated with the page's scripts before anything is drawn. Its script
# leaves the page's list for a prefetch hint naming the library; dashboard/assets/firstvisit.js stands in for
# the library until the grid is first drawn, and loads the script then (from the browser's cache by then).
LATER = {"dash_ag_grid": re.compile(r'<script src="([^"]*/_dash-component-suites/dash_ag_grid/dash_ag_grid[^"/]*\.js)">'
                                    r"</script>\s*")}


def scripts_later(app: Any) -> None:
    """Take the scripts of the libraries in :data:`LATER` out of the Dash ``app``'s page: each becomes a
    ``<link rel="prefetch" as="script" data-library="…">``, loaded when a component of it is first drawn."""
    own = app.interpolate_index

    def interpolate_index(**kwargs: Any) -> str:
        scripts = kwargs.get("scripts", "")
        hints = []
        for library, tag in LATER.items():
            found = tag.search(scripts)
            if found:
                scripts = scripts[:found.start()] + scripts[found.end():]
                hints.append(f'<link rel="prefetch" as="script" href="{found.group(1)}" data-library="{library}">')
        kwargs["scripts"] = scripts
        kwargs["metas"] = kwargs.get("metas", "") + "".join(hints)
        return own(**kwargs)

    app.interpolate_index = interpolate_index


def gunicorn_available() -> bool:
    """Whether gunicorn can be imported (``pip install 'backchannel[deploy]'``; Unix only)."""
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:
        return False
    return True


def start_helper(worker: Any = None) -> None:
    """Start this process's fork helper (:mod:`dashboard.editor_forks`) in the background, as a worker starts
    (gunicorn's ``post_worker_init``): no request then waits for it, and no view change shares the core with its
    imports, later."""
    from .editor_forks import helper
    from .editor_worker import STARTUP_SECONDS

    threading.Thread(target=helper, args=(STARTUP_SECONDS,), name="start fork helper", daemon=True).start()


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn settings: threaded workers (a thread waiting for a sweep, which runs in a child process, leaves
    view changes to the others), each starting its fork helper at once, request lines and headers bounded, no
    control socket, access log off."""
    return {"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": threads,
            "timeout": TIMEOUT_S, "graceful_timeout": 10, "limit_request_line": 8190,
            "limit_request_fields": 100, "limit_request_field_size": 8190, "control_socket_disable": True,
            "accesslog": None, "errorlog": "-", "loglevel": "warning", "post_worker_init": start_helper}


def run_gunicorn(options: dict[str, Any]) -> None:
    """Serve ``dashboard.app:server`` with gunicorn and ``options`` until stopped."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from .app import server

            return server

    Application().run()


def serve(host: str = "127.0.0.1", port: int = 8050, workers: int = 1, threads: int = 4,
          debug: bool = False) -> str:
    """Serve the dashboard until stopped; return the name of the server used.

    gunicorn with ``workers`` processes of ``threads`` threads when it is installed; waitress
    (one process, ``threads`` threads) otherwise, which serves one worker only. ``debug`` runs
    Dash's development server with its debugger, which must never face a network: only when asked.
    """
    if workers < 1 or threads < 1:
        raise ValueError("--workers and --threads must be at least 1")
    if debug:
        from .app import create_app

        create_app().run(host=host, port=port, debug=True)
        return "dash development server (debug)"
    if gunicorn_available():
        run_gunicorn(gunicorn_options(host, port, workers, threads))
        return "gunicorn"
    if workers > 1:
        raise ValueError("several workers need gunicorn: pip install 'backchannel[deploy]' (Unix only), "
                         "or serve one worker with waitress")
    import waitress

    from .app import server

    start_helper()
    waitress.serve(server, host=host, port=port, threads=threads, max_request_body_size=MAX_BODY_BYTES,
                   ident="backchannel", clear_untrusted_proxy_headers=True)
    return "waitress"


def callback_body(dep: dict[str, Any], inputs: list[Any], state: list[Any] | None = None) -> dict[str, Any]:
    """The JSON body the browser posts to ``/_dash-update-component`` for the callback ``dep`` (an entry of
    ``/_dash-dependencies``) with these input and state values; the first input is the one that changed."""
    output = dep["output"]
    if output.startswith(".."):
        outputs: Any = [dict(zip(("id", "property"), p.rsplit(".", 1))) for p in output.strip(".").split("...") if p]
    else:
        outputs = dict(zip(("id", "property"), output.rsplit(".", 1)))
    ins = [dict(x, value=v) for x, v in zip(dep["inputs"], inputs)]
    states = [dict(x, value=v) for x, v in zip(dep["state"], state or [None] * len(dep["state"]))]
    return {"output": output, "outputs": outputs, "inputs": ins, "state": states,
            "changedPropIds": [f"{ins[0]['id']}.{ins[0]['property']}"] if ins else []}
