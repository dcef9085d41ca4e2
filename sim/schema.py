"""The scenario format's JSON Schema, for editors (``# yaml-language-server: $schema=…``)."""

from __future__ import annotations

from typing import Any

from .model import Scenario


def scenario_schema() -> dict[str, Any]:
    """JSON Schema of a scenario file (validation mode: what a file may contain)."""
    schema = Scenario.model_json_schema(mode="validation", by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "backchannel scenario"
    schema.setdefault("properties", {})["extends"] = {
        "type": "string", "description": "Base scenario this file changes (variant files only)"}
    return schema
