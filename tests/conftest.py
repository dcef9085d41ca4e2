"""Shared fixtures: the tiny scenario, its replay, and a helper to write scenario text to files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import RunResult, Scenario, load_scenario, run

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
TINY = DATA / "tiny.yaml"


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    return load_scenario(TINY)


@pytest.fixture(scope="session")
def tiny_run(tiny: Scenario) -> RunResult:
    return run(tiny)


@pytest.fixture
def write(tmp_path: Path):
    """Write YAML text into tmp_path and return its path."""

    def _write(text: str, name: str = "s.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return _write
