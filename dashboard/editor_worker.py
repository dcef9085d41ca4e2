"""Checking and running scenario text from the browser in a separate, stoppable process, within limits.

Text typed into the editor comes from anyone who can reach the server. It is never parsed, validated
or run in the process that serves pages: each check or run happens in a fresh child process (forked
by :mod:`dashboard.editor_forks` from a helper that has the library loaded, so starting one takes
milliseconds) with a wall-clock limit, a CPU-time limit and a memory limit. A child that overruns is killed and the caller
gets a problem that names the limit. Counts (actors, events, rules, rule firings, simulated events)
are checked against :class:`Limits` too; each message names the cap it hit.

:func:`in_child` is the machinery itself; the server's heavy work (:mod:`dashboard.heavy`: sweeps and
"what mattered") runs through it too, at a lowered CPU priority.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import Problem, ScenarioError

from .failures import failure_text

if TYPE_CHECKING:
    from sim import RunResult, Scenario

EDITOR_FILE = "<editor>"  # the file name problems in typed text carry
STARTUP_SECONDS = 60.0  # starting the first child (its server imports the library) on a busy machine


@dataclass(frozen=True)
class Limits:
    """Caps for text submitted in the browser (the command line has none of these)."""

    text_bytes: int = 256 * 1024
    actors: int = 300
    events: int = 3000
    rules: int = 500
    rule_firings: int = 20_000
    simulated_events: int = 200_000  # records of one run: sends, deliveries, intercepts, skips
    expanded_nodes: int = 1_000_000  # values a text may hold once its aliases (*name) are expanded
    check_seconds: float = 5.0  # wall-clock time for validating a text
    run_seconds: float = 10.0  # wall-clock time for loading and running it once
    memory_bytes: int = 1536 * 1024 * 1024  # address space a child may add to what it starts with


LIMITS = Limits()


class LimitError(ScenarioError):
    """Submitted text went past one of the :class:`Limits`."""


def _problem(message: str, line: int = 1, col: int = 1, path: str = "") -> Problem:
    return Problem(EDITOR_FILE, line, col, path, message)


def _section_line(text: str, section: str) -> int:
    """The line of ``section:`` at the top level of ``text`` (1 when it cannot be found)."""
    m = re.search(rf"^{re.escape(section)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def size_problem(text: str, limits: Limits = LIMITS) -> Problem | None:
    """The problem of a text over the size cap, or None."""
    n = len(text.encode("utf-8", "surrogatepass"))
    if n <= limits.text_bytes:
        return None
    return _problem(f"the text is {n:,} bytes; the limit for text from the browser (max text size) is "
                    f"{limits.text_bytes:,} bytes")


def alias_problem(text: str, limits: Limits = LIMITS) -> Problem | None:
    """The problem of a text whose aliases expand to more values than the cap (an "alias bomb"), found from
    the parser's events alone, before anything is built; None otherwise (and for text YAML cannot read:
    the loader says where)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sizes: dict[str, int] = {}
    stack: list[list] = [[None, 0]]  # [anchor, size so far] of each open collection
    try:
        for ev in yaml.parse(text, Loader=loader):
            if isinstance(ev, yaml.AliasEvent):
                stack[-1][1] += sizes.get(ev.anchor, 1)
            elif isinstance(ev, yaml.ScalarEvent):
                stack[-1][1] += 1
                if ev.anchor:
                    sizes[ev.anchor] = 1
            elif isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                stack.append([ev.anchor, 1])
            elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, size = stack.pop()
                if anchor:
                    sizes[anchor] = size
                stack[-1][1] += size
            if stack[-1][1] > limits.expanded_nodes:
                line = ev.start_mark.line + 1
                return _problem(f"the aliases (*name) in this text expand to more than {limits.expanded_nodes:,} "
                                f"values, the limit for text from the browser (max alias expansion)", line,
                                ev.start_mark.column + 1)
    except yaml.YAMLError:
        return None
    return None


