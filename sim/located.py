"""YAML parsed in one pass into plain dicts and lists that remember where each value came from.

``LMap`` and ``LList`` are ``dict`` and ``list`` subclasses carrying the file name and the
1-based line/column of every key and item, so that a validation error's ``loc`` maps back
to ``file:line:col`` — also after a variant has removed, replaced or added entries from
another file.

:func:`parse_yaml` reads libyaml's event stream (PyYAML's C parser, whose events carry line
and column marks) and builds the located data straight from it, iteratively: scalars are typed
by the YAML 1.2 core schema (dates and times stay text: the format reads them), every explicit
tag is refused, duplicate keys are errors, and nesting depth and alias expansion are capped
(:class:`ParseLimits`), each with a located :class:`ScenarioError`. There is no other reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import Problem, ScenarioError

Pos = tuple[str, int, int]  # file, line, col (1-based)


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Caps on what one YAML text may build: values, nesting depth, alias uses and what aliases add."""

    max_nodes: int = 100_000  # mappings, lists, scalars and alias uses
    max_depth: int = 64
    max_aliases: int = 1_000
    max_alias_size: int = 1_000_000  # entries plus characters of text that aliases may add


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


# -- scalars: the YAML 1.2 core schema ----------------------------------------------------------
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
            "null": None, "Null": None, "NULL": None, "~": None, "": None,
            ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
            "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
            "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
            ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan")}
_NUMERIC = frozenset("0123456789+-.")  # first characters of a number (the other special values are listed)


