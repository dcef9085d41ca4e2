"""Turn a decoded :class:`~dashboard.state.ViewState` into a valid one and its run, with notices.

Whatever the URL said, the result names an existing scenario, alternative, fact and actor; every
value that had to change is explained in a notice.
"""

from __future__ import annotations

from sim import RunResult, ScenarioError

from . import data
from .failures import first_line
from .figures.common import default_fact, event_times
from .limits import default_runs
from .state import PANELS, ViewState
from .whatmattered import check_removals

DAY = 86400.0


class NoScenario(Exception):
    """The scenario folder holds no scenario that loads."""


def _first_loadable(names: list[str], notices: list[str]) -> tuple[str, RunResult]:
    for name in names:
        try:
            return name, data.load_run(name)
        except (ScenarioError, OSError, ValueError) as e:
            notices.append(f"Scenario “{name}” could not be loaded: {first_line(e)}")
    raise NoScenario(f"no scenario could be loaded from the folder “{data.scenarios_dir().name}”")


def resolve(state: ViewState) -> tuple[ViewState, RunResult, list[str]]:
    """A valid state, the run it shows, and notices for every value that was replaced."""
    notices: list[str] = []
    available = data.list_scenarios()
    default = data.default_scenario()
    if not state.scenario and not state.alt:
        state = state.with_(alt=data.default_alternative())
    wanted = state.scenario or default
    order = [wanted] + [n for n in [default] + available if n != wanted]
    if wanted not in available and not data.exists(wanted):
        notices.append(f"There is no saved scenario “{wanted[6:]}” on this server; showing another one."
                       if wanted.startswith("saved:") else
                       f"There is no scenario “{wanted}” in the scenario folder; showing another one.")
        order = order[1:]
    order = [n for n in order if data.exists(n)]
    name, base = _first_loadable(order, notices)
    if name != wanted:
        state = state.with_(alt="")
    state = state.with_(scenario=name)
    result = base
    alts = [a.id for a in base.scenario.alternatives]
    if state.alt and state.alt not in alts:
        notices.append(f"“{name}” has no alternative “{state.alt}”; showing the scenario as documented."
                       + (f" Alternatives: {', '.join(alts)}." if alts else ""))
        state = state.with_(alt="")
    if state.alt:
        try:
            result = data.load_run(name, state.alt)
        except (ScenarioError, ValueError) as e:
            notices.append(f"Alternative “{state.alt}” could not be applied: {first_line(e)}")
            state = state.with_(alt="")
    facts = result.facts
    if state.fact not in facts:
        if state.fact:
            notices.append(f"There is no fact “{state.fact}” in this scenario; showing “{default_fact(result)}”.")
        state = state.with_(fact=default_fact(result))
    if state.actor and state.actor not in result.actors:
        notices.append(f"There is no actor “{state.actor}” in this scenario; no actor is in focus.")
        state = state.with_(actor="")
    state = _resolve_compare(state, notices)
    state = check_removals(state, result, notices)
    state = _panels(state)
    times = event_times(result)
    if state.t is not None and times and not times[0] - DAY <= state.t <= times[-1] + DAY:
        notices.append("The time asked for lies outside this story; showing where the story opens.")
        state = state.with_(t=None)
    state = _filters(state, result, notices)
    return state, result, notices


def _filters(state: ViewState, result: RunResult, notices: list[str]) -> ViewState:
    """Keep the filters and moved actors that this run has; story mode only with key moments."""
    from .figures.common import key_moments

    known = {a.affiliation for a in result.scenario.actors} | {f"medium:{c.medium}" for c in result.scenario.channels}
    hide = tuple(h for h in state.hide if h in known)
    if len(hide) < len(state.hide):
        notices.append("Some filters name affiliations or media this scenario does not have; ignored them.")
    pos = tuple(p for p in state.pos if p[0] in result.compiled.actors)
    if len(pos) < len(state.pos):
        notices.append("Some moved actors are not in this scenario; they stay where they were.")
    story = state.story
    if story and not key_moments(result):
        notices.append("This scenario names no key moments, so there is no story mode.")
        story = False
    return state.with_(hide=hide, pos=pos, story=story)


def _resolve_compare(state: ViewState, notices: list[str]) -> ViewState:
    """Check the run to compare with: a scenario file in the folder and/or one of its named alternatives."""
    if not state.comparing:
        return state
    target = state.compare or state.scenario
    if not data.exists(target):
        notices.append(f"There is no scenario “{target}” to compare with; pick one in the Compare panel.")
        return state.with_(compare="", calt="")
    try:
        other = data.load_run(target)
    except (ScenarioError, OSError, ValueError) as e:
        notices.append(f"Scenario “{target}” could not be loaded to compare with: {first_line(e)}")
        return state.with_(compare="", calt="")
    alts = [a.id for a in other.scenario.alternatives]
    if state.calt and state.calt not in alts:
        notices.append(f"“{target}” has no alternative “{state.calt}” to compare with; "
                       + ("comparing with the file as documented." if state.compare else "nothing to compare with.")
                       + (f" Alternatives: {', '.join(alts)}." if alts else ""))
        state = state.with_(calt="")
    elif state.calt:
        try:
            data.load_run(target, state.calt)
        except (ScenarioError, ValueError) as e:
            notices.append(f"Alternative “{state.calt}” could not be applied to compare with: {first_line(e)}")
            state = state.with_(calt="")
    return state


def _panels(state: ViewState) -> ViewState:
    """A named comparison or a sweep turns its panel on; the sweep panel on means a sweep of some size."""
    wanted = set(state.panels) | ({"compare"} if state.comparing else set()) | ({"sweep"} if state.sweep else set())
    state = state.with_(panels=tuple(p for p in PANELS if p in wanted))
    if "sweep" in wanted and not state.sweep:
        state = state.with_(sweep=default_runs())
    return state
