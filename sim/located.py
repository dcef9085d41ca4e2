"""YAML parsed into plain dicts and lists that remember where each value came from.

``LMap`` and ``LList`` are ``dict`` and ``list`` subclasses carrying the file name and the
1-based line/column of every key and item, so that a validation error's ``loc`` maps back
to ``file:line:col`` — also after a variant has removed, replaced or added entries from
another file.

:func:`parse_fast` is the fast path for files that are valid: plain dicts and lists, no
positions, read by libyaml (or by ``json`` when the file is in YAML's JSON subset) with the
same YAML 1.2 typing as the located parser. It refuses (:class:`NotFast`) whatever it cannot
read exactly like :func:`parse_yaml` would; callers then use the located parser, which also
reports positions.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from .errors import Problem, ScenarioError

Pos = tuple[str, int, int]  # file, line, col (1-based)


class NotFast(Exception):
    """The fast parser cannot promise to read this text exactly as :func:`parse_yaml` would."""


# -- fast path ----------------------------------------------------------------------------------
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_CORE = "tag:yaml.org,2002:"
_fast_loader: Any = None


def _no_constant(name: str) -> Any:
    raise NotFast(name)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise NotFast("duplicate key")
    return out


def _make_fast_loader() -> Any:
    """A libyaml (C) parser with a constructor that types scalars as ruamel's YAML 1.2 does."""
    import yaml
    from ruamel.yaml.resolver import implicit_resolvers
    from yaml._yaml import CParser  # libyaml; ImportError means PyYAML was built without it

    class Resolver(yaml.resolver.BaseResolver):
        yaml_implicit_resolvers: dict[str, list[Any]] = {}

    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            for ch in first:
                Resolver.yaml_implicit_resolvers.setdefault(ch, []).append((tag, regexp))

    class Constructor(yaml.constructor.BaseConstructor):
        def construct_object(self, node: Any, deep: bool = False) -> Any:  # noqa: ARG002 - one pass, no recursion limit tricks
            return self._build(node)

        def _build(self, node: Any) -> Any:
            tag = node.tag
            if tag == _CORE + "str":
                return node.value
            if tag == _CORE + "map":
                out: dict[Any, Any] = {}
                for k, v in node.value:
                    key = self._build(k)
                    if k.tag == _CORE + "merge" or not isinstance(key, (str, int)) or isinstance(key, bool) \
                            or key in out:
                        raise NotFast("merge, odd or duplicate key")
                    out[key] = self._build(v)
                return out
            if tag == _CORE + "seq":
                return [self._build(v) for v in node.value]
            if tag == _CORE + "timestamp":
                return node.value
            if tag == _CORE + "int" and _INT.match(node.value):
                return int(node.value)
            if tag == _CORE + "float" and _FLOAT.match(node.value):
                return float(node.value)
            if tag == _CORE + "bool" and node.value in _BOOLS:
                return _BOOLS[node.value]
            if tag == _CORE + "null" and node.value in ("", "~", "null", "Null", "NULL"):
                return None
            raise NotFast(f"tag {tag}")

    class Loader(CParser, Constructor, Resolver):  # type: ignore[misc]
        def __init__(self, stream: Any) -> None:
            CParser.__init__(self, stream)
            Constructor.__init__(self)
            Resolver.__init__(self)

    return Loader


def parse_fast(text: str) -> Any:
    """Parse YAML text into plain dicts and lists, fast; raise :class:`NotFast` when unsure.

    Valid text gives exactly what :func:`parse_yaml` gives, without the positions. Text in the
    JSON subset of YAML is read by :mod:`json`; anything else by libyaml through PyYAML.
    """
    global _fast_loader
    head = text.lstrip()
    if head.startswith("{"):
        try:
            return json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
        except ValueError:
            pass  # not JSON after all: YAML that starts with a flow mapping
    try:
        import yaml
    except ImportError:
        raise NotFast("PyYAML is not installed") from None
    if _fast_loader is None:
        try:
            _fast_loader = _make_fast_loader()
        except ImportError:
            raise NotFast("PyYAML has no libyaml") from None
    loader = _fast_loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise NotFast("empty document")
        return loader.construct_document(node)
    except (yaml.YAMLError, RecursionError) as e:
        raise NotFast(str(e)) from None
    finally:
        loader.dispose()


# -- located path -------------------------------------------------------------------------------
def _ruamel() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor

    class _Constructor(RoundTripConstructor):
        """Round-trip constructor that keeps timestamps as text (zones are checked by the format)."""

    _Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    return yaml


