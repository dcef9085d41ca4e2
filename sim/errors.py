"""The exception family for bad input: every problem names its file, line, column and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the file allows."""

    file: str
    line: int  # 1-based; 0 when unknown
    col: int  # 1-based; 0 when unknown
    path: str  # dotted path to the field, e.g. ``events.3.time``
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class ScenarioError(Exception):
    """A scenario or variant file could not be loaded; carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class QueryError(ValueError):
    """A query named something the scenario does not have (an actor, a fact, a time)."""


class RunLimitError(ValueError):
    """A run reached one of its caps (:class:`~sim.limits.RunLimits`) and was stopped unfinished.

    A ``ValueError``, as the input asked for more than the caps allow: handlers of bad input catch it.
    """

    exit_code = 2
