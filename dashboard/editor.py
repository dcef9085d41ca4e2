"""The editor panel: a scenario's YAML in CodeMirror, checked as you type, run in every panel, saved and shared.

The panel is plain markup; ``assets/editor-load.js`` loads the CodeMirror bundle (``assets/editor.min.js``,
built from ``editor/``) the first time the panel is shown. The browser talks to the routes below:

``GET  /editor/start?from=NAME&variant=0|1``  the text to start from (a shipped scenario or ``saved:ID``,
                                              or a new variant of it) and its base
``POST /editor/check``  {text}                every problem as ``{line, col, message}``
``POST /editor/run``    {text, base, search}  stores the text as a draft; the view's new query string
``POST /editor/save``   {text, base, search}  stores it as saved; the permalink
``GET  /s/ID``                                the permalink: redirects to ``/?saved=ID`` and the view's
                                              other parameters

Checks and runs happen in a child process within :data:`dashboard.editor_worker.LIMITS`. Saved and
draft scenarios are shown by every panel under the scenario name ``saved:ID`` (see :func:`load_run`; their
sweeps: :mod:`dashboard.heavy`).
"""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from dash import Dash, dcc, html

from sim.errors import Problem, ScenarioError
from sim.loader import extends_written
from sim.store import PREFIX, Store, is_ref, parse_ref

from . import data
from .editor_worker import EDITOR_FILE, LIMITS, check_text, run_text
from .limits import Busy, client_of_request, slot
from .state import PANELS, decode, encode

if TYPE_CHECKING:
    from flask import Response

    from sim import RunResult

PANEL = "panel-editor"
FROM = "editor-from"
MOUNT = "editor-cm"
PROBLEMS = "editor-problems"
STATUS = "editor-status"
RUN = "editor-run"
SAVE = "editor-save"
LINK = "editor-link"
MAX_BODY = LIMITS.text_bytes + 16 * 1024  # a request's JSON: the text, its base and the view's query string


def store() -> Store:
    """The scenario store this server uses (``$BACKCHANNEL_STORE`` or the user's data directory)."""
    return Store()


# -- what the schema says a file may contain, for completion -------------------------------------

def _fields(schema: dict[str, Any], node: dict[str, Any], depth: int, path: str, out: dict[str, list[str]]) -> None:
    """Collect the property names of ``node`` (and of the objects below it) under their dotted paths."""
    defs = schema["$defs"]
    stack = [node]
    while stack:
        n = stack.pop()
        if "$ref" in n:
            stack.append(defs[n["$ref"].rsplit("/", 1)[-1]])
        stack += n.get("anyOf", []) + n.get("oneOf", [])
        if n.get("type") == "array" and isinstance(n.get("items"), dict):
            stack.append(n["items"])
        props = n.get("properties")
        if isinstance(props, dict):
            names = out.setdefault(path, [])
            names += [k for k in props if k not in names]
            if depth < 3:
                for k, sub in props.items():
                    _fields(schema, sub, depth + 1, f"{path}.{k}".lstrip("."), out)


@functools.lru_cache(maxsize=1)
def completions() -> str:
    """JSON for the browser: field names by dotted path (``""`` = the top level, ``channels.taps``) from
    the scenario format's JSON Schema, for completion."""
    from sim.schema import scenario_schema

    schema = scenario_schema()
    out: dict[str, list[str]] = {}
    _fields(schema, schema, 0, "", out)
    return json.dumps({"fields": {k: v for k, v in out.items() if v}}, separators=(",", ":"))


# -- the panel ------------------------------------------------------------------------------------

def start_options() -> list:
    """The "Start from" choices: each shipped scenario as it is, and a new variant of each."""
    names = data.list_scenarios()
    return [html.Option("a shipped scenario…", value=""),
            html.Optgroup([html.Option(n, value=f"edit:{n}") for n in names], label="Edit a copy of"),
            html.Optgroup([html.Option(f"a variant of {n}", value=f"variant:{n}") for n in names],
                          label="Write only what changes: a variant of")]


def editor_panel() -> html.Section:
    """The editor panel (hidden until ``editor`` is among the panels)."""
    return html.Section([
        html.H2("Editor: change the scenario's YAML, run it in every panel, save and share a link",
                className="panel-title"),
        html.Div([
            html.Label("Start from", htmlFor=FROM, className="ctl-label"),
            html.Select(start_options(), id=FROM, className="editor-from", **{"aria-label": "Start from"}),
            html.Button("▶ Run", id=RUN, className="btn", title="Run this text and show it in every panel, "
                                                                  "compared with what it was started from"),
            html.Button("Save & share", id=SAVE, className="btn", title="Save this text on the server and show "
                                                                         "a link anyone on this server can open"),
            dcc.Input(id=LINK, type="text", readOnly=True, className="editor-link", placeholder="the link to share appears here"),
            html.Span("", id=STATUS, role="status", className="editor-status"),
        ], className="panel-controls editor-bar"),
        html.Div([
            html.Div(id=MOUNT, className="editor-cm", **{"data-completions": completions(),
                                                         "data-limit": str(LIMITS.text_bytes)}),
            html.Div([html.H3("Problems", className="editor-problems-title"),
                      html.Ol(id=PROBLEMS, className="editor-problems", **{"aria-live": "polite"})],
                     className="editor-side"),
        ], className="editor-body"),
    ], id=PANEL, className="panel panel-editor", style={"display": "none"})