def plain_scalar(text: str) -> Any:
    """The value of a plain (unquoted) scalar: null, bool, int, float, or the text itself."""
    if text in _SPECIAL:
        return _SPECIAL[text]
    if text[0] not in _NUMERIC:
        return text
    if _INT.fullmatch(text):
        if text[:2] == "0o":
            return int(text[2:], 8)
        if text[:2] == "0x":
            return int(text[2:], 16)
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def _tag_text(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


class _Stop(Exception):
    """A located problem found while building: ends the parse."""

    def __init__(self, pos: Pos, message: str):
        super().__init__(message)
        self.pos, self.message = pos, message


def _size(value: Any, memo: dict[int, int]) -> int:
    """What ``value`` costs when an alias repeats it: one per entry plus the length of its text."""
    if isinstance(value, str):
        return 1 + len(value)
    if not isinstance(value, (dict, list)):
        return 1
    key = id(value)
    if key not in memo:
        items = value.values() if isinstance(value, dict) else value
        memo[key] = 1 + sum(_size(v, memo) for v in items)
    return memo[key]


def _reader_position(text: str, byte_offset: int) -> tuple[int, int]:
    head = text.encode("utf-8", "surrogatepass")[:byte_offset].decode("utf-8", "ignore")
    line = head.count("\n")
    return line + 1, len(head) - (head.rfind("\n") + 1) + 1


def _build(text: str, file: str, limits: ParseLimits) -> Any:
    """Build located data from libyaml's events for ``text`` (one document).

    One loop over the events with the open collection's state in local variables (this loop is
    most of the time a load takes): ``c`` the collection being filled, ``w`` its positions, ``key``
    the mapping key waiting for its value; ``stack`` holds the state of the enclosing collections.
    """
    import yaml
    from yaml._yaml import CParser  # libyaml; ImportError means PyYAML was built without it

    Scalar, Alias = yaml.ScalarEvent, yaml.AliasEvent
    MapStart, MapEnd = yaml.MappingStartEvent, yaml.MappingEndEvent
    SeqStart, SeqEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent
    DocStart, StreamEnd = yaml.DocumentStartEvent, yaml.StreamEndEvent
    special, numeric, plain = _SPECIAL, _NUMERIC, plain_scalar
    no_key, merge_key = _NO_KEY, _MERGE

    parser = CParser(text)
    get = parser.get_event
    anchors: dict[str, Any] = {}
    sizes: dict[int, int] = {}
    aliases = alias_size = nodes = 0
    max_depth, max_nodes = limits.max_depth, limits.max_nodes
    stack: list[tuple[Any, ...]] = []
    c: Any = None  # the open collection (None: at the top)
    w: Any = None
    is_list = False
    key: Any = no_key
    key_mark: Any = None
    anchor: Any = None
    merges: list[tuple[Any, Pos]] | None = None
    start: Pos = (file, 1, 1)
    root: Any = _NOTHING
    documents = 0
    try:
        while True:
            ev = get()
            kind = type(ev)
            if kind is Scalar:
                nodes += 1
                if nodes > max_nodes:
                    m = ev.start_mark
                    raise _Stop((file, m.line + 1, m.column + 1), _too_many(max_nodes))
                if ev.tag is not None:
                    m = ev.start_mark
                    raise _Stop((file, m.line + 1, m.column + 1),
                                f"tag {_tag_text(ev.tag)!r} is not allowed; scenario files use plain YAML only")
                value = ev.value
                if ev.implicit[0]:
                    if value in special:
                        value = special[value]
                    elif value[0] in numeric:
                        value = plain(value)
                if ev.anchor is not None:
                    anchors[ev.anchor] = value
                if c is None:
                    root = value
                    continue
                if is_list:
                    m = ev.start_mark
                    c.append(value)
                    w.append((file, m.line + 1, m.column + 1))
                    continue
                if key is no_key:
                    if value == "<<" and ev.implicit[0]:
                        key = merge_key
                    else:
                        key = value if isinstance(value, (str, int)) and not isinstance(value, bool) else ev.value
                    key_mark = ev.start_mark
                    continue
                m = ev.start_mark
                pos = (file, m.line + 1, m.column + 1)
            elif kind is MapStart or kind is SeqStart:
                m = ev.start_mark
                pos = (file, m.line + 1, m.column + 1)
                if ev.tag is not None:
                    raise _Stop(pos, f"tag {_tag_text(ev.tag)!r} is not allowed; scenario files use plain YAML only")
                if len(stack) >= max_depth:
                    raise _Stop(pos, f"nesting is deeper than {max_depth} levels (the loader's cap on depth)")
                nodes += 1
                if nodes > max_nodes:
                    raise _Stop(pos, _too_many(max_nodes))
                if c is not None and not is_list and key is no_key:
                    raise _Stop(pos, "a key must be a plain value, not a mapping or a list")
                stack.append((c, w, is_list, key, key_mark, anchor, merges, start))
                c = LMap(pos=pos) if kind is MapStart else LList(pos=pos)
                w, is_list, key, anchor, merges, start = c.where, kind is SeqStart, no_key, ev.anchor, None, pos
                continue
            elif kind is MapEnd or kind is SeqEnd:
                value, pos = c, start
                if merges:
                    _merge(value, merges)
                if anchor is not None:
                    anchors[anchor] = value
                c, w, is_list, key, key_mark, anchor, merges, start = stack.pop()
                if c is None:
                    root = value
                    continue
            elif kind is Alias:
                m = ev.start_mark
                pos = (file, m.line + 1, m.column + 1)
                if ev.anchor not in anchors:
                    raise _Stop(pos, f"alias *{ev.anchor} is used before its anchor &{ev.anchor} is complete")
                value = anchors[ev.anchor]
                aliases += 1
                nodes += 1
                if nodes > max_nodes:
                    raise _Stop(pos, _too_many(max_nodes))
                if aliases > limits.max_aliases:
                    raise _Stop(pos, f"more than {limits.max_aliases} aliases (the loader's cap on aliases)")
                alias_size += _size(value, sizes)
                if alias_size > limits.max_alias_size:
                    raise _Stop(pos, f"aliases expand to more than {limits.max_alias_size:,} entries and characters "
                                     "(the loader's cap on alias expansion)")
                if c is None:
                    root = value
                    continue
                if not is_list and key is no_key:
                    if isinstance(value, (dict, list)):
                        raise _Stop(pos, "a key must be a plain value, not a mapping or a list")
                    key, key_mark = value, ev.start_mark
                    continue
            elif kind is DocStart:
                documents += 1
                if documents > 1:
                    m = ev.start_mark
                    raise _Stop((file, m.line + 1, m.column + 1),
                                "a second YAML document: a scenario file holds one document")
                continue
            elif kind is StreamEnd:
                break
            else:
                continue  # stream start, document end
            # a complete value (a mapping's value, a list's item) at ``pos``
            if is_list:
                c.append(value)
                w.append(pos)
            elif key is merge_key:
                merges = (merges or []) + [(value, pos)]
                key = no_key
            else:
                if key in c:
                    first = w[key]
                    raise _Stop((file, key_mark.line + 1, key_mark.column + 1),
                                f"duplicate key {key!r} (first given at line {first[1]}, column {first[2]})")
                c[key] = value
                w[key] = pos
                key = no_key
    except _Stop as e:
        raise ScenarioError([Problem(*e.pos, "", e.message)]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = e.problem or e.context
        if problem and "nesting depth" in problem:  # newer libyaml stops deep nesting while it scans ahead
            problem = f"nesting is deeper than {max_depth} levels (the loader's cap on depth)"
            raise ScenarioError([Problem(file, line, col, "", problem)]) from None
        raise ScenarioError([Problem(file, line, col, "", f"YAML syntax error: {problem}")]) from None
    except yaml.reader.ReaderError as e:
        line, col = _reader_position(text, e.position)
        raise ScenarioError([Problem(file, line, col, "", f"YAML could not be read: character "
                                                          f"#x{e.character:04x} is not allowed ({e.reason})")
                             ]) from None
    except yaml.YAMLError as e:
        raise ScenarioError([Problem(file, 0, 0, "", f"YAML could not be read: {e}")]) from None
    finally:
        parser.dispose()
    return None if root is _NOTHING else root


#: The environment variables that raise (or lower) the loader's caps (``sim.loader.LoadLimits``).
ENV_CAPS = {"max_bytes": "BACKCHANNEL_MAX_BYTES", "max_nodes": "BACKCHANNEL_MAX_NODES"}


def cap_hint(cap: str) -> str:
    """How to raise the load cap ``cap`` (a :class:`LoadLimits` field), for its error message."""
    var = ENV_CAPS.get(cap)
    how = f"set the environment variable {var} or pass " if var else "pass "
    return f"{how}LoadLimits({cap}=...)"


def _too_many(cap: int) -> str:
    return f"more than {cap:,} values (mappings, lists and scalars) in one file, the loader's cap; to raise it, " \
           f"{cap_hint('max_nodes')}"


class _Marker:
    __slots__ = ()


_NO_KEY, _NOTHING, _MERGE = _Marker(), _Marker(), _Marker()


def _merge(target: LMap, merges: list[tuple[Any, Pos]]) -> None:
    """YAML merge keys (``<<: *base``): entries the mapping does not give itself come from the merged ones."""
    for value, pos in merges:
        sources = value if isinstance(value, list) else [value]
        for src in sources:
            if not isinstance(src, LMap):
                raise _Stop(pos, "a merge key ('<<') takes a mapping or a list of mappings")
            for k, v in src.items():
                if k not in target:
                    target[k] = v
                    target.where[k] = src.where.get(k, pos)


def parse_yaml(text: str, file: str, limits: ParseLimits | None = None) -> Any:
    """Parse YAML text safely (no tags, one document) into ``LMap``/``LList`` values.

    Raises :class:`ScenarioError` with the position of any syntax error, duplicate key, explicit
    tag, too deep nesting or too large alias expansion.
    """
    data = _build(text, file, limits or ParseLimits())
    if isinstance(data, LMap):
        data.pos = (file, 1, 1)
    return data


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


def _item_name(items: list[Any], i: int) -> str | None:
    """The id that names item ``i`` of ``items`` (``by`` for a tap), if it has one no other item shares."""
    item = items[i]
    if not isinstance(item, dict):
        return None
    for key in ("id", "by"):
        name = item.get(key)
        if isinstance(name, str) and name:
            same = sum(1 for other in items if isinstance(other, dict) and other.get(key) == name)
            return name if same == 1 else None
    return None


def dotted(loc: tuple[Any, ...], root: Any = None) -> str:
    """``('events', 3, 'time')`` → ``events.3.time``, or ``events[e4].time`` when ``root`` holds the data
    and the item has an id of its own."""
    out = ""
    node = root
    for step in loc:
        name = None
        if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            name = _item_name(node, step)
            node = node[step]
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            node = None
        if name is not None:
            out += f"[{name}]"
        else:
            out += f".{step}" if out else str(step)
    return out
