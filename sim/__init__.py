"""backchannel's simulation library: scenario format, loader, SimPy engine and knowledge ledger.

Typical use::

    from sim import load_scenario, run
    result = run(load_scenario("scenarios/alexander_release.yaml"))
    result.path("netanyahu", "hamas_agrees_release")

Names are imported on first use, so that the command line answers ``--help`` without loading
pydantic, SimPy or the YAML parsers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "MODES": "engine", "Mode": "engine", "run": "engine",
    "Compiled": "compiled", "compile_scenario": "compiled",
    "Problem": "errors", "QueryError": "errors", "RunLimitError": "errors", "ScenarioError": "errors",
    "RunLimits": "limits",
    "LoadLimits": "loader", "load_scenario": "loader", "load_text": "loader", "validate_files": "loader",
    "Scenario": "model",
    "write_run": "output",
    "EventRecord": "records", "Knowledge": "records", "MetaKnowledge": "records",
    "RunResult": "result",
}

__all__ = [
    "Compiled",
    "EventRecord",
    "Knowledge",
    "LoadLimits",
    "MODES",
    "MetaKnowledge",
    "Mode",
    "Problem",
    "QueryError",
    "RunLimitError",
    "RunLimits",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "compile_scenario",
    "load_scenario",
    "load_text",
    "run",
    "validate_files",
    "write_run",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)


if TYPE_CHECKING:
    from .compiled import Compiled, compile_scenario
    from .engine import MODES, Mode, run
    from .errors import Problem, QueryError, RunLimitError, ScenarioError
    from .limits import RunLimits
    from .loader import LoadLimits, load_scenario, load_text, validate_files
    from .model import Scenario
    from .output import write_run
    from .records import EventRecord, Knowledge, MetaKnowledge
    from .result import RunResult
