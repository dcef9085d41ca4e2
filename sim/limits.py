"""Caps on one run: simulated events, rule firings and wall-clock time.

A scenario's rules can fan out (every actor relaying every fact to every other makes
N·F·(N−1) deliveries), so a run from a stranger's file must be able to stop itself. Hitting a
cap raises :class:`~sim.errors.RunLimitError`, whose message names the cap and how to raise it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RunLimits:
    """Caps for one run; ``None`` means no cap.

    ``max_events``: records in the event log (sends, deliveries, intercepts, skips, ...).
    ``max_rule_firings``: times a rule is set off (each schedules one send or decision).
    ``max_seconds``: wall-clock seconds the run may take.
    """

    max_events: int | None = 1_000_000
    max_rule_firings: int | None = 1_000_000
    max_seconds: float | None = 10.0

    def __post_init__(self) -> None:
        for name in ("max_events", "max_rule_firings", "max_seconds"):
            v = getattr(self, name)
            if v is not None and not v > 0:
                raise ValueError(f"{name} must be positive or None, not {v!r}")


#: What ``backchannel run`` (and the other commands that run a scenario) use unless told otherwise.
CLI_LIMITS = RunLimits()
#: Smaller caps that keep a dashboard worker answering other requests.
DASHBOARD_LIMITS = RunLimits(max_events=200_000, max_rule_firings=100_000, max_seconds=2.0)
#: No caps: the library's default, for benchmarks and trusted files.
UNLIMITED = RunLimits(None, None, None)

# How the CLI spells each cap's option, for the message that says how to raise it.
OPTION = {"max_events": "--max-events", "max_rule_firings": "--max-rule-firings", "max_seconds": "--max-seconds"}


def limit_message(cap: str, value: float) -> str:
    """The message for a run stopped by ``cap`` (a :class:`RunLimits` field name) at ``value``."""
    what = {"max_events": f"more than {value:,} events",
            "max_rule_firings": f"more than {value:,} rule firings",
            "max_seconds": f"more than {value:g} s of wall-clock time"}[cap]
    return (f"run stopped: {what} (cap {cap}); raise it with {OPTION[cap]} on the command line "
            f"or RunLimits({cap}=...) in run(...)")
