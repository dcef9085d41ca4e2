"""Executors: where a sweep's chunks of runs are computed, behind one interface.

An :class:`Executor` takes ``(lo, hi)`` ranges of run indices and yields
``(lo, times, codes)`` chunks (see :func:`~sim.sweep.layout.run_chunk`) **in the order of the
ranges**, keeping a bounded number in flight; since a run's seed depends only on the sweep's
seed and the run's index, what is yielded is the same whichever executor computes it.

- :class:`LocalExecutor`: in this process, one chunk after another.
- :class:`PoolExecutor`: a local process pool; the compiled scenario is sent once per worker.
- :class:`DaskExecutor`: a Dask cluster (the ``cluster`` extra); the compiled scenario is
  broadcast to the workers once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol

import numpy as np

from ..compiled import Compiled
from .errors import SweepError
from .layout import run_chunk

DASK_CONNECT_TIMEOUT = "10s"

Chunk = tuple[int, np.ndarray, np.ndarray]


class Executor(Protocol):
    """Computes chunks of a sweep and yields them in the order asked; a context manager."""

    workers: int

    def chunks(self, seed: int, ranges: Iterable[tuple[int, int]]) -> Iterator[Chunk]: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


def _ordered(submit: Callable[[int, int], Any], result: Callable[[Any], Chunk], ranges: Iterable[tuple[int, int]],
             window: int) -> Iterator[Chunk]:
    """Submit chunks keeping at most ``window`` in flight; yield results in submission order."""
    pending: deque[Any] = deque()
    for lo, hi in ranges:
        pending.append(submit(lo, hi))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


class LocalExecutor:
    """Runs every chunk here, in order."""

    workers = 1

    def __init__(self, c: Compiled):
        self.c = c

    def chunks(self, seed: int, ranges: Iterable[tuple[int, int]]) -> Iterator[Chunk]:
        return (run_chunk(self.c, seed, lo, hi) for lo, hi in ranges)

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


# -- process pool: one compiled scenario per worker process ------------------------------------
_worker_compiled: Compiled | None = None  # set once per pool process by _init_worker


def _init_worker(c: Compiled) -> None:
    global _worker_compiled
    _worker_compiled = c


def _pool_chunk(seed: int, lo: int, hi: int) -> Chunk:
    assert _worker_compiled is not None, "worker was not initialised"
    return run_chunk(_worker_compiled, seed, lo, hi)


class PoolExecutor:
    """Runs chunks in ``workers`` local processes."""

    def __init__(self, c: Compiled, workers: int):
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(c,))

    def chunks(self, seed: int, ranges: Iterable[tuple[int, int]]) -> Iterator[Chunk]:
        return _ordered(lambda lo, hi: self.pool.submit(_pool_chunk, seed, lo, hi), Future.result, ranges,
                        window=2 * self.workers + 2)

    def __enter__(self) -> PoolExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(cancel_futures=True)


class DaskExecutor:
    """Runs chunks on a Dask cluster: ``address`` is a scheduler address or a cluster object."""

    def __init__(self, c: Compiled, address: Any, workers: int = 1):
        try:
            from distributed import Client
        except ImportError:
            raise SweepError("running on a Dask cluster needs the cluster extra: "
                             "pip install 'backchannel[cluster]'") from None
        if isinstance(address, str):
            try:
                self.client = Client(address, timeout=DASK_CONNECT_TIMEOUT)
            except OSError as e:
                raise SweepError(f"cannot reach the Dask scheduler at {address}: {e}") from None
        else:
            self.client = Client(address)  # a cluster object (tests use distributed.LocalCluster)
        self.workers = workers
        self.compiled = self.client.scatter(c, broadcast=True)

    def chunks(self, seed: int, ranges: Iterable[tuple[int, int]]) -> Iterator[Chunk]:
        client, cfut = self.client, self.compiled
        return _ordered(lambda lo, hi: client.submit(run_chunk, cfut, seed, lo, hi, pure=False),
                        lambda f: f.result(), ranges, window=4 * max(1, self.workers) + 4)

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()


def make_executor(c: Compiled, workers: int = 1, dask: Any = None) -> Executor:
    """The executor for these arguments: Dask if ``dask`` is given, a pool if ``workers`` > 1, else local."""
    if dask is not None:
        return DaskExecutor(c, dask, workers)
    if workers > 1:
        return PoolExecutor(c, workers)
    return LocalExecutor(c)
