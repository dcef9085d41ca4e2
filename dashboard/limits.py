"""Sweeps on a shared server: at most one at a time per client, a few at a time in total, never queued.

A dashboard sweep costs seconds of a worker. :func:`sweep_slot` lets a callback run one only when
the client (its address) has no other sweep running and one of :func:`slots` is free, across all
the server's worker processes on this machine (``flock`` on small files in :func:`lock_dir`);
otherwise it raises :class:`Busy` at once, and the panel asks to try again. The same sweep asked
twice at once (two panels of one page) waits for the first, whose result the cache then holds.
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
DEFAULT_SLOTS = 2  # sweeps at a time on the whole server
DEFAULT_MAX_RUNS = 2000  # replays in one dashboard sweep
BUSY = "The server is busy with other sweeps; try again in a moment."
MINE = "Another sweep of yours is still running; try again when it has finished."


class Busy(Exception):
    """No sweep may start now; the message says why, for the reader."""


def _int_env(name: str, default: int, top: int) -> int:
    try:
        return min(max(1, int(os.environ.get(name, default))), top)
    except ValueError:
        return default


def slots() -> int:
    """Sweeps that may run at once on the server (``$BACKCHANNEL_SWEEP_SLOTS``, default 2)."""
    return _int_env(ENV_SLOTS, DEFAULT_SLOTS, 64)


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
def sweep_slot(client: str, key: str) -> Iterator[None]:
    """Hold a sweep slot for ``client`` while computing the sweep named ``key``; raise :class:`Busy` if none.

    Locks are released when the block ends, and by the system if the process dies.
    """
    with ExitStack() as stack:
        same = stack.enter_context(_open(f"sweep-{_digest(key)}.lock"))
        fcntl.flock(same, fcntl.LOCK_EX)  # the same sweep asked twice at once: the second waits for the first
        mine = stack.enter_context(_open(f"client-{_digest(client)}.lock"))
        if not _try(mine):
            raise Busy(MINE)
        for i in range(slots()):
            slot = stack.enter_context(_open(f"slot-{i}.lock"))
            if _try(slot):
                break
        else:
            raise Busy(BUSY)
        yield


def client_of_request() -> str:
    """Who asks, inside a request: the remote address (behind a proxy, the proxy's)."""
    try:
        from flask import request

        return request.remote_addr or "unknown"
    except RuntimeError:  # outside a request (tests)
        return "local"
