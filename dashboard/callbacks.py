"""The page's callbacks: one server callback syncing URL and controls, one for export, the compare
and sweep panels (server side, from the resolved view), and the client-side ones
(``assets/backchannel.js``) that play, step and redraw without the server."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, dcc, no_update

from . import ids
from .inputs import export_args, filter_args, sync_args
from .inputs import moment as checked_moment
from .inputs import view as checked_view
from .limits import Busy, default_runs, max_runs
from .editor import PANEL as PANEL_EDITOR
from .failures import failure_text, without_paths
from .state import MAX_RUNS, MAX_SEED, PANELS, ViewState, decode, encode, encode_pos

if TYPE_CHECKING:
    from sim.result import RunResult

TOO_MANY = "This server runs sweeps of at most {n:,} replays; choose fewer."


PANEL_IDS = {"network": ids.PANEL_NETWORK, "timeline": ids.PANEL_TIMELINE, "matrix": ids.PANEL_MATRIX,
             "log": ids.PANEL_LOG, "compare": ids.PANEL_COMPARE, "sweep": ids.PANEL_SWEEP,
             "mattered": ids.PANEL_MATTERED, "editor": PANEL_EDITOR}
HIDDEN = {"display": "none"}
SYNC_OUTPUTS: tuple[tuple[str, str], ...] = (
    (ids.URL, "search"), (ids.SCENARIO, "value"), (ids.SCENARIO, "options"), (ids.ALTERNATIVE, "value"),
    (ids.ALTERNATIVE, "options"), (ids.MODE, "value"), (ids.FACT, "value"), (ids.FACT, "options"),
    (ids.ACTOR, "value"), (ids.ACTOR, "options"), (ids.PANELS, "value"), (ids.GROUP, "value"),
    (ids.STORE, "data"), (ids.SLIDER, "max"), (ids.SLIDER, "marks"), (ids.LOG, "rowData"),
    (ids.NOTICE, "children"), (ids.NOTICE, "style"), (ids.TITLE, "children"),
    *[(PANEL_IDS[p], "style") for p in PANELS],
    (ids.COMPARE, "value"), (ids.COMPARE, "options"), (ids.COMPARE_ALT, "value"), (ids.COMPARE_ALT, "options"),
    (ids.SWEEP_RUNS, "value"), (ids.SWEEP_RUNS, "options"), (ids.SWEEP_SEED, "value"), (ids.VIEW, "data"),
    (ids.ALT_NOTE, "children"), (ids.STORY, "value"), (ids.NET_LEGEND, "children"), (ids.SHOW_AFF, "options"),
    (ids.SHOW_AFF, "value"), (ids.SHOW_MEDIUM, "options"), (ids.SHOW_MEDIUM, "value"), (ids.POS, "data"),
)
CONTROLS: tuple[tuple[str, str], ...] = (
    (ids.SCENARIO, "value"), (ids.ALTERNATIVE, "value"), (ids.MODE, "value"), (ids.FACT, "value"),
    (ids.ACTOR, "value"), (ids.PANELS, "value"), (ids.GROUP, "value"), (ids.COMPARE, "value"),
    (ids.COMPARE_ALT, "value"), (ids.SWEEP_RUNS, "value"), (ids.SWEEP_SEED, "value"),
    (ids.STORY, "value"), (ids.SHOW_AFF, "value"), (ids.SHOW_MEDIUM, "value"), (ids.POS, "data"),
)


def _outputs(values: dict[tuple[str, str], object]) -> tuple:
    """``values`` in the order of :data:`SYNC_OUTPUTS`; anything missing is left as it is."""
    return tuple(values.get(key, no_update) for key in SYNC_OUTPUTS)


def _whole(value, default: int, top: int) -> int:
    """A whole number from a control, within 0..top."""
    try:
        return min(max(0, int(value)), top)
    except (TypeError, ValueError, OverflowError):
        return default


def state_from_controls(scenario, alt, mode, fact, actor, panels, group, current, compare=None, calt=None,
                        runs=None, seed=None, story=None, filters=None, moved=None) -> ViewState:
    """The view the controls describe (``current`` is the page's ``{"t": seconds}``).

    A hidden compare panel compares with nothing and a hidden sweep panel sweeps nothing. ``story`` is
    the story-mode checklist's value; ``filters`` is ``[(options, values), ...]`` of the affiliation
    and medium checklists; ``moved`` the page's ``{"pos": "actor:x:y,..."}``.
    """
    t = current.get("t") if isinstance(current, dict) else None
    shown = tuple(p for p in PANELS if p in (panels or []))
    return ViewState(scenario=scenario or "", alt=alt or "", t=float(t) if t is not None else None,
                     mode=mode or "event", fact=fact or "", actor=actor or "", panels=shown, group=group or "actors",
                     compare=(compare or "") if "compare" in shown else "",
                     calt=(calt or "") if "compare" in shown else "",
                     sweep=_whole(runs, default_runs(), MAX_RUNS) if "sweep" in shown else 0,
                     seed=_whole(seed, 0, MAX_SEED)).with_(story="on" in (story or []), hide=_hidden(filters),
                                                           pos=_moved(moved))


def _hidden(filters) -> tuple[str, ...]:
    """What the filters leave out: ``filters`` is ``[(options, values), ...]`` of the two checklists."""
    out: list[str] = []
    for options, values in filters or []:
        kept = set(values or [])
        out += [o["value"] for o in options or [] if isinstance(o, dict) and o.get("value") not in kept]
    return tuple(out)


def _moved(moved) -> tuple[tuple[str, float, float], ...]:
    """Positions the reader dragged nodes to (read as a link's ``pos`` parameter would be)."""
    if not isinstance(moved, dict) or not isinstance(moved.get("pos"), str):
        return ()
    return decode("?" + urlencode({"pos": moved["pos"][:4000]}))[0].pos


def sync(search, scenario, alt, mode, fact, actor, panels, group, compare, calt, runs, seed, story=None, aff=None,
         medium=None, moved=None, current=None, view=None, aff_options=None, medium_options=None):
    """Decode the URL (on load or navigation) or read the controls; resolve; rebuild the view.

    ``view`` is what the previous call stored: when it names the same run, the event log and the
    option lists the page already holds are left as they are. Switching scenario or alternative keeps
    the moment and the fact where the new run has them (a notice says what could not be kept).
    """
    search, scenario, alt, mode, fact, actor, panels, group, compare, calt, runs, seed, current, view = \
        sync_args(search, scenario, alt, mode, fact, actor, panels, group, compare, calt, runs, seed, current, view)
    story, aff, medium, moved, aff_options, medium_options = \
        filter_args(story, aff, medium, moved, aff_options, medium_options)
    from .bundle import event_rows
    from .delta import answer as delta_answer
    from .data import default_scenario, fingerprint, list_scenarios, load_run, scenario_title
    from .editor import title_of
    from .legend import filter_options, network_key
    from .layout import run_options
    from .resolve import NoScenario, resolve
    from .figures.common import fact_labels

    trigger = ctx.triggered_id
    if trigger in (None, ids.URL):
        state, notices = decode(search)
    else:
        state = state_from_controls(scenario, alt, mode, fact, actor, panels, group, current, compare, calt, runs,
                                    seed, story, [(aff_options, aff), (medium_options, medium)], moved)
        notices = []
        kept = _view_state(view)  # a removal to compare with stays until another run is picked
        if kept is not None and kept.remove and "compare" in state.panels \
                and trigger not in (ids.SCENARIO, ids.COMPARE, ids.COMPARE_ALT):
            state = state.with_(remove=kept.remove)
        if trigger == ids.SCENARIO:  # an alternative of the old file, compared with, goes too
            state = state.with_(alt="", calt=state.calt if state.compare else "", hide=(), pos=())
        elif trigger == ids.COMPARE:
            state = state.with_(calt="")
    # Read before the run is loaded: a file saved in between then costs one more sending of the log,
    # never a log older than the figures.
    asked = (state.scenario or default_scenario(), state.alt)
    asked_id = fingerprint(*asked)
    try:
        state, result, more = resolve(state)
        bundle, made = page_bundle(result, state)
    except NoScenario as e:
        return _empty(without_paths(str(e)))
    except Exception as e:  # a scenario that loads but cannot be drawn must not cost the page
        if state == ViewState():
            return _empty(f"This view could not be drawn ({failure_text(e)}).")
        notices.append(f"This view could not be drawn ({failure_text(e)}); showing the default view.")
        try:
            state, result, more = resolve(ViewState())
            bundle, made = page_bundle(result, state)
        except Exception as e2:
            return _empty(f"This view could not be drawn ({failure_text(e2)}).")
    notices += more
    built = state
    state = state.with_(t=bundle["steps"][bundle["step"]])
    new_search = encode(state)
    run_id = asked_id if (state.scenario, state.alt) == asked else fingerprint(state.scenario, state.alt)
    same_run = isinstance(view, dict) and view.get("run") == run_id
    # The page is sent what differs from the bundle it holds, rebuilt from what the page says it was built from.
    sent = delta_answer(bundle, _held(view, result) if same_run else None, view["digest"] if same_run else "")
    s = result.scenario
    named = load_run(state.scenario).scenario.alternatives  # an applied alternative's scenario lists none
    alts = [{"label": "as documented", "value": ""}] + [{"label": a.title, "value": a.id} for a in named]
    scenarios = [{"label": scenario_title(n), "value": n} for n in list_scenarios()]
    scenarios += [{"label": title_of(n), "value": n} for n in dict.fromkeys((state.scenario, state.compare))
                  if n.startswith("saved:")]  # a scenario saved from the editor
    labels = fact_labels(result)
    facts = [{"label": labels[f.id], "value": f.id, "title": f.statement} for f in s.facts]
    actors = [{"label": f"{a.name} ({a.affiliation})", "value": a.id} for a in s.actors]
    notice = " ".join(notices)
    alt_title = next((a.title for a in named if a.id == state.alt), state.alt)
    alt_text = next((a.description for a in named if a.id == state.alt), "")
    aff_opts, medium_opts = filter_options(result)
    title = s.meta.title if not state.alt or alt_title in s.meta.title else f"{s.meta.title} — alternative: {alt_title}"
    target = state.compare or state.scenario
    cnamed = load_run(target).scenario.alternatives if state.comparing else named
    compare_options = [{"label": "this scenario file", "value": ""}] + scenarios
    calt_options = [{"label": "as documented", "value": ""}] + [{"label": a.title, "value": a.id} for a in cnamed]
    return _outputs(({} if same_run else {
        (ids.ALTERNATIVE, "options"): alts, (ids.FACT, "options"): facts, (ids.ACTOR, "options"): actors,
        (ids.LOG, "rowData"): event_rows(result), (ids.NET_LEGEND, "children"): network_key(result),
        (ids.SHOW_AFF, "options"): aff_opts, (ids.SHOW_MEDIUM, "options"): medium_opts,
    }) | {
        (ids.URL, "search"): new_search if new_search != search else no_update,
        (ids.SCENARIO, "value"): state.scenario, (ids.SCENARIO, "options"): scenarios,
        (ids.ALTERNATIVE, "value"): state.alt,
        (ids.MODE, "value"): state.mode, (ids.FACT, "value"): state.fact,
        (ids.ACTOR, "value"): state.actor or None,
        (ids.PANELS, "value"): list(state.panels), (ids.GROUP, "value"): state.group,
        (ids.STORE, "data"): sent, (ids.SLIDER, "max"): len(bundle["steps"]) - 1,
        (ids.SLIDER, "marks"): {int(k): v for k, v in bundle["marks"].items()},
        (ids.NOTICE, "children"): notice, (ids.NOTICE, "style"): {"display": "block"} if notice else HIDDEN,
        (ids.TITLE, "children"): title,
        **{(PANEL_IDS[p], "style"): None if p in state.panels else HIDDEN for p in PANELS},
        (ids.COMPARE, "value"): state.compare, (ids.COMPARE, "options"): compare_options,
        (ids.COMPARE_ALT, "value"): state.calt, (ids.COMPARE_ALT, "options"): calt_options,
        (ids.SWEEP_RUNS, "value"): state.sweep or default_runs(), (ids.SWEEP_RUNS, "options"): run_options(state.sweep),
        (ids.SWEEP_SEED, "value"): state.seed,
        (ids.VIEW, "data"): {"search": new_search, "run": run_id, "built": encode(built), "built_t": built.t,
                             "digest": made},
        (ids.ALT_NOTE, "children"): f"Alternative “{alt_title}”: {alt_text}" if state.alt else "",
        (ids.STORY, "value"): ["on"] if state.story else [],
        (ids.SHOW_AFF, "value"): [o["value"] for o in aff_opts if o["value"] not in state.hide],
        (ids.SHOW_MEDIUM, "value"): [o["value"] for o in medium_opts if o["value"] not in state.hide],
        (ids.POS, "data"): {"pos": encode_pos(state.pos)},
    })


def page_bundle(result: RunResult, state: ViewState) -> tuple[dict, str]:
    """The playback bundle the page gets for ``state`` (resolved against ``result``) and its digest: the
    cached bundle, with the outline of who differs in the compared run while the compare panel is on."""
    from .bundle import bundle_digest, bundle_for
    from .delta import digest
    from .whatif import network_outline

    bundle = bundle_for(result, state)
    if not (state.comparing and "compare" in state.panels):
        return bundle, bundle_digest(result, state)
    try:
        outline = network_outline(state, result).to_plotly_json()
    except Exception:  # the compare panel reports what went wrong
        return bundle, bundle_digest(result, state)
    bundle = bundle | {"net": bundle["net"] | {"data": [*bundle["net"]["data"], outline]}}
    return bundle, digest(bundle)


def _held(view: dict, result: RunResult) -> tuple[dict, str] | None:
    """The bundle the page holds, rebuilt from what ``view`` says it was built from (of ``result``'s run), with
    its digest; None where it cannot be rebuilt."""
    if not view.get("built") and view.get("built_t") is None:
        return None
    try:
        return page_bundle(result, decode(view["built"])[0].with_(t=view["built_t"]))
    except Exception:  # a file that changed since: the page gets the whole bundle
        return None


def _empty(message: str) -> tuple:
    """Only a notice: nothing could be shown."""
    return _outputs({(ids.NOTICE, "children"): message, (ids.NOTICE, "style"): {"display": "block"}})


def export(n_clicks, scenario, alt, mode, fact, actor, current):
    """The current view as one self-contained HTML file."""
    n_clicks, scenario, alt, mode, fact, actor, current = export_args(n_clicks, scenario, alt, mode, fact, actor,
                                                                      current)
    from .data import load_run
    from .figures.export import export_html

    if not n_clicks or not scenario:
        return no_update
    state = state_from_controls(scenario, alt, mode, fact, actor, PANELS, "actors", current)
    try:
        result = load_run(state.scenario, state.alt or None)
        html = export_html(result, state.fact or None, state.mode, state.actor or None, state.t)
    except Exception:  # the scenario changed on disk since the page loaded; the next view change reports it
        return no_update
    name = state.scenario.replace("/", "-") + (f"-{state.alt}" if state.alt else "")
    return dcc.send_string(html, f"{name}.html")


def _view_state(view) -> ViewState | None:
    """The resolved view the sync callback stored (None before the first one)."""
    view = checked_view(view)
    if view is None:
        return None
    return decode(view["search"])[0]


def _fail(e: Exception) -> str:
    return f"This could not be computed ({failure_text(e)})."


COMPARE_PROMPT = ("Pick a second run above — a variant file such as `alternatives/no_intercepts`, or a named "
                  "alternative — to see who would have known what earlier, later or never.")


def compare_panel(view):
    """Text and figures of the compare panel, for the resolved view (nothing while the panel is hidden)."""
    from .whatif import compare_view

    state = _view_state(view)
    if state is None or "compare" not in state.panels:
        return no_update, no_update, no_update, no_update, no_update
    if not state.comparing:
        return COMPARE_PROMPT, {}, HIDDEN, {}, HIDDEN
    try:
        v = compare_view(state)
    except Exception as e:  # a file that changed on disk since the view was resolved
        return _fail(e), {}, HIDDEN, {}, HIDDEN
    return v["summary"], v["figure"], None, v["heatmap"], None


def sweep_panel(view):
    """Explanation, CDF and first-source figures of the sweep panel (nothing while it is hidden), drawn with the
    sweep in a child process (:mod:`dashboard.heavy`)."""
    from sim import ScenarioError

    from .heavy import problem_text
    from .heavy import sweep_panel as drawn

    state = _view_state(view)
    if state is None or "sweep" not in state.panels or not state.sweep:
        return no_update, no_update, no_update
    if state.sweep > max_runs():
        return TOO_MANY.format(n=max_runs()), {}, {}
    try:
        v = drawn(state)
    except Busy as e:
        return str(e), {}, {}
    except ScenarioError as e:  # took too long, or the scenario no longer loads
        return f"This could not be computed: {problem_text(e)}", {}, {}
    except Exception as e:
        return _fail(e), {}, {}
    return v["text"], v["cdf"], v["sources"]


def sweep_known(view, moment):
    """The sweep's actors × facts heatmap at ``moment`` (the moment shown while paused, ``{"t": seconds}``)."""
    from .data import load_run
    from .whatif import sweep_known_by

    state = _view_state(view)
    if state is None or "sweep" not in state.panels or not state.sweep:
        return no_update
    moment = checked_moment(moment)
    t = moment["t"] if moment is not None else state.t
    if state.sweep > max_runs():
        return {}
    try:  # the sweep is computed in a child process, holding a slot (:mod:`dashboard.heavy`)
        return sweep_known_by(state, load_run(state.scenario, state.alt or None), float(t) if t is not None else None)
    except Exception:  # busy, or the scenario changed: the sweep panel says what went wrong
        return {}


def register(app: Dash) -> None:
    """Attach every callback to ``app``."""
    controls = list(CONTROLS)
    app.callback(
        *[Output(c, p) for c, p in SYNC_OUTPUTS],
        Input(ids.URL, "search"), *[Input(c, p) for c, p in controls],
        State(ids.CURRENT, "data"), State(ids.VIEW, "data"), State(ids.SHOW_AFF, "options"),
        State(ids.SHOW_MEDIUM, "options"),
    )(sync)
    app.callback(
        Output(ids.DOWNLOAD, "data"),
        Input(ids.EXPORT, "n_clicks"), *[State(c, p) for c, p in controls[:5]],
        State(ids.CURRENT, "data"), prevent_initial_call=True,
    )(export)
    app.callback(
        Output(ids.COMPARE_TEXT, "children"), Output(ids.COMPARE_FIGURE, "figure"), Output(ids.COMPARE_FIGURE, "style"),
        Output(ids.COMPARE_HEATMAP, "figure"), Output(ids.COMPARE_HEATMAP, "style"),
        Input(ids.SHOWN_VIEW, "data"), prevent_initial_call=True,
    )(compare_panel)
    app.callback(
        Output(ids.SWEEP_TEXT, "children"), Output(ids.SWEEP_CDF, "figure"), Output(ids.SWEEP_SOURCES, "figure"),
        Input(ids.SHOWN_VIEW, "data"), prevent_initial_call=True,
    )(sweep_panel)
    app.callback(
        Output(ids.SWEEP_KNOWN, "figure"),
        Input(ids.SHOWN_VIEW, "data"), Input(ids.SWEEP_AT, "data"), prevent_initial_call=True,
    )(sweep_known)
    # The panels computed on the server hear of a new view only while one of them is shown: while all three are
    # hidden (as at first), a view costs the page no request to them (they would answer "nothing to do").
    app.clientside_callback(ClientsideFunction("backchannel", "shownView"), Output(ids.SHOWN_VIEW, "data"),
                            Input(ids.VIEW, "data"), State(ids.PANELS, "value"))
    app.clientside_callback(ClientsideFunction("backchannel", "sweepMoment"),
                            Output(ids.SWEEP_AT, "data"), Input(ids.CURRENT, "data"), Input(ids.INTERVAL, "disabled"),
                            State(ids.PANELS, "value"))
    app.clientside_callback(
        ClientsideFunction("backchannel", "transport"),
        Output(ids.SLIDER, "value"), Output(ids.INTERVAL, "disabled"), Output(ids.PLAY, "children"),
        Input(ids.STORE, "data"), Input(ids.INTERVAL, "n_intervals"), Input(ids.BACK, "n_clicks"),
        Input(ids.FORWARD, "n_clicks"), Input(ids.PLAY, "n_clicks"), Input(ids.LOG, "cellClicked"),
        State(ids.SLIDER, "value"), State(ids.INTERVAL, "disabled"), State(ids.LOG, "rowData"),
        State(ids.INTERVAL, "interval"), prevent_initial_call=True,
    )
    app.clientside_callback(ClientsideFunction("backchannel", "followLog"),
                            Output(ids.LOG, "scrollTo"), Output(ids.LOG, "selectedRows"),
                            Input(ids.CURRENT, "data"), State(ids.LOG, "rowData"), State(ids.LOG, "cellClicked"),
                            State(ids.STORE, "data"))
    app.clientside_callback(
        ClientsideFunction("backchannel", "render"),
        Output(ids.NETWORK, "figure"), Output(ids.TIMELINE, "figure"), Output(ids.MATRIX, "figure"),
        Output(ids.T_LABEL, "children"), Output(ids.T_UTC, "children"), Output(ids.HEADLINE, "children"),
        Output(ids.FOCUS, "html"), Output(ids.ANSWER, "html"), Output(ids.CARD, "html"),
        Output(ids.RECENT, "html"), Output(ids.CURRENT, "data"),
        Input(ids.SLIDER, "value"), Input(ids.STORE, "data"),
    )
    app.clientside_callback(ClientsideFunction("backchannel", "wheel"),
                            Output(ids.NETWORK, "config"), Output(ids.TIMELINE, "config"), Output(ids.MATRIX, "config"),
                            Input(ids.WHEEL, "value"), State(ids.NETWORK, "config"), State(ids.TIMELINE, "config"),
                            State(ids.MATRIX, "config"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("backchannel", "focusClicked"),
                            Output(ids.ACTOR, "value", allow_duplicate=True), Input(ids.NETWORK, "clickData"),
                            State(ids.ACTOR, "value"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("backchannel", "speed"),
                            Output(ids.INTERVAL, "interval"), Input(ids.SPEED, "value"))
    app.clientside_callback(ClientsideFunction("backchannel", "copyLink"),
                            Output(ids.COPY, "children"), Input(ids.COPY, "n_clicks"), Input(ids.URL, "search"),
                            prevent_initial_call=True)
