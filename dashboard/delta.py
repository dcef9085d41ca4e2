"""What a view change sends of the playback bundle: the whole of it, or only what differs from the bundle
the page already holds.

The server keeps the bundles it sent lately (:class:`Sent`), each under a token that the page keeps with
its view. When a change of view comes with a token this process still holds, the answer is a
:class:`dash.Patch` of what differs (:func:`changes`): a change of fact or actor in focus leaves the
steps, their labels, the matrix's cells and hover texts and most of the timeline where they are. A token
this process does not know (another worker's, or one pushed out of the cache) gets the whole bundle.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from typing import Any

from dash import Patch

DELETE = object()  # in :func:`changes`: the key is gone
MAX_DEPTH = 6  # below this, a changed value is sent whole
MAX_OPERATIONS = 2000  # a patch of more operations than this is sent as the whole bundle instead
MAX_SENT = 32  # bundles kept per process; most share their run's parts, so each adds little memory


def changes(old: Any, new: Any, path: tuple = (), depth: int = 0) -> list[tuple[tuple, Any]]:
    """The assignments (``(path, value)``; ``value`` :data:`DELETE` for a removed key) that turn ``old``
    into ``new``, both JSON-ready. Mappings are compared key by key and equal-length lists item by item,
    down to :data:`MAX_DEPTH`; a list of which more than half the items differ is sent whole. Values of
    different types differ (``1`` and ``True``), except inside containers that Python finds equal as a
    whole: a bundle never holds a flag in one version of a place and a number in another."""
    if old is new or (type(old) is type(new) and old == new):
        return []
    if depth >= MAX_DEPTH:
        return [(path, new)]
    if isinstance(old, dict) and isinstance(new, dict):
        return _dict_changes(old, new, path, depth)
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        differ = [i for i, (a, b) in enumerate(zip(old, new)) if a is not b and not (type(a) is type(b) and a == b)]
        if len(differ) * 2 > len(new) and len(new) > 2:
            return [(path, new)]
        out: list[tuple[tuple, Any]] = []
        for i in differ:
            out += changes(old[i], new[i], path + (i,), depth + 1)
        return out
    return [(path, new)]


def _dict_changes(old: dict, new: dict, path: tuple, depth: int) -> list[tuple[tuple, Any]]:
    out: list[tuple[tuple, Any]] = []
    for k, v in new.items():
        out += changes(old[k], v, path + (k,), depth + 1) if k in old else [(path + (k,), v)]
    out += [(path + (k,), DELETE) for k in old if k not in new]
    return out


def as_patch(operations: list[tuple[tuple, Any]]) -> Patch:
    """``operations`` (from :func:`changes`) as a :class:`dash.Patch`."""
    patch = Patch()
    for path, value in operations:
        target = patch
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return patch


class Sent:
    """The bundles this process sent lately, by token (at most ``size``; the least recently used go first).

    A bundle is shared, never changed: what the page holds is what was sent."""

    def __init__(self, size: int = MAX_SENT) -> None:
        self._size = size
        self._items: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, bundle: dict) -> str:
        """Keep ``bundle`` and return its token (new at every call: two pages never share one)."""
        token = uuid.uuid4().hex
        with self._lock:
            self._items[token] = bundle
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return token

    def get(self, token: object) -> dict | None:
        """The bundle sent under ``token``, or None if this process does not hold it."""
        if not isinstance(token, str):
            return None
        with self._lock:
            bundle = self._items.get(token)
            if bundle is not None:
                self._items.move_to_end(token)
            return bundle


SENT = Sent()  # per process, like the run caches in dashboard/data.py


def answer(bundle: dict, held: object) -> tuple[dict | Patch, str]:
    """What to send for ``bundle`` to a page holding the bundle whose token is ``held``, and the token the
    page keeps next: a patch when this process knows ``held`` and the patch is small, else the bundle."""
    token = SENT.put(bundle)
    old = SENT.get(held)
    if old is None or not isinstance(old, dict) or not isinstance(bundle, dict):
        return bundle, token
    ops = changes(old, bundle)
    if len(ops) > MAX_OPERATIONS:
        return bundle, token
    return as_patch(ops), token
