"""Heavy work on a shared server: at most one piece of each kind at a time per client, a few in total, never queued.

The kinds are sweeps and "what mattered" analyses (sharing :func:`slots`), and the editor's checks and its
runs and saves of typed text (sharing :func:`edit_slots`).

A sweep (or a "what mattered" analysis) costs seconds of a core. :func:`slot` lets it run only when the
client (its address) has nothing else of that kind running and one of :func:`slots` is free, across all
the server's worker processes on this machine (``flock`` on small files in :func:`lock_dir`); otherwise it
raises :class:`Busy` at once, and the panel asks to try again. :func:`same_work` makes the same work asked
twice at once (two panels of one page) wait for the first, whose result the cache then holds. The work
itself runs in :mod:`dashboard.heavy`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

ENV_SLOTS = "BACKCHANNEL_SWEEP_SLOTS"
ENV_MAX_RUNS = "BACKCHANNEL_SWEEP_MAX_RUNS"
ENV_LOCKS = "BACKCHANNEL_LOCK_DIR"
DEFAULT_SLOTS = 2  # sweeps and analyses at a time on the whole server
DEFAULT_MAX_RUNS = 2000  # replays in one dashboard sweep
BUSY = "The server is busy with other sweeps; try again in a moment."
MINE = "Another sweep of yours is still running; try again when it has finished."
KINDS = {  # kind of heavy work: what a client is told when no slot is free, and when one of its own still runs
    "sweep": (BUSY, MINE),
    "explain": ("The server is busy with other sweeps and analyses; try again in a moment.",
                "Another “what mattered” analysis of yours is still running; try again when it has finished."),
    "check": ("The server is checking many texts at once; this one is checked again in a moment.",
              "Your previous check is still running; this text is checked again in a moment."),
    "store": ("The server is busy running other texts; try again in a moment.",
              "Your previous run or save is still under way; try again when it has finished."),
}
ENV_EDIT_SLOTS = "BACKCHANNEL_EDIT_SLOTS"
DEFAULT_EDIT_SLOTS = 4  # the editor's checks, runs and saves of typed text at a time on the whole server
POOLS = {"sweep": "slot", "explain": "slot", "check": "edit", "store": "edit"}  # slots each kind shares


class Busy(Exception):
    """No work of the kind asked for may start now; the message says why, for the reader."""


def _int_env(name: str, default: int, top: int) -> int:
    try:
        return min(max(1, int(os.environ.get(name, default))), top)
    except ValueError:
        return default


def slots() -> int:
    """Sweeps and "what mattered" analyses that may run at once on the server (``$BACKCHANNEL_SWEEP_SLOTS``,
    default 2)."""
    return _int_env(ENV_SLOTS, DEFAULT_SLOTS, 64)


def edit_slots() -> int:
    """The editor's checks, runs and saves of typed text that may run at once on the server
    (``$BACKCHANNEL_EDIT_SLOTS``, default 4; apart from the sweeps' slots)."""
    return _int_env(ENV_EDIT_SLOTS, DEFAULT_EDIT_SLOTS, 64)


def max_runs() -> int:
    """The most replays one dashboard sweep may have (``$BACKCHANNEL_SWEEP_MAX_RUNS``, default 2,000)."""
    return _int_env(ENV_MAX_RUNS, DEFAULT_MAX_RUNS, 1_000_000)


def default_runs() -> int:
    """The size of a sweep when its panel is turned on: :data:`dashboard.state.DEFAULT_RUNS`, or fewer if the
    server runs no sweep that large."""
    from .state import DEFAULT_RUNS

    return min(DEFAULT_RUNS, max_runs())


def lock_dir() -> Path:
    """Where the lock files live (``$BACKCHANNEL_LOCK_DIR``, else a folder of this user's in the temp dir)."""
    env = os.environ.get(ENV_LOCKS)
    d = Path(env) if env else Path(tempfile.gettempdir()) / f"backchannel-locks-{os.getuid()}"
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    return d


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def _open(name: str) -> IO[bytes]:
    fd = os.open(lock_dir() / name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    return os.fdopen(fd, "r+b")


def _try(fh: IO[bytes]) -> bool:
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def same_work(key: str) -> Iterator[None]:
    """Hold the lock of the work named ``key``: the same work asked twice at once waits for the first."""
    with _open(f"work-{_digest(key)}.lock") as same:
        fcntl.flock(same, fcntl.LOCK_EX)
        yield


@contextmanager
def slot(client: str, kind: str = "sweep") -> Iterator[None]:
    """Hold a slot for ``client`` doing heavy work of ``kind`` (see :data:`KINDS`); raise :class:`Busy` at once if
    the client already does work of that kind or no slot is free. Locks are released when the block ends, and by
    the system if the process dies."""
    busy, mine = KINDS[kind]
    pool = POOLS[kind]
    with ExitStack() as stack:
        own = stack.enter_context(_open(f"client-{kind}-{_digest(client)}.lock"))
        if not _try(own):
            raise Busy(mine)
        for i in range(slots() if pool == "slot" else edit_slots()):
            held = stack.enter_context(_open(f"{pool}-{i}.lock"))
            if _try(held):
                break
        else:
            raise Busy(busy)
        yield


def client_of_request() -> str:
    """Who asks, inside a request: the remote address (behind a proxy, the proxy's)."""
    try:
        from flask import request

        return request.remote_addr or "unknown"
    except RuntimeError:  # outside a request (tests)
        return "local"
