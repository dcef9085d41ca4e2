"""The format reference (``docs/format-reference.md``), generated from the models so that it cannot drift.

Every section of a scenario file, every field with its type, default, whether it is required, its
description and an example. Types, defaults and descriptions come from the JSON Schema that
pydantic derives from :mod:`sim.model`; examples come from the shipped example scenario
(``scenarios/examples/harbour_strike.yaml``) where it uses the field, else from :data:`EXAMPLES`.

``python -m sim.formatref docs/format-reference.md`` (or ``backchannel schema --reference``) writes it;
a test checks that the committed file is current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .schema import scenario_schema

EXAMPLE_FILE = "examples/harbour_strike.yaml"

# Where each model sits in a file (for the headings) — the order of the reference.
PLACES = {
    "Scenario": "the top level of a scenario file",
    "Meta": "meta", "Span": "meta.span", "KeyMoment": "meta.key_moments[]",
    "Source": "sources[]", "Actor": "actors[]", "Fact": "facts[]",
    "Channel": "channels[]", "Tap": "channels[].taps[]",
    "Fixed": "a latency or delay", "Uniform": "a latency or delay", "Triangular": "a latency or delay",
    "LogNormal": "a latency or delay", "LogNormalParams": "lognormal",
    "Event": "events[]", "Window": "events[].time", "After": "events[].after", "Citation": "events[].sources[], rules[].sources[]",
    "Rule": "rules[]", "Trigger": "rules[].when", "Action": "rules[].send", "Decide": "rules[].decide",
    "Alternative": "alternatives[]",
    "VariantFile": "the top level of a variant file",
}

# Examples for fields the example scenario does not use (model.field → YAML value).
EXAMPLES: dict[str, Any] = {
    "Scenario.alternatives": "[{id: no_tap, title: No tap, remove: [\"tap:union_mediator/informant\"]}]",
    "Fact.origin": "operator",
    "Fixed.fixed": "2h",
    "Uniform.uniform": "[1h, 6h]",
    "Triangular.triangular": "[2h, 12h, 24h]",
    "LogNormal.lognormal": "{median: 3h, sigma: 0.5}",
    "LogNormalParams.median": "3h",
    "LogNormalParams.sigma": "0.5",
    "Channel.reliability": "0.95",
    "Tap.probability": "0.7",
    "Window.estimate": "\"2025-03-04T10:00 Europe/Lisbon\"",
    "Event.channel": "mediator_operator",
    "Trigger.from": "operator",
    "Action.facts": "[wage_offer]",
    "Action.delay": "3h",
    "Decide.delay": "1h",
    "Rule.description": "The mediator relays every offer she receives.",
    "Rule.decide": "{facts: [strike_ends], delay: 1h}",
    "Rule.send": "{to: [union], channel: union_mediator, delay: 3h}",
    "Alternative.description": "The same talks without the informant.",
    "Alternative.set": "{rules.mediator_passes_offer.send.delay: 1d}",
    "Alternative.add": "{events: [{id: extra_call, ...}]}",
    "Alternative.remove": "[\"tap:union_mediator/informant\", \"channel:press_release\"]",
    "VariantFile.extends": "../alexander_release.yaml",
    "VariantFile.title": "No Israeli intercepts",
    "VariantFile.description": "What if no one had tapped the backchannel?",
    "VariantFile.remove": "[\"tap:hamas_bahbah/israeli_intel\"]",
    "VariantFile.set": "{rules.qatar_pm_calls_witkoff.send.delay: 12h}",
    "VariantFile.add": "{rules: [{id: extra, when: {...}, send: {...}}]}",
    "Meta.key_moments": "[{id: offer_made, event: mediator_relays_offer, headline: The offer reaches the union}]",
    "Meta.opens_at": "offer_made",
    "Source.derived_from": "wire",
    "Fact.label": "Wage offer",
    "Channel.basis": "assumed",
    "Channel.note": "No report names the medium; a phone line is the likeliest.",
    "Channel.sources": "[{source: wire, claim: The mediator spoke to both sides., grade: 3}]",
    "Tap.basis": "inferred",
    "Tap.note": "The report says the union knew of the offer early; an informant is the likeliest way.",
    "Tap.reveals": "[wage_offer]",
    "Tap.sources": "[{source: wire, claim: The union heard of the offer before it was made., grade: 4}]",
    "Event.basis": "reported",
    "Event.note": "Only the day is reported; the hour is a modelling choice.",
    "Event.after": "{event: mediator_relays_offer, between: [1h, 1d]}",
    "Rule.basis": "assumed",
    "Rule.note": "No report says how fast she passed offers on.",
    "KeyMoment.id": "offer_made",
    "KeyMoment.event": "mediator_relays_offer",
    "KeyMoment.headline": "The offer reaches the union",
    "KeyMoment.fact": "wage_offer",
    "After.event": "mediator_relays_offer",
    "After.delay": "2h",
    "After.between": "[1h, 1d]",
}

# Where instances of each model sit in the example file ("*": every item of a list).
_PATHS = {
    "Scenario": (), "Meta": ("meta",), "Span": ("meta", "span"), "Source": ("sources", "*"),
    "Actor": ("actors", "*"), "Fact": ("facts", "*"), "Channel": ("channels", "*"),
    "Tap": ("channels", "*", "taps", "*"), "Event": ("events", "*"), "Window": ("events", "*", "time"),
    "Citation": ("events", "*", "sources", "*"), "Rule": ("rules", "*"), "Trigger": ("rules", "*", "when"),
    "Action": ("rules", "*", "send"), "Decide": ("rules", "*", "decide"), "Alternative": ("alternatives", "*"),
    "Uniform": ("channels", "*", "taps", "*", "delay"),
}


def _flow(value: Any) -> str:
    import yaml

    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if any(c in value for c in ":#{}[],&*!|>'\"%@`") else value
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False).strip()
    return text.removesuffix("\n...").strip()


def _short(value: Any) -> str:
    """An example value in YAML flow style; a mapping or list of mappings shows its first key only."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "[" + _short(value[0]) + (", …]" if len(value) > 1 else "]")
    if isinstance(value, dict) and len(value) > 1:
        key, first = next(iter(value.items()))
        return "{" + f"{key}: {_short(first)}, …" + "}"
    return _flow(value)


