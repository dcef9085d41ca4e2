"""The "What mattered" panel, and runs with elements removed for the compare view.

For the selected fact and the actor in focus, :func:`panel_children` lists what removing each
event, reaction, channel, intercept and actor (one at a time, see :mod:`sim.explain`) does to that
actor learning the fact, in names and statements; each row links to the compare view of that
removal (the ``remove`` URL parameter, see :mod:`dashboard.state`). :func:`removed_run` is the run
that view compares with. Results are cached per process, keyed by the files' modification times; the
explanation, a replay without each element in turn, is heavy work (:mod:`dashboard.heavy`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from dash import Dash, Input, Output, dcc, html, no_update

from sim import ScenarioError, run
from sim.limits import DASHBOARD_LIMITS
from sim.explain import KINDS, Explanation, label, removal, without

from . import data, heavy, ids
from .failures import failure_text
from .figures.mattered import mattered_rows, path_words
from .inputs import view as checked_view
from .limits import Busy
from .state import ViewState, decode

if TYPE_CHECKING:
    from sim import RunResult, Scenario

PROMPT = ("Pick an **actor in focus** (above, or click one on the network): this panel then takes out each "
          "message, reaction, channel, intercept and actor in turn, replays the story without it, and ranks "
          "what mattered for that actor learning the selected fact.")
HEAD = ("Each element of the scenario removed in turn, with what depends on it (a channel's messages, an "
        "actor's lines), and the story replayed: **necessary** — without it the actor never learns it; "
        "**delays it** — later, by how much; **redundant** — on the path, but another path brings it as soon. "
        "Click a row to compare the run without it.")


def explanation(state: ViewState) -> Explanation:
    """What mattered for ``state.actor`` learning ``state.fact`` in the view's run (cached; found in a child
    process while holding a slot, so it raises :class:`dashboard.limits.Busy` when the server is busy)."""
    return heavy.explanation(state.scenario or data.default_scenario(), state.alt or None, state.actor, state.fact)


def _parse(target: str) -> tuple[str, str]:
    kind, _, name = target.partition(":")
    return kind, name


def exists(s: Scenario, target: str) -> bool:
    """Whether ``s`` has the element ``KIND:ID`` (``tap:CHANNEL/ACTOR``)."""
    kind, name = _parse(target)
    if kind == "tap":
        channel, _, by = name.partition("/")
        return any(c.id == channel and any(t.by == by for t in c.taps) for c in s.channels)
    section = {"event": s.events, "rule": s.rules, "channel": s.channels, "actor": s.actors}.get(kind, [])
    return any(x.id == name for x in section)


def without_all(s: Scenario, targets: tuple[str, ...]) -> Scenario:
    """``s`` without each element of ``targets`` in turn (with what depends on it); one already gone
    with an earlier one is skipped."""
    for target in targets:
        if exists(s, target):
            kind, name = _parse(target)
            s = without(s, removal(s, kind, name))  # type: ignore[arg-type]
    return s


@functools.lru_cache(maxsize=16)
def _removed(name: str, stamp: tuple, alternative: str | None, targets: tuple[str, ...]) -> RunResult:
    s = data.load_run(name, alternative, "replay", 0).scenario  # a file or saved:ID, read as the view reads it
    title = f"{s.meta.title} — {removed_label(s, targets)}"
    s = without_all(s, targets)
    return run(s.model_copy(update={"meta": s.meta.model_copy(update={"title": title})}), label="without",
               limits=DASHBOARD_LIMITS)


def removed_run(name: str, alternative: str | None, targets: tuple[str, ...]) -> RunResult:
    """The run of scenario ``name`` (a file or ``saved:ID``, and ``alternative``) without ``targets`` (cached)."""
    if not data.exists(name):
        raise FileNotFoundError(f"no scenario named {name!r}")
    return _removed(name, data.stamp(name), alternative or None, tuple(targets))


def removed_label(run_or_scenario: RunResult | Scenario, targets: tuple[str, ...]) -> str:
    """``without ‘…’`` in words, for the compare view."""
    s = getattr(run_or_scenario, "scenario", run_or_scenario)
    words = [label(s, *_parse(t)) for t in targets]
    return "without " + "; ".join(f"‘{w}’" for w in words)


def check_removals(state: ViewState, result: RunResult, notices: list[str]) -> ViewState:
    """``state`` with only the elements to remove that the run has; a notice for each other one."""
    if not state.remove:
        return state
    s = result.scenario
    keep = []
    for target in state.remove:
        kind, _ = _parse(target)
        if kind in KINDS and exists(s, target):
            keep.append(target)
        else:
            notices.append(f"This run has no {kind} “{target.partition(':')[2][:60]}” to remove; ignored it.")
    return state.with_(remove=tuple(keep))


def _table(rows: list[dict[str, Any]]) -> html.Table:
    head = html.Tr([html.Th(h) for h in ("#", "effect", "element", "without it", "path instead", "sources")])
    body = []
    for r in rows:
        body.append(html.Tr([
            html.Td(str(r["rank"])),
            html.Td(r["status_words"], style={"color": r["color"], "fontWeight": 600}),
            html.Td([dcc.Link(f"{r['kind']}: {r['element']}", href=r["href"], className="mattered-link",
                              title="Compare the run without it"),
                     html.Span(" · on the path", className="mattered-onpath") if r["on_path"] else None]),
            html.Td(r["effect"]),
            html.Td(r["instead"]),
            html.Td(r["sources"], className="mattered-sources"),
        ], className=f"mattered-row mattered-{r['status']}"))
    return html.Table([html.Thead(head), html.Tbody(body)], className="mattered-table")


def panel_children(state: ViewState) -> list[Any]:
    """The panel's content for a resolved view: a prompt without an actor in focus, else the outcome,
    the replay's path and the ranked removals."""
    if not state.actor:
        return [dcc.Markdown(PROMPT, className="whatif-text")]
    x = explanation(state)
    s = x.result.scenario
    name = next(a.name for a in s.actors if a.id == state.actor)
    statement = next(f.statement for f in s.facts if f.id == state.fact)
    rows, rest = mattered_rows(x, state)
    if x.known_at is None:
        outcome = f"In this run **{name}** never learns “{statement}”."
    else:
        outcome = f"In this run **{name}** learns “{statement}” by this path: {path_words(x)}."
    parts: list[Any] = [dcc.Markdown(outcome + "\n\n" + HEAD, className="whatif-text")]
    if rows:
        parts.append(_table(rows))
    parts.append(html.P(f"Removing any of the other {rest} elements (of {len(x.rows)}) changes nothing for this "
                        f"outcome." if rest else f"Removing any of the {len(x.rows)} elements changes something.",
                        className="mattered-rest"))
    return parts


def panel(view: Any) -> Any:
    """The callback: the panel's content for the view the sync callback stored (nothing while hidden)."""
    view = checked_view(view)
    if view is None:
        return no_update
    state = decode(view["search"])[0]
    if "mattered" not in state.panels:
        return no_update
    try:
        return panel_children(state)
    except Busy as e:
        return [html.P(str(e))]
    except ScenarioError as e:  # took too long, or the file changed on disk and no longer loads
        return [html.P(f"This could not be computed: {heavy.problem_text(e)}")]
    except Exception as e:  # a file that changed on disk since the view was resolved
        return [html.P(f"This could not be computed ({failure_text(e)}).")]


def register(app: Dash) -> None:
    """Attach the panel's callback to ``app``."""
    app.callback(Output(ids.MATTERED, "children"), Input(ids.SHOWN_VIEW, "data"), prevent_initial_call=True)(panel)
