"""The scenario format's JSON Schema, for editors (``# yaml-language-server: $schema=…``).

One schema covers both kinds of file: a full scenario, or a variant that ``extends`` another.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from .loader import VariantFile
from .model import Scenario


def scenario_schema() -> dict[str, Any]:
    """JSON Schema of a scenario or variant file (validation mode: what a file may contain)."""
    (_, _), defs = models_json_schema([(Scenario, "validation"), (VariantFile, "validation")],
                                      by_alias=True, ref_template="#/$defs/{model}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "backchannel scenario",
        "description": "A negotiation scenario, or a variant file that changes one (extends: base.yaml).",
        "anyOf": [{"$ref": "#/$defs/Scenario"}, {"$ref": "#/$defs/VariantFile"}],
        "$defs": defs["$defs"],
    }