def _example_data() -> Any:
    import yaml

    from .resources import scenarios_dir

    folder = scenarios_dir()
    if folder is None or not (folder / EXAMPLE_FILE).is_file():
        return {}
    text = (folder / EXAMPLE_FILE).read_text(encoding="utf-8")

    class Loader(yaml.SafeLoader):
        """Times and dates stay as written."""

    Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                      for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    return yaml.load(text, Loader)


def _instances(data: Any, path: tuple[Any, ...]) -> list[Any]:
    """Every mapping at ``path`` in ``data``, in file order."""
    if not path:
        return [data] if isinstance(data, dict) else []
    step, rest = path[0], path[1:]
    if step == "*":
        return [x for item in data for x in _instances(item, rest)] if isinstance(data, list) else []
    return _instances(data.get(step), rest) if isinstance(data, dict) else []


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    for key in ("oneOf", "anyOf"):
        if key in prop:
            kinds = [_type(p) for p in prop[key] if p.get("type") != "null"]
            nullable = any(p.get("type") == "null" for p in prop[key])
            return " or ".join(dict.fromkeys(kinds)) + (" (or empty)" if nullable else "")
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items", {})
        if "prefixItems" in prop:
            return "[" + ", ".join(_type(p) for p in prop["prefixItems"]) + "]"
        return f"list of {_type(items)}" + (f" (at least {prop['minItems']})" if prop.get("minItems") else "")
    if kind == "string":
        if "time zone" in prop.get("description", "").lower():
            return "time zone"
        if prop.get("format") == "date-time" or "UTC offset" in prop.get("description", ""):
            return "time"
        if prop.get("format") == "date":
            return "date"
        if "duration" in prop.get("description", "").lower():
            return "duration"
        if prop.get("pattern"):
            return "id"
        return "text"
    if kind == "number":
        bounds = (f" ({prop['minimum']}–{prop['maximum']})" if "minimum" in prop and "maximum" in prop else "")
        return "number" + bounds
    if kind == "integer":
        bounds = (f" ({prop['minimum']}–{prop['maximum']})" if "minimum" in prop and "maximum" in prop else "")
        return "whole number" + bounds
    if kind == "object":
        return "mapping"
    return str(kind or "any")