class LMap(dict):
    """A mapping that knows the position of itself and of each of its values."""

    __slots__ = ("pos", "where")

    def __init__(self, *args: Any, pos: Pos = ("", 0, 0), where: dict[Any, Pos] | None = None):
        super().__init__(*args)
        self.pos = pos
        self.where: dict[Any, Pos] = dict(where or {})

    def copy(self) -> LMap:  # type: ignore[override]
        return LMap(self, pos=self.pos, where=self.where)


class LList(list):
    """A sequence that knows the position of itself and of each item."""

    __slots__ = ("pos", "where")

    def __init__(self, items: Any = (), pos: Pos = ("", 0, 0), where: list[Pos] | None = None):
        super().__init__(items)
        self.pos = pos
        self.where: list[Pos] = list(where or [])


def _tag_of(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", None) if tag is not None else None
    return str(value) if value and not str(value).startswith("tag:yaml.org,2002:") or (
        value and str(value).startswith("tag:yaml.org,2002:python")) else None


def _convert(node: Any, file: str, pos: Pos) -> Any:
    if (tag := _tag_of(node)) is not None:
        raise _TagError(tag, pos)
    if isinstance(node, CommentedMap):
        out = LMap(pos=pos)
        for k, v in node.items():
            try:
                line, col = node.lc.value(k) if not isinstance(v, (CommentedMap, CommentedSeq)) else node.lc.key(k)
                kl, kc = node.lc.key(k)
                if isinstance(v, (CommentedMap, CommentedSeq)) and v.lc.line is not None:
                    line, col = v.lc.line, v.lc.col
                    if isinstance(v, CommentedMap) and not v:
                        line, col = kl, kc
            except (KeyError, TypeError):
                line, col = pos[1] - 1, pos[2] - 1
            cpos = (file, line + 1, col + 1)
            out[str(k) if not isinstance(k, (str, int)) else k] = _convert(v, file, cpos)
            out.where[k] = cpos
        return out
    if isinstance(node, CommentedSeq):
        out = LList(pos=pos)
        for i, v in enumerate(node):
            try:
                line, col = node.lc.item(i)
            except (KeyError, TypeError):
                line, col = pos[1] - 1, pos[2] - 1
            cpos = (file, line + 1, col + 1)
            out.append(_convert(v, file, cpos))
            out.where.append(cpos)
        return out
    if type(node).__name__ == "TaggedScalar":
        raise _TagError(str(getattr(node.tag, "value", "?")), pos)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


class _TagError(Exception):
    def __init__(self, tag: str, pos: Pos):
        self.tag, self.pos = tag, pos


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML text safely (no custom tags) into ``LMap``/``LList`` values.

    Raises :class:`ScenarioError` with the position of any syntax error or duplicate key.
    """
    yaml = _ruamel()
    try:
        data = yaml.load(text)
    except DuplicateKeyError as e:
        mark = e.problem_mark
        raise ScenarioError([Problem(file, mark.line + 1, mark.column + 1, "",
                                     f"duplicate key: {e.problem.split('found duplicate key')[-1].strip()}"
                                     if e.problem else "duplicate key")]) from None
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise ScenarioError([Problem(file, line, col, "", f"YAML syntax error: {e.problem or e.context}")]) from None
    except Exception as e:  # ruamel raises several unmarked errors on malformed input
        raise ScenarioError([Problem(file, 0, 0, "", f"YAML could not be read: {e}")]) from None
    try:
        return _convert(data, file, (file, 1, 1))
    except _TagError as e:
        raise ScenarioError([Problem(*e.pos, "", f"tag {e.tag!r} is not allowed; scenario files "
                                                 "use plain YAML only")]) from None


def locate(root: Any, loc: tuple[Any, ...]) -> Pos:
    """Return the most precise known position for a path ``loc`` into ``root``."""
    node = root
    best: Pos = getattr(root, "pos", ("", 0, 0))
    for step in loc:
        if isinstance(node, LMap) and step in node.where:
            best = node.where[step]
            node = node[step]
        elif isinstance(node, LList) and isinstance(step, int) and 0 <= step < len(node):
            best = node.where[step]
            node = node[step]
        elif isinstance(node, (LMap, LList)):
            best = node.pos
            break
        else:
            break
    return best


def dotted(loc: tuple[Any, ...]) -> str:
    """``('events', 3, 'time')`` → ``events.3.time``."""
    return ".".join(str(p) for p in loc)
