"""Changes that turn one scenario into another: remove by id, set a field by path, add entries.

Used both by named alternatives inside a scenario file and by variant files that say
``extends: base.yaml``. Changes work on located YAML data (see :mod:`sim.located`), copying
what they touch, so that positions survive and errors point into the right file.
"""

from __future__ import annotations

from typing import Any

from .located import LList, LMap, Pos
from .references import _suggest

SECTIONS = ("sources", "actors", "facts", "channels", "events", "rules")
KINDS = {"source": "sources", "actor": "actors", "fact": "facts", "channel": "channels",
         "event": "events", "rule": "rules", "tap": "channels"}


class ChangeError(Exception):
    """A change that cannot be applied; ``pos`` is where the change is written."""

    def __init__(self, pos: Pos, path: str, message: str):
        super().__init__(message)
        self.pos, self.path, self.message = pos, path, message


def _ids(items: Any, key: str = "id") -> list[str]:
    return [it.get(key) for it in items if isinstance(it, dict)] if isinstance(items, list) else []


def _index(items: LList, name: str, key: str, what: str, pos: Pos, path: str) -> int:
    for i, it in enumerate(items):
        if isinstance(it, dict) and it.get(key) == name:
            return i
    raise ChangeError(pos, path, f"no {what} {name!r}{_suggest(name, _ids(items, key))}")


def _without(items: LList, i: int) -> LList:
    return LList([x for j, x in enumerate(items) if j != i], pos=items.pos,
                 where=[w for j, w in enumerate(items.where) if j != i])


def _section(data: LMap, name: str) -> LList:
    value = data.get(name)
    return value if isinstance(value, LList) else LList(pos=data.pos)


def remove(data: LMap, target: str, pos: Pos, path: str) -> LMap:
    """Return ``data`` without the entry ``KIND:ID`` (``tap:CHANNEL/ACTOR`` for a tap)."""
    kind, sep, name = str(target).partition(":")
    if not sep or kind not in KINDS or not name:
        raise ChangeError(pos, path, f"cannot read {target!r}: write KIND:ID with KIND one of "
                                     f"{', '.join(sorted(KINDS))} (a tap is tap:CHANNEL/ACTOR)")
    out = data.copy()
    section = KINDS[kind]
    items = _section(data, section)
    if kind == "tap":
        channel, slash, actor = name.partition("/")
        if not slash:
            raise ChangeError(pos, path, f"a tap is named tap:CHANNEL/ACTOR, not {target!r}")
        ci = _index(items, channel, "id", "channel", pos, path)
        ch = items[ci].copy()
        taps = ch.get("taps") if isinstance(ch.get("taps"), LList) else LList(pos=ch.pos)
        ch["taps"] = _without(taps, _index(taps, actor, "by", f"tap on {channel!r} by", pos, path))
        new = LList(items, pos=items.pos, where=items.where)
        new[ci] = ch
        out[section] = new
        return out
    out[section] = _without(items, _index(items, name, "id", kind, pos, path))
    return _without_moments(out, name) if kind == "event" else out


def _without_moments(data: LMap, event: str) -> LMap:
    """``data`` without the key moments marked by ``event`` (a removed event's moment never comes),
    and without ``meta.opens_at`` if it named one of them."""
    meta = data.get("meta")
    moments = meta.get("key_moments") if isinstance(meta, LMap) else None
    if not isinstance(moments, LList):
        return data
    drop = [i for i, m in enumerate(moments) if isinstance(m, dict) and m.get("event") == event]
    if not drop:
        return data
    kept = moments
    for i in reversed(drop):
        kept = _without(kept, i)
    meta = meta.copy()
    meta["key_moments"] = kept
    if meta.get("opens_at") in {moments[i].get("id") for i in drop}:
        meta.pop("opens_at")
    out = data.copy()
    out["meta"] = meta
    return out


def set_path(data: LMap, dotted: str, value: Any, pos: Pos, path: str) -> LMap:
    """Return ``data`` with the field at ``dotted`` (``channels.ID.latency``) replaced by ``value``.

    In lists of entries the next step is an id (``by`` for taps); the last step may add a key.
    """
    steps = [s for s in str(dotted).split(".")]
    if len(steps) < 2 or any(not s for s in steps):
        raise ChangeError(pos, path, f"cannot read path {dotted!r}: write SECTION.ID.FIELD, e.g. channels.X.latency")
    if steps[0] not in SECTIONS + ("meta",):
        raise ChangeError(pos, path, f"unknown section {steps[0]!r}{_suggest(steps[0], SECTIONS + ('meta',))}")

    def go(node: Any, i: int) -> Any:
        step = steps[i]
        last = i == len(steps) - 1
        if isinstance(node, LList):
            key = "by" if steps[i - 1] == "taps" else "id"
            j = _index(node, step, key, f"{steps[i - 1].rstrip('s')} with {key}", pos, path)
            if last:
                raise ChangeError(pos, path, f"{dotted!r} names a whole entry; name a field inside it")
            new = LList(node, pos=node.pos, where=node.where)
            new[j] = go(node[j], i + 1)
            return new
        if isinstance(node, LMap):
            new = node.copy()
            if last:
                new[step] = value
                new.where[step] = getattr(value, "pos", pos)
                return new
            if step not in node:
                raise ChangeError(pos, path, f"{'.'.join(steps[:i + 1])!r} does not exist")
            new[step] = go(node[step], i + 1)
            return new
        raise ChangeError(pos, path, f"{'.'.join(steps[:i])!r} is a value, not an entry with fields")

    return go(data, 0)


def add(data: LMap, section: str, items: Any, pos: Pos, path: str) -> LMap:
    """Return ``data`` with ``items`` appended to ``section``."""
    if section not in SECTIONS:
        raise ChangeError(pos, path, f"cannot add to {section!r}: one of {', '.join(SECTIONS)}")
    if not isinstance(items, LList):
        raise ChangeError(pos, path, f"add.{section} must be a list of entries")
    out = data.copy()
    base = _section(data, section)
    out[section] = LList(list(base) + list(items), pos=base.pos, where=list(base.where) + list(items.where))
    return out


def apply(data: LMap, change: LMap, prefix: str) -> tuple[LMap, list[ChangeError]]:
    """Apply ``remove``, ``set`` and ``add`` from ``change`` in that order; collect every error."""
    errors: list[ChangeError] = []
    prefix = f"{prefix}." if prefix else ""
    for i, target in enumerate(change.get("remove") or []):
        try:
            data = remove(data, target, change["remove"].where[i], f"{prefix}remove.{i}")
        except ChangeError as e:
            errors.append(e)
    sets = change.get("set") or {}
    for key, value in (sets.items() if isinstance(sets, dict) else []):
        try:
            data = set_path(data, key, value, sets.where.get(key, change.pos), f"{prefix}set.{key}")
        except ChangeError as e:
            errors.append(e)
    adds = change.get("add") or {}
    for section, items in (adds.items() if isinstance(adds, dict) else []):
        try:
            data = add(data, section, items, adds.where.get(section, change.pos), f"{prefix}add.{section}")
        except ChangeError as e:
            errors.append(e)
    return data, errors
