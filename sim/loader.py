"""Reading scenario and variant files: YAML → located data → validated, frozen :class:`Scenario`.

This is the only module of ``sim`` that reads files. Every problem in a file is reported at
once, as ``FILE:LINE:COL: path.to.field: message``, through :class:`ScenarioError`.

Valid files take a fast path: libyaml (or ``json`` for YAML's JSON subset) into plain data,
then validation (and a named alternative applied to that data). Only a file that fails there
is read again by the located (ruamel round-trip) parser, whose positions turn each problem into
``FILE:LINE:COL``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from .errors import Problem, ScenarioError
from .located import LList, LMap, NotFast, Pos, dotted, locate, parse_fast, parse_yaml
from .model import Scenario, Strict
from .references import _suggest, check
from .variants import apply

_TAGS = {"instant", "window", "duration", "fixed", "uniform", "triangular", "lognormal"}


class VariantFile(Strict):
    """A file that changes another: ``extends`` names the base, relative to this file."""

    extends: str = Field(min_length=1)
    title: str = ""
    description: str = ""
    remove: list[str] = []
    set: dict[str, Any] = {}
    add: dict[str, list[dict[str, Any]]] = {}


def _clean_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's union tags and internal steps from ``loc``, keeping real keys and indices."""
    out: list[Any] = []
    node = data
    for n, step in enumerate(loc):
        if isinstance(node, dict) and step in node:
            out.append(step)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            out.append(step)
            node = node[step]
        elif n == len(loc) - 1 and isinstance(step, str) and step not in _TAGS and "[" not in step:
            out.append(step)  # a missing or unknown field
    return tuple(out)


def _message(err: dict[str, Any]) -> str:
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    kind = err.get("type")
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see `backchannel schema`)"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        return msg.replace("Input should be", "must be")
    return msg


def _problem(root: Any, loc: tuple[Any, ...], message: str, top_file: str) -> Problem:
    file, line, col = locate(root, loc)
    if file and file != top_file:
        message += f" (as changed by {top_file})"
    return Problem(file or top_file, line, col, dotted(loc), message)


def validate_data(data: Any, file: str, model: type[Strict] = Scenario) -> Any:
    """Validate located data against ``model`` and, for scenarios, its cross-references."""
    if not isinstance(data, LMap):
        raise ScenarioError([Problem(file, 1, 1, "", f"expected a mapping of sections at the top of the file, "
                                                     f"got {type(data).__name__ if data is not None else 'nothing'}")])
    try:
        obj = model.model_validate(data)
    except ValidationError as e:
        problems, seen = [], set()
        for err in e.errors():
            loc = _clean_loc(data, tuple(err["loc"]))
            msg = _message(err)
            if err.get("type") == "extra_forbidden" and loc:
                parent = locate_parent_keys(data, loc[:-1])
                hint = _suggest(str(loc[-1]), parent)
                msg = f"unknown field {loc[-1]!r}{hint}"
            if (loc, msg) not in seen:
                seen.add((loc, msg))
                problems.append(_problem(data, loc, msg, file))
        raise ScenarioError(problems) from None
    if isinstance(obj, Scenario):
        issues = check(obj)
        if issues:
            raise ScenarioError([_problem(data, loc, msg, file) for loc, msg in issues])
    return obj