def count_problems(scenario: Scenario, text: str, limits: Limits = LIMITS) -> list[Problem]:
    """A problem for each of actors, events and rules that is over its cap."""
    out = []
    for section, n, cap in (("actors", len(scenario.actors), limits.actors),
                            ("events", len(scenario.events), limits.events),
                            ("rules", len(scenario.rules), limits.rules)):
        if n > cap:
            out.append(_problem(f"{n:,} {section}; the limit for text from the browser (max {section}) is {cap:,}",
                                _section_line(text, section), 1, section))
    return out


def run_problems(result: RunResult, limits: Limits = LIMITS) -> list[Problem]:
    """A problem when one run simulated more events or rule firings than the caps allow."""
    rules = {r.id for r in result.scenario.rules}
    firings = sum(1 for e in result.events if e.kind == "send" and e.cause in rules)
    out = []
    if len(result.events) > limits.simulated_events:
        out.append(_problem(f"the run simulated {len(result.events):,} events; the limit for text from the browser "
                            f"(max simulated events per run) is {limits.simulated_events:,}"))
    if firings > limits.rule_firings:
        out.append(_problem(f"rules fired {firings:,} times in one run; the limit for text from the browser "
                            f"(max rule firings per run) is {limits.rule_firings:,}"))
    return out


# -- in the child process ------------------------------------------------------------------------