# -- saved scenarios as runs of the dashboard -----------------------------------------------------

def exists(name: str) -> bool:
    """Whether ``saved:ID`` names a row of the store."""
    return is_ref(name) and parse_ref(name) is not None and store().get(name) is not None


def _text(ref: str, store_path: str) -> str:
    row = Store(store_path).get(ref)
    if row is None:
        raise FileNotFoundError(f"no saved scenario {ref!r}")
    return row.text


@functools.lru_cache(maxsize=256)
def _base_file(ref: str, store_path: str) -> str | None:
    """The file of the scenario folder that the chain of ``extends`` of the stored scenario ``ref`` reaches (as
    written, relative to the folder), or None. Rows never change, so an answer holds for good; a row missing
    from the chain raises ``LookupError`` (never cached: a text with that id may be saved later)."""
    s = Store(store_path)
    seen: set[str] = set()
    while is_ref(ref) and ref not in seen and len(seen) < data.MAX_CHAIN:
        seen.add(ref)
        row = s.get(ref)
        if row is None:
            raise LookupError(ref)
        ref = extends_written(row.text, row.ref) or ""
    return ref if ref and not is_ref(ref) else None  # a chain of rows only, a cycle or a long chain: no file


def versions(ref: str) -> tuple[tuple[str, int], ...]:
    """The files of the scenario folder that a run of the stored scenario ``ref`` reads, with their modification
    times (see :func:`dashboard.data.versions`): its cached runs and sweeps stay current while these do."""
    try:
        target = _base_file(ref, str(store().path))
    except LookupError:
        return ()
    root = data.scenarios_dir().resolve()
    path = root / target if target is not None else None
    return data.versions(path) if path is not None and path.resolve().is_relative_to(root) else ()


@functools.lru_cache(maxsize=16)
def _run_saved(ref: str, stamp: tuple, alternative: str | None, mode: str, seed: int, store_path: str,
               root: str) -> RunResult:
    return run_text(_text(ref, store_path), root, store_path, file=ref, alternative=alternative, mode=mode, seed=seed)


def load_run(ref: str, alternative: str | None = None, mode: str = "replay", seed: int = 0) -> RunResult:
    """Run the stored scenario ``saved:ID`` in a child process within the limits (cached while the files its
    ``extends`` reaches are unchanged: :func:`versions`). Raises ``FileNotFoundError`` for an unknown id,
    :class:`ScenarioError` else."""
    return _run_saved(ref, versions(ref), alternative or None, mode, seed, str(store().path), str(data.scenarios_dir()))


def title_of(name: str) -> str:
    """A label for the scenario ``name`` in a list of choices."""
    if not is_ref(name):
        return name
    row = store().get(name)
    return f"saved: {row.title or 'untitled'} ({row.id[:8]})" if row else name


# -- routes ---------------------------------------------------------------------------------------

def _display(p: Problem, text: str) -> dict[str, Any]:
    """A problem for the editor: in the typed text, at its line; in a base file, at the ``extends`` line."""
    if p.file == EDITOR_FILE:
        return {"line": max(p.line, 1), "col": max(p.col, 1), "message": (f"{p.path}: " if p.path else "") + p.message}
    root = str(data.scenarios_dir().resolve())
    where = p.file[len(root):].lstrip("/") if p.file.startswith(root) else p.file
    where = f"{where}:{p.line}:{p.col}" if p.line else where
    line = next((n for n, s in enumerate(text.splitlines(), 1) if s.startswith("extends")), 1)
    return {"line": line, "col": 1, "message": f"in {where}: " + (f"{p.path}: " if p.path else "") + p.message}


def _problems(problems: list[Problem], text: str) -> list[dict[str, Any]]:
    return sorted((_display(p, text) for p in problems), key=lambda d: (d["line"], d["col"]))