def _default(name: str, prop: dict[str, Any], required: bool) -> str:
    if required:
        return "—"
    if "default" not in prop:
        return "none" if prop.get("type") == "array" or "items" in prop else "—"
    d = prop["default"]
    if d in ([], {}):
        return "none"
    if d == "":
        return "empty"
    if d == 0.0 and "duration" in _type(prop):
        return "`0s`"
    if d is None:
        return "not set"
    return f"`{_flow(d)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_reference() -> str:
    """The whole reference as Markdown."""
    defs = scenario_schema()["$defs"]
    example = _example_data()
    out = [
        "# Scenario format reference",
        "",
        "<!-- Generated from the models by `backchannel schema --reference -o docs/format-reference.md`;",
        "     do not edit by hand (a test checks that this file is current). -->",
        "",
        "Every part of a scenario file (and of a variant file, which changes another), with each field's type,",
        "default and an example. *Required* fields must be written; the others take their default. Examples come",
        f"from the shipped example scenario, `scenarios/{EXAMPLE_FILE}`, where it uses the field. For a guided",
        "start see [tutorial.md](tutorial.md); for what the parts mean, [scenario-format.md](scenario-format.md).",
        "",
        "Value kinds: an **id** is letters, digits, `_` and `-`, starting with a letter or `_` (at most 80); a",
        "**time** needs a UTC offset or a trailing IANA zone name (`2025-03-04T09:00+00:00`, `2025-03-04 09:00",
        "Europe/Lisbon`) — a bare time is refused; a **duration** has a unit (`30s`, `15m`, `2h`, `1d`, `1h30m`; `0`",
        "alone is allowed); a **date** is `YYYY-MM-DD`. A latency or delay is a duration or one of",
        "[Fixed](#fixed), [Uniform](#uniform), [Triangular](#triangular), [LogNormal](#lognormal).",
        "",
    ]
    for name in PLACES:
        schema = defs[name]
        out += [f"## {name}", "", f"*Where:* {PLACES[name]}. {schema.get('description', '').strip()}", ""]
        out += ["| field | type | required | default | description | example |", "|---|---|---|---|---|---|"]
        instances = _instances(example, _PATHS[name]) if name in _PATHS else []
        required = set(schema.get("required", []))
        for field, prop in schema.get("properties", {}).items():
            req = field in required
            found = [x[field] for x in instances if field in x]
            if found:
                ex = _short(found[0])
            else:
                ex = EXAMPLES.get(f"{name}.{field}", "")
            if not ex:
                raise KeyError(f"no example for {name}.{field}: add one to the example scenario or to EXAMPLES")
            desc = prop.get("description", "")
            if prop.get("pattern") and desc.startswith("An identifier"):
                desc = ""
            out.append(f"| `{field}` | {_cell(_type(prop))} | {'yes' if req else 'no'} | {_cell(_default(field, prop, req))} "
                       f"| {_cell(desc)} | `{_cell(ex)}` |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    """``python -m sim.formatref [OUT.md]`` / ``--schema OUT.json``: write the reference or the schema."""
    args = list(sys.argv[1:] if argv is None else argv)
    from .fileio import atomic_write

    if args[:1] == ["--schema"]:
        text = json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
        args = args[1:]
    else:
        text = format_reference()
    if args:
        atomic_write(Path(args[0]), text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
