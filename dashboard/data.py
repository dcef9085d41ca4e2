"""Finding scenario files by name and running them (one run, or a sweep), with small per-process caches.

A sweep is heavy work: it runs in a child process, holding one of the server's slots (:mod:`dashboard.heavy`).

Scenario names are paths relative to the scenario folder without ``.yaml`` (``alexander_release``,
``alternatives/no_tap``). A name from a URL is checked against a strict pattern and must resolve
inside the folder: it is never used as a path on its own.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sim import RunResult, load_scenario, run
from sim.limits import DASHBOARD_LIMITS

if TYPE_CHECKING:
    from sim.sweep import SweepResult

ENV_DIR = "BACKCHANNEL_SCENARIOS"
ENV_DEFAULT = "BACKCHANNEL_DEFAULT_SCENARIO"
ENV_DEFAULT_ALT = "BACKCHANNEL_DEFAULT_ALTERNATIVE"
DEFAULT_SCENARIO = "alexander_release"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")


def scenarios_dir() -> Path:
    """The scenario folder: ``$BACKCHANNEL_SCENARIOS``, else the scenarios shipped with the package."""
    from sim.resources import scenarios_dir as shipped

    env = os.environ.get(ENV_DIR)
    return Path(env) if env else shipped() or Path(__file__).resolve().parent.parent / "scenarios"


def default_scenario() -> str:
    """The scenario shown when the URL names none."""
    return os.environ.get(ENV_DEFAULT) or DEFAULT_SCENARIO


def default_alternative() -> str:
    """The named alternative of the default scenario shown when the URL names no scenario."""
    return os.environ.get(ENV_DEFAULT_ALT) or ""


def list_scenarios(folder: Path | None = None) -> list[str]:
    """Every ``*.yaml``/``*.yml`` below ``folder`` as a scenario name, sorted, top level first."""
    root = (folder or scenarios_dir()).resolve()
    if not root.is_dir():
        return []
    names = []
    for p in root.rglob("*"):
        if p.suffix in (".yaml", ".yml") and p.is_file():
            name = p.relative_to(root).with_suffix("").as_posix()
            if _NAME.match(name):
                names.append(name)
    return sorted(set(names), key=lambda n: (n.count("/"), n))


def resolve(name: str, folder: Path | None = None) -> Path | None:
    """The file for scenario ``name`` inside ``folder``, or None if the name is not a safe, existing one."""
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name.split("/"):
        return None
    root = (folder or scenarios_dir()).resolve()
    for suffix in (".yaml", ".yml"):
        p = (root / (name + suffix)).resolve()
        if p.is_file() and p.is_relative_to(root):
            return p
    return None


def exists(name: str, folder: Path | None = None) -> bool:
    """Whether ``name`` is a scenario in the folder or ``saved:ID`` in the scenario store."""
    if isinstance(name, str) and name.startswith("saved:"):
        from .editor import exists as saved_exists

        return saved_exists(name)
    return resolve(name, folder) is not None


def name_for(path: Path, folder: Path | None = None) -> str | None:
    """The scenario name of ``path`` if it lies inside ``folder``."""
    root = (folder or scenarios_dir()).resolve()
    p = path.resolve()
    return p.relative_to(root).with_suffix("").as_posix() if p.is_relative_to(root) else None


MAX_CHAIN = 32  # files a variant may extend through, at most (a longer chain is an error when loaded)


@functools.lru_cache(maxsize=64)
def _extends(path: str, mtime_ns: int) -> str | None:
    """The file that ``path`` (as it was at ``mtime_ns``) extends, or None."""
    from sim.loader import extends_target

    base = extends_target(path)
    return str(base.resolve()) if base is not None else None


def versions(path: Path) -> tuple[tuple[str, int], ...]:
    """The file and each file it extends, with its modification time (-1 for one that is missing): a
    result loaded from ``path`` stays current while these do."""
    out: list[tuple[str, int]] = []
    current: str | None = str(path)
    while current is not None and len(out) < MAX_CHAIN and all(current != p for p, _ in out):
        try:
            mtime = os.stat(current).st_mtime_ns
        except OSError:
            out.append((current, -1))
            break
        out.append((current, mtime))
        current = _extends(current, mtime)
    return tuple(out)


def stamp(name: str, folder: Path | None = None) -> tuple[tuple[str, int], ...]:
    """The files of the scenario folder that a run of scenario ``name`` reads, with their modification times:
    the file and every file it extends (:func:`versions`), or for ``saved:ID`` the file its chain of
    ``extends`` reaches and those that one extends (the stored rows themselves never change)."""
    if name.startswith("saved:"):
        from .editor import versions as saved_versions

        return saved_versions(name)
    p = resolve(name, folder)
    return versions(p) if p is not None else ()


def fingerprint(name: str, alternative: str | None = None, folder: Path | None = None) -> str:
    """Names the run :func:`load_run` gives for these arguments now (the modification times of the file
    and of every file it extends included), so that a page can tell whether what it holds is current."""
    return f"{name}|{alternative or ''}|{','.join(str(m) for _, m in stamp(name, folder))}"


def run_file(path: str, alternative: str | None, mode: str, seed: int, root: str) -> RunResult:
    """Load and run the scenario file ``path``, whose ``extends`` reads only inside the folder ``root`` (not cached)."""
    scenario = load_scenario(path, alternative, root=root)
    return run(scenario, mode=mode, seed=seed, label=alternative or "", limits=DASHBOARD_LIMITS)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=16)
def _load(path: str, stamp: tuple, alternative: str | None, mode: str, seed: int, root: str) -> RunResult:
    return run_file(path, alternative, mode, seed, root)


def load_run(name: str, alternative: str | None = None, mode: str = "replay", seed: int = 0,
             folder: Path | None = None) -> RunResult:
    """Load and run scenario ``name`` (results are immutable, so a small cache is safe).

    Raises ``FileNotFoundError`` for an unknown name and :class:`sim.ScenarioError` for a bad file.
    ``saved:ID`` runs a scenario saved from the editor, in a child process within the editor's limits.
    """
    if name.startswith("saved:"):
        from .editor import load_run as load_saved

        return load_saved(name, alternative, mode, seed)
    p = resolve(name, folder)
    if p is None:
        raise FileNotFoundError(f"no scenario named {name!r}")
    return _load(str(p), versions(p), alternative or None, mode, seed, str((folder or scenarios_dir()).resolve()))


def load_sweep(name: str, alternative: str | None, runs: int, seed: int = 0,
               folder: Path | None = None) -> SweepResult:
    """``runs`` stochastic replays of scenario ``name`` (cached: a few sweeps, ~8 MB each), computed in a child
    process while holding a slot (:func:`dashboard.heavy.load_sweep`).

    Raises like :func:`load_run`, :class:`sim.sweep.SweepError` for a bad number of runs, and
    :class:`dashboard.limits.Busy` when the server is busy with other sweeps.
    """
    from .heavy import load_sweep as swept

    return swept(name, alternative, runs, seed, folder)


@functools.lru_cache(maxsize=64)
def _title(path: str, stamp: tuple, root: str) -> str:
    return load_scenario(path, root=root).meta.title  # extends reads only inside the scenario folder


def scenario_title(name: str, folder: Path | None = None) -> str:
    """The title of scenario ``name`` for lists a reader sees (the name itself if the file does not load)."""
    p = resolve(name, folder)
    if p is None:
        return name
    try:
        return _title(str(p), versions(p), str((folder or scenarios_dir()).resolve()))
    except Exception:  # a file that does not load is listed by its name; picking it shows the error
        return name