def locate_parent_keys(data: Any, loc: tuple[Any, ...]) -> list[str]:
    """Field names a model at ``loc`` would accept, for 'did you mean' hints on unknown fields."""
    from . import model as m

    node: Any = data
    for step in loc:
        node = node[step] if isinstance(node, (dict, list)) else None
    section_models = {"meta": m.Meta, "sources": m.Source, "actors": m.Actor, "facts": m.Fact,
                      "channels": m.Channel, "events": m.Event, "rules": m.Rule, "alternatives": m.Alternative,
                      "taps": m.Tap, "span": m.Span, "when": m.Trigger, "send": m.Action}
    names = [s for s in loc if isinstance(s, str)]
    model = section_models.get(names[-1]) if names else Scenario
    if model is None:
        return []
    return [f.alias or k for k, f in model.model_fields.items()]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(str(path), 0, 0, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError([Problem(str(path), 0, 0, "", f"cannot read file: {e}")]) from None


def _change_problems(errors: list[Any], file: str) -> list[Problem]:
    return [Problem(e.pos[0] or file, e.pos[1], e.pos[2], e.path, e.message) for e in errors]


def extends_target(path: str | Path) -> Path | None:
    """The file that the variant file ``path`` extends, as written relative to it; None for a scenario
    file, and for a file that cannot be read (loading it says why)."""
    path = Path(path)
    try:
        text = _read(path)
        if "extends" not in text:  # no need to parse a scenario file for it
            return None
        try:
            data = parse_fast(text)
        except NotFast:
            data = parse_yaml(text, str(path))
    except ScenarioError:
        return None
    target = data.get("extends") if isinstance(data, dict) else None
    return path.parent / target if isinstance(target, str) and target else None


def load_data(path: str | Path, _stack: tuple[Path, ...] = ()) -> LMap:
    """Read a scenario or variant file into located data, resolving ``extends`` chains."""
    path = Path(path)
    name = str(path)
    data = parse_yaml(_read(path), name)
    if not isinstance(data, LMap) or "extends" not in data:
        return data
    variant = validate_data(data, name, VariantFile)
    resolved = path.resolve()
    base_path = (path.parent / variant.extends)
    if base_path.resolve() in _stack + (resolved,):
        chain = " -> ".join(str(p) for p in _stack + (resolved, base_path.resolve()))
        raise ScenarioError([Problem(name, *locate(data, ("extends",))[1:], "extends",
                                     f"'extends' forms a cycle: {chain}")])
    if not base_path.exists():
        raise ScenarioError([Problem(name, *locate(data, ("extends",))[1:], "extends",
                                     f"base scenario {str(base_path)!r} not found")])
    return _merge(load_data(base_path, _stack + (resolved,)), data, variant, name)


def _merge(base: LMap, data: LMap, variant: VariantFile, name: str) -> LMap:
    """The variant ``data`` (file ``name``) applied to its loaded ``base``."""
    base = base.copy()
    base.pop("alternatives", None)
    merged, errors = apply(base, data, "")
    if errors:
        raise ScenarioError(_change_problems(errors, name))
    if variant.title or variant.description:
        meta = merged.get("meta")
        if isinstance(meta, LMap):
            meta = meta.copy()
            if variant.title:
                meta["title"] = f"{meta.get('title', '')} — {variant.title}".strip(" —")
                meta.where["title"] = locate(data, ("title",))
            if variant.description:
                meta["description"] = variant.description
                meta.where["description"] = locate(data, ("description",))
            merged["meta"] = meta
    return merged


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that all stay alive.

    Parsing and validating a large file creates millions of objects and no garbage cycles;
    each automatic collection would rescan everything built so far (more than halves load time).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


_NOWHERE: Pos = ("", 0, 0)


def _unlocated(value: Any) -> Any:
    """Plain parsed data as located data with no positions (the fast path never reports one)."""
    if isinstance(value, dict):
        return LMap({k: _unlocated(v) for k, v in value.items()}, where=dict.fromkeys(value, _NOWHERE))
    if isinstance(value, list):
        return LList([_unlocated(v) for v in value], where=[_NOWHERE] * len(value))
    return value


def _fast(text: str, alternative: str | None = None) -> Scenario | None:
    """The scenario in ``text`` (with ``alternative`` applied) if it is valid and the fast parser can
    read it, else None: then the located parser reads it again and says where each problem is."""
    with collector_paused():
        try:
            data = parse_fast(text)
        except NotFast:
            return None
        if not isinstance(data, dict) or "extends" in data:
            return None
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError:
            return None
        if check(scenario):
            return None
        if alternative is None:
            return scenario
        try:
            return _with_alternative(_unlocated(data), scenario, alternative, "")
        except ScenarioError:
            return None


def load_scenario(path: str | Path, alternative: str | None = None) -> Scenario:
    """Load, validate and (optionally) apply the named alternative of a scenario or variant file."""
    name = str(path)
    if (scenario := _fast(_read(Path(path)), alternative)) is not None:
        return scenario
    data = load_data(path)
    scenario = validate_data(data, name)
    if alternative is None:
        return scenario
    return _with_alternative(data, scenario, alternative, name)


OpenBase = Callable[[str], "tuple[str, str] | None"]


def load_text(text: str, file: str = "<text>", alternative: str | None = None, *, root: Path | None = None,
              open_base: OpenBase | None = None) -> Scenario:
    """Validate scenario or variant YAML given as text.

    A variant's ``extends`` is first offered to ``open_base(ref)``, which returns ``(text, name)`` of the
    base or None; None (or no ``open_base``) resolves it as a path inside ``root``, and without ``root`` a
    text may not extend anything.
    """
    if (scenario := _fast(text, alternative)) is not None:
        return scenario
    data = parse_yaml(text, file)
    if isinstance(data, LMap) and "extends" in data:
        data = _text_data(data, file, root, open_base, ())
    scenario = validate_data(data, file)
    return scenario if alternative is None else _with_alternative(data, scenario, alternative, file)


def _text_data(data: LMap, file: str, root: Path | None, open_base: OpenBase | None, stack: tuple[str, ...]) -> LMap:
    """A variant given as text, with its base read through ``open_base`` or from inside ``root``."""
    variant = validate_data(data, file, VariantFile)
    ref = variant.extends
    where = locate(data, ("extends",))[1:]
    if ref in stack + (file,):
        raise ScenarioError([Problem(file, *where, "extends", f"'extends' forms a cycle: "
                                                              f"{' -> '.join(stack + (file, ref))}")])
    got = open_base(ref) if open_base is not None else None
    if got is not None:
        base_text, base_name = got
        base = parse_yaml(base_text, base_name)
        if isinstance(base, LMap) and "extends" in base:
            base = _text_data(base, base_name, root, open_base, stack + (file,))
        return _merge(base, data, variant, file)
    inside = root.resolve() if root is not None else None
    path = (inside / ref).resolve() if inside is not None and not Path(ref).is_absolute() else None
    if path is None or not path.is_relative_to(inside) or not path.is_file():
        what = "a scenario in the scenario folder or saved:ID" if root is not None else "nothing here"
        raise ScenarioError([Problem(file, *where, "extends", f"base scenario {ref!r} not found "
                                                              f"(a text may extend {what})")])
    return _merge(load_data(path), data, variant, file)


def _with_alternative(data: LMap, scenario: Scenario, alternative: str, file: str) -> Scenario:
    ids = [a.id for a in scenario.alternatives]
    if alternative not in ids:
        raise ScenarioError([Problem(file, 0, 0, "alternatives",
                                     f"no alternative {alternative!r}{_suggest(alternative, ids)}; "
                                     f"this file has: {', '.join(ids) or 'none'}")])
    k = ids.index(alternative)
    change = data["alternatives"][k]
    base = data.copy()
    base.pop("alternatives")
    merged, errors = apply(base, change, f"alternatives.{k}")
    if errors:
        raise ScenarioError(_change_problems(errors, file))
    meta = merged["meta"].copy()
    meta["title"] = f"{meta['title']} — {scenario.alternatives[k].title}"
    merged["meta"] = meta
    return validate_data(merged, file)


def validate_files(paths: list[str | Path]) -> dict[str, list[Problem]]:
    """Validate each file (and each of its named alternatives); map file name to its problems."""
    out: dict[str, list[Problem]] = {}
    for p in paths:
        problems: list[Problem] = []
        try:
            s = load_scenario(p)
            for alt in s.alternatives:
                try:
                    load_scenario(p, alt.id)
                except ScenarioError as e:
                    problems.extend(e.problems)
        except ScenarioError as e:
            problems.extend(e.problems)
        out[str(p)] = problems
    return out


