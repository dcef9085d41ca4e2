"""Files shipped with the package: the scenario folder, the documented scenario and the JSON Schema.

In a wheel they are package data under ``sim/data/`` (``scenarios/`` and ``docs/scenario.schema.json``,
mapped from the repository's top-level ``scenarios/`` and ``docs/`` folders by ``pyproject.toml``);
in a source checkout or an editable install they are those folders themselves. Both are found here,
through :mod:`importlib.resources`, so that no other module guesses paths.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DEFAULT_SCENARIO = "alexander_release"
SCHEMA_NAME = "scenario.schema.json"


def _shipped(*parts: str) -> Path | None:
    """``sim/data/<parts>`` inside the installed package, if it is there as a real file or folder."""
    try:
        p = files("sim").joinpath("data", *parts)
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - sim is always importable here
        return None
    path = Path(str(p))
    return path if path.exists() else None


def _checkout(*parts: str) -> Path | None:
    """``<repository>/<parts>`` when ``sim`` runs from a source checkout."""
    root = Path(str(files("sim"))).resolve().parent
    path = root.joinpath(*parts)
    return path if (root / "pyproject.toml").is_file() and path.exists() else None


def scenarios_dir() -> Path | None:
    """The shipped scenario folder, or None if this installation has none."""
    return _shipped("scenarios") or _checkout("scenarios")


def default_scenario_file() -> Path | None:
    """The documented scenario (``alexander_release.yaml``), or None if it is not installed."""
    folder = scenarios_dir()
    path = folder / f"{DEFAULT_SCENARIO}.yaml" if folder is not None else None
    return path if path is not None and path.is_file() else None


def schema_file() -> Path | None:
    """The committed JSON Schema of the format, or None if it is not installed."""
    return _shipped("docs", SCHEMA_NAME) or _checkout("docs", SCHEMA_NAME)