def _confine(limits: Limits, seconds: float) -> None:
    """Cap this process's memory and CPU time (where the platform allows it)."""
    try:
        import resource
    except ImportError:  # not on this platform: the wall-clock limit still applies
        return
    try:
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        used = 0
    if used:
        resource.setrlimit(resource.RLIMIT_AS, (used + limits.memory_bytes, used + limits.memory_bytes))
    cpu = int(seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def _load(text: str, file: str, alternative: str | None, root: str, store_path: str | None) -> Scenario:
    from sim.loader import load_text
    from sim.store import Store

    store = Store(store_path) if store_path else None
    return load_text(text, file, alternative, root=Path(root), open_base=store.opener() if store else None)


def _check(text: str, root: str, store_path: str | None, limits: Limits) -> list[Problem]:
    if (p := alias_problem(text, limits)) is not None:
        return [p]
    scenario = _load(text, EDITOR_FILE, None, root, store_path)
    problems = count_problems(scenario, text, limits)
    for alt in scenario.alternatives:  # each named alternative must apply too
        try:
            _load(text, EDITOR_FILE, alt.id, root, store_path)
        except ScenarioError as e:
            problems.extend(e.problems)
    return problems


def _run(text: str, file: str, alternative: str | None, root: str, store_path: str | None, mode: str,
         seed: int, limits: Limits) -> RunResult:
    from sim import run

    if (p := alias_problem(text, limits)) is not None:
        raise LimitError([p])
    scenario = _load(text, file, alternative, root, store_path)
    problems = count_problems(scenario, text, limits)
    if problems:
        raise LimitError(problems)
    result = run(scenario, mode=mode, seed=seed, label=alternative or "")  # type: ignore[arg-type]
    problems = run_problems(result, limits)
    if problems:
        raise LimitError(problems)
    return result


_JOBS: dict[str, Callable[..., Any]] = {"check": _check, "run": _run}


def _job(name: str) -> Callable[..., Any]:
    """The function of the job ``name``: a check or run of text, or a piece of :data:`dashboard.heavy.JOBS`."""
    if name in _JOBS:
        return _JOBS[name]
    from .heavy import JOBS

    return JOBS[name]


def _child(conn: Any, job: str, args: tuple, limits: Limits, seconds: float, nice: int) -> None:
    """Entry point of a child: at ``nice`` lower priority, do ``job`` and send back ``("ok", value)``,
    ``("problems", [...])``, ``("died", "")`` (out of memory) or ``("error", "TYPE: message")``."""
    _confine(limits, seconds)
    if nice:
        os.nice(nice)
    conn.send(("ready", os.getpid()))  # the time limit counts from here: starting a child is not the text's fault
    try:
        out: tuple = ("ok", _job(job)(*args))
    except ScenarioError as e:
        out = ("problems", [asdict(p) for p in e.problems])
    except MemoryError:
        out = ("died", "")
    except RecursionError:
        out = ("problems", [asdict(_problem("the text is nested too deeply to be read"))])
    except Exception as e:  # a bug must come back as a message, not as a dead child
        out = ("error", failure_text(e))
    try:
        conn.send(out)
    except Exception as e:  # e.g. a result too large to send within the memory limit
        conn.send(("error", f"the result could not be sent back ({type(e).__name__})"))
    conn.close()


def preload() -> None:
    """Import what the jobs use (in the helper, before it forks children)."""
    import yaml  # noqa: F401

    import sim.engine  # noqa: F401
    import sim.loader  # noqa: F401
    import sim.store  # noqa: F401

    from . import heavy

    heavy.preload()


def serve_one(conn: Any) -> None:
    """In a child of the helper: read one job from ``conn`` and answer it."""
    job, args, limits, seconds, nice = conn.recv()
    _child(conn, job, args, limits, seconds, nice)


@dataclass(frozen=True)
class Words:
    """What the reader is told when a job in a child does not come back: it took too long, it died (past the
    memory or CPU limit), or it failed in a way nobody foresaw (``{}`` stands for the error)."""

    too_long: str
    died: str
    failed: str


def in_child(job: str, args: tuple, seconds: float, limits: Limits, words: Words, nice: int = 0) -> Any:
    """Run ``job`` in a child process, ``nice`` steps below the normal CPU priority, for at most ``seconds``
    (then it is killed); raise :class:`ScenarioError` for its problems and :class:`LimitError` when it took too
    long, died or failed, with ``words``."""
    from .editor_forks import helper, kill

    conn = helper(STARTUP_SECONDS).connect()
    pid = 0
    try:
        conn.send((job, args, limits, seconds, nice))
        if conn.poll(STARTUP_SECONDS):
            pid = conn.recv()[1]
        if not conn.poll(seconds):
            raise LimitError([_problem(words.too_long)])
        try:
            status, value = conn.recv()
        except (EOFError, OSError):
            raise LimitError([_problem(words.died)]) from None
        pid = 0
    finally:
        conn.close()
        if pid:
            kill(pid)
    if status == "problems":
        raise ScenarioError([Problem(**p) for p in value])
    if status == "died":
        raise LimitError([_problem(words.died)])
    if status == "error":
        raise LimitError([_problem(words.failed.format(value))])
    return value


def _text_job(job: str, args: tuple, seconds: float, limits: Limits, what: str) -> Any:
    """:func:`in_child` for a job on text from the browser; ``what`` names it (``Checking this text``)."""
    words = Words(f"{what} took longer than {seconds:g} s, the limit for text from the browser (wall-clock time per "
                  f"{job}); look for aliases (*name) repeated many times, or make it smaller",
                  f"{what} stopped before it finished (it went past the memory ({limits.memory_bytes // 2**20:,} MiB) "
                  f"or CPU limit for text from the browser)",
                  "this text could not be checked ({})")
    return in_child(job, args, seconds, limits, words)


def check_text(text: str, root: str | Path, store_path: str | Path | None = None,
               limits: Limits = LIMITS) -> list[Problem]:
    """Every problem in ``text`` (empty when it loads), found in a child process within the limits."""
    if (p := size_problem(text, limits)) is not None:
        return [p]
    try:
        return _text_job("check", (text, str(root), str(store_path) if store_path else None, limits),
                         limits.check_seconds, limits, "Checking this text")
    except ScenarioError as e:
        return e.problems


def run_text(text: str, root: str | Path, store_path: str | Path | None = None, *, file: str = EDITOR_FILE,
             alternative: str | None = None, mode: str = "replay", seed: int = 0,
             limits: Limits = LIMITS) -> RunResult:
    """Load and run ``text`` once in a child process within the limits; raises :class:`ScenarioError`."""
    if (p := size_problem(text, limits)) is not None:
        raise LimitError([p])
    return _text_job("run", (text, file, alternative, str(root), str(store_path) if store_path else None, mode, seed,
                             limits), limits.run_seconds, limits, "Running this text")