def start(source: str, variant: bool) -> dict[str, Any] | None:
    """The text to start from: a shipped scenario's or a saved one's (empty: the default scenario), or a new
    variant of it; None if there is no such scenario."""
    source = source or data.default_scenario()
    if is_ref(source):
        row = store().get(source)
        if row is None:
            return None
        ref, title, text = row.ref, row.title, row.text
    else:
        path = data.resolve(source)
        if path is None:
            return None
        ref, title = path.relative_to(data.scenarios_dir().resolve()).as_posix(), source
        text = None if variant else path.read_text(encoding="utf-8")
    base = source if not is_ref(source) else ref
    if variant:
        text = (f"extends: {ref}\n"
                f"title: my change\n"
                f"description: What this variant changes, and why.\n"
                f"# Write only what changes. For example:\n"
                f"#   remove: [\"event:SOME_EVENT\"]\n"
                f"#   set: {{events.SOME_EVENT.time: \"2025-05-11T12:00+03:00\"}}\n"
                f"remove: []\n"
                f"set: {{}}\n"
                f"add: {{}}\n")
    return {"text": text, "base": base, "title": title}


def _read_json() -> tuple[dict[str, Any] | None, Response | None]:
    from flask import jsonify, request

    if (request.content_length or 0) > MAX_BODY:
        return None, jsonify(problems=[{"line": 1, "col": 1, "message":
                                        f"the text is larger than the limit for text from the browser (max text "
                                        f"size, {LIMITS.text_bytes:,} bytes)"}])
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return None, (jsonify(error="send JSON with a text"), 400)
    return body, None


def _base(body: dict[str, Any]) -> str | None:
    """The base the browser names, if it is a shipped scenario or a stored one."""
    base = body.get("base")
    if not isinstance(base, str) or not base:
        return None
    return base if (exists(base) or data.resolve(base) is not None) else None


def _view(body: dict[str, Any], ref: str, base: str | None) -> str:
    """The query string that shows ``ref``, compared with ``base``, keeping the rest of the view."""
    state, _ = decode(body.get("search") if isinstance(body.get("search"), str) else "")
    panels = set(state.panels) | {"editor"} | ({"compare"} if base else set())
    state = state.with_(scenario=ref, alt="", calt="", compare=base or "", t=None,
                        panels=tuple(p for p in PANELS if p in panels))
    return encode(state)


def _store_checked(body: dict[str, Any], kind: str) -> dict[str, Any]:
    """Run the text once within the limits; if it runs, store it. The answer for the browser."""
    text = body["text"]
    s = store()
    try:
        result = run_text(text, data.scenarios_dir(), s.path)
    except ScenarioError as e:
        return {"problems": _problems(e.problems, text)}
    base = _base(body)
    row = s.put(text, result.scenario.meta.title, base, kind)  # type: ignore[arg-type]
    search = _view(body, row.ref, base)
    rest = encode(decode(search)[0].with_(scenario=""))  # the view without the scenario: the link names it
    link = f"s/{row.id}" + (rest if rest != "?" else "")
    return {"ref": row.ref, "id": row.id, "title": row.title, "search": search, "link": link, "problems": []}


PAGE_HEADER = "X-Backchannel-Page"  # the editor's page sends a name of its own with each check, run and save
_PAGE = re.compile(r"[A-Za-z0-9]{1,40}")


def _client(page: str) -> str:
    """Who asks the editor for work: the address and the page's own name (several readers behind one proxy
    address are then several clients; the server's slots still bound them all together)."""
    return f"{client_of_request()}|{page if _PAGE.fullmatch(page) else ''}"


def register(app: Dash) -> None:
    """Add the editor's routes to ``app``'s server."""
    from flask import jsonify, redirect, request

    server = app.server
    prefix = app.config.requests_pathname_prefix or "/"

    @server.get("/editor/start")
    def editor_start():
        got = start(request.args.get("from", ""), request.args.get("variant") == "1")
        return jsonify(got) if got else (jsonify(error="there is no such scenario on this server"), 404)

    @server.post("/editor/check")
    def editor_check():
        body, fail = _read_json()
        if fail is not None:
            return fail
        text = body["text"]
        try:
            with slot(_client(request.headers.get(PAGE_HEADER, "")), "check"):
                return jsonify(problems=_problems(check_text(text, data.scenarios_dir(), store().path), text))
        except Busy as e:  # the page checks the text again in a moment
            return jsonify(busy=str(e))

    def stored(kind: str) -> Response:
        body, fail = _read_json()
        if fail is not None:
            return fail
        try:
            with slot(_client(request.headers.get(PAGE_HEADER, "")), "store"):
                return jsonify(_store_checked(body, kind))
        except Busy as e:
            return jsonify(busy=str(e))

    @server.post("/editor/run")
    def editor_run():
        return stored("draft")

    @server.post("/editor/save")
    def editor_save():
        return stored("saved")

    @server.get("/s/<sid>")
    def permalink(sid: str):
        pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in ("saved", "scenario")][:40]
        return redirect(prefix + "?" + urlencode([("saved", sid[:80])] + pairs, safe="/:,"), code=302)
