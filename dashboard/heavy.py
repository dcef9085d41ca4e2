"""Heavy work off the web workers: sweeps, the sweep panel's figures, and "what mattered" explanations.

A view change must never wait for someone else's sweep. So this work never runs in a web worker: each
piece runs in a child process of the worker's fork helper (:func:`dashboard.editor_worker.in_child`, the
machinery of the editor's checks) at a lowered CPU priority (:data:`NICENESS`), is killed when it outlasts
:data:`SECONDS`, and runs only while it holds one of the server's slots (:mod:`dashboard.limits`: one
piece of each kind per client, a few in total, never queued). The worker's thread only waits for the
answer, so the worker's other threads, and the view changes they answer, keep the interpreter and the
core. The same work asked twice at once waits for the first.

Results are cached per process, keyed by everything they depend on: the scenario's file or stored id, the
modification times of every file its ``extends`` chain reads (:func:`dashboard.data.stamp`), the scenario
folder, the alternative, the replays and seed, and for figures and explanations the fact and actor.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ScenarioError

from . import data
from .editor_worker import LIMITS, Words, in_child
from .limits import client_of_request, same_work, slot

if TYPE_CHECKING:
    from sim import RunResult
    from sim.explain import Explanation
    from sim.sweep import SweepResult

    from .state import ViewState

NICENESS = 10  # how far below a web worker's CPU priority heavy work runs
SECONDS = 60.0  # wall-clock time one piece of heavy work may take before it is killed


class Results:
    """The last ``size`` results of one kind of heavy work in this process, by key (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The result for ``key``, or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` for ``key``, forgetting the oldest result beyond :attr:`size`."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_sweeps = Results(4)  # ~8 MB each at 2,000 replays of the documented scenario
_panels = Results(16)  # the sweep panel's text and figures (plotly JSON), ~0.6 MB each
_explained = Results(16)


def problem_text(e: ScenarioError) -> str:
    """What went wrong, for the reader of a panel: the problems' messages (never the server's file paths)."""
    return "; ".join(p.message for p in e.problems)


# -- in the child ------------------------------------------------------------------------------------

def _replay(source: str, alternative: str | None, root: str, store_path: str) -> RunResult:
    """The run a panel is drawn from: a file of the scenario folder ``root``, or ``saved:ID`` from the store
    within the limits for text from the browser."""
    from sim.store import Store, is_ref

    from .editor_worker import _run

    if not is_ref(source):
        return data.run_file(source, alternative, "replay", 0, root)
    row = Store(store_path).get(source)
    if row is None:
        raise FileNotFoundError(f"no saved scenario {source!r}")
    return _run(row.text, row.ref, alternative, root, store_path, "replay", 0, LIMITS)


def _sweep_job(source: str, alternative: str | None, runs: int, seed: int, root: str, store_path: str,
               fact: str | None, swept: SweepResult | None) -> tuple[SweepResult | None, dict[str, Any] | None]:
    """``runs`` replays of ``source`` (unless ``swept`` brings them) and, for ``fact``, the sweep panel's text and
    figures as plotly JSON; the sweep comes back only if it was computed here."""
    from sim.sweep import sweep

    from .whatif import sweep_view

    result = _replay(source, alternative, root, store_path)
    sw = swept if swept is not None else sweep(result.scenario, runs, seed, workers=1, alternative=alternative or "")
    panel = None
    if fact is not None:  # figures as JSON's own types: encoding dates for the browser costs the worker nothing
        panel = {k: json.loads(v.to_json()) if hasattr(v, "to_json") else v
                 for k, v in sweep_view(sw, result, fact).items()}
    return (None if swept is not None else sw), panel


def _explain_job(source: str, alternative: str | None, actor: str, fact: str, root: str,
                 store_path: str) -> Explanation:
    from sim.explain import explain

    return explain(_replay(source, alternative, root, store_path).scenario, actor, fact)


JOBS: dict[str, Callable[..., Any]] = {"sweep": _sweep_job, "explain": _explain_job}


def preload() -> None:
    """Import what the jobs use (in the fork helper, so that each child starts with it loaded)."""
    import sim.explain  # noqa: F401
    import sim.sweep  # noqa: F401

    from . import whatif  # noqa: F401  (the figures, and plotly)


# -- in the web worker -------------------------------------------------------------------------------

def _source(name: str, folder: Path | None) -> tuple[str, tuple, str, str]:
    """What a job reads for scenario ``name`` (a file's path, or ``saved:ID``), the stamp of the files it reads,
    the scenario folder and the store."""
    from .editor import store

    root = str((folder or data.scenarios_dir()).resolve())
    if name.startswith("saved:"):
        return name, data.stamp(name), root, str(store().path)
    p = data.resolve(name, folder)
    if p is None:
        raise FileNotFoundError(f"no scenario named {name!r}")
    return str(p), data.versions(p), root, ""


def _sweep_words(runs: int, seconds: float) -> Words:
    return Words(f"{runs:,} replays took longer than {seconds:g} s, the most this server gives one sweep; choose "
                 f"fewer replays",
                 f"{runs:,} replays stopped before they finished (they went past the server's memory or CPU limit); "
                 f"choose fewer replays",
                 "the sweep could not be computed ({})")


def _cached_sweep(key: tuple, fact: str | None) -> tuple[SweepResult | None, dict[str, Any] | None, bool]:
    """The cached sweep ``key`` names, its cached panel for ``fact``, and whether that is all that was asked."""
    sw = _sweeps.get(key)
    panel = _panels.get((*key, fact)) if fact is not None else None
    return sw, panel, sw is not None and (fact is None or panel is not None)


def _sweep(key: tuple, args: tuple, fact: str | None, seconds: float) -> tuple[SweepResult, dict[str, Any] | None]:
    """The sweep ``key`` names and, for ``fact``, its panel: from the caches, or computed in a child."""
    sw, panel, done = _cached_sweep(key, fact)
    if done:
        return sw, panel  # type: ignore[return-value]
    with same_work(repr(key)):
        sw, panel, done = _cached_sweep(key, fact)  # the same work asked twice at once: the first did it meanwhile
        if done:
            return sw, panel  # type: ignore[return-value]
        with slot(client_of_request(), "sweep"):
            computed, panel = in_child("sweep", (*args, fact, sw), seconds, LIMITS, _sweep_words(args[2], seconds),
                                       NICENESS)
        if computed is not None:
            sw = computed
            _sweeps.put(key, sw)
        if panel is not None:
            _panels.put((*key, fact), panel)
    return sw, panel  # type: ignore[return-value]


def _sweep_args(name: str, alternative: str | None, runs: int, seed: int,
                folder: Path | None) -> tuple[tuple, tuple]:
    source, stamp, root, store_path = _source(name, folder)
    alternative = alternative or None
    return ((source, stamp, alternative, int(runs), int(seed), root, store_path),
            (source, alternative, int(runs), int(seed), root, store_path))


def load_sweep(name: str, alternative: str | None, runs: int, seed: int = 0, folder: Path | None = None,
               seconds: float = SECONDS) -> SweepResult:
    """``runs`` stochastic replays of scenario ``name`` (a file or ``saved:ID``), computed in a child within
    ``seconds`` (cached). Raises ``FileNotFoundError`` for an unknown name, :class:`dashboard.limits.Busy` when
    no slot is free, and :class:`sim.ScenarioError` for a scenario that does not load or a sweep that failed."""
    key, args = _sweep_args(name, alternative, runs, seed, folder)
    return _sweep(key, args, None, seconds)[0]


def sweep_panel(state: ViewState, folder: Path | None = None, seconds: float = SECONDS) -> dict[str, Any]:
    """The sweep panel of the view ``state``: ``{"text", "cdf", "sources"}`` (figures as plotly JSON), drawn in a
    child with the sweep (cached, both). Raises like :func:`load_sweep`."""
    key, args = _sweep_args(state.scenario, state.alt, state.sweep, state.seed, folder)
    panel = _sweep(key, args, state.fact, seconds)[1]
    assert panel is not None  # asked for with a fact
    return panel


def explanation(name: str, alternative: str | None, actor: str, fact: str, folder: Path | None = None,
                seconds: float = SECONDS) -> Explanation:
    """What mattered for ``actor`` learning ``fact`` in the run of scenario ``name`` (a file of the scenario
    folder or ``saved:ID``; see :func:`sim.explain.explain`), found in a child within ``seconds`` (cached).
    Raises like :func:`load_sweep`."""
    source, stamp, root, store_path = _source(name, folder)
    key = (source, stamp, alternative or None, actor, fact, root, store_path)
    hit = _explained.get(key)
    if hit is not None:
        return hit
    with same_work(repr(("explain", key))):
        hit = _explained.get(key)
        if hit is not None:
            return hit
        words = Words(f"Finding what mattered took longer than {seconds:g} s, the most this server gives it",
                      "Finding what mattered stopped before it finished (it went past the server's memory or CPU "
                      "limit)", "what mattered could not be found ({})")
        with slot(client_of_request(), "explain"):
            x = in_child("explain", (source, alternative or None, actor, fact, root, store_path), seconds, LIMITS,
                         words, NICENESS)
        _explained.put(key, x)
    return x
