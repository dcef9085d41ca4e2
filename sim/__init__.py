"""backchannel's simulation library: scenario format, loader, SimPy engine and knowledge ledger.

Typical use::

    from sim import load_scenario, run
    result = run(load_scenario("scenarios/alexander_release.yaml"))
    result.path("netanyahu", "hamas_agrees_release")
"""

from .compiled import Compiled, compile_scenario
from .engine import MODES, Mode, run
from .errors import Problem, QueryError, ScenarioError
from .loader import load_scenario, load_text, validate_files
from .model import Scenario
from .output import write_run
from .records import EventRecord, Knowledge, MetaKnowledge
from .result import RunResult

__all__ = [
    "MODES",
    "Compiled",
    "EventRecord",
    "Knowledge",
    "MetaKnowledge",
    "Mode",
    "Problem",
    "QueryError",
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
