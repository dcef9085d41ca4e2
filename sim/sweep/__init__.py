"""Stochastic sweeps: many seeded runs of one scenario, summarised per (actor, fact).

A sweep answers "how likely, and when?": for every actor and fact, the probability of ever
learning it, of learning it before a deadline, quantiles of when, and which channel (or
intercept, or origin) brought it first.

The package has three parts behind :func:`sweep`:

- :mod:`sim.sweep.layout` — seeds and the fixed shape of a per-run summary. Run ``i`` uses a
  seed derived from ``(seed, i)`` alone (:func:`run_seed`), so the same ``runs`` and ``seed``
  give identical results whatever the number of workers or chunking.
- :mod:`sim.sweep.executors` — where chunks of runs are computed: here, in a local process
  pool, or on a Dask cluster, behind one interface that yields chunks in order.
- :mod:`sim.sweep.stats` — what is kept: counts, first sources, and first-known times, exact
  while runs × pairs fit a memory budget and as mergeable DDSketch quantile sketches above it,
  so that memory stays bounded whatever the number of runs.

:mod:`sim.sweep.files` writes ``summary.parquet`` and ``runs.parquet``.
"""

from __future__ import annotations

from .core import sweep
from .errors import SweepError
from .executors import DASK_CONNECT_TIMEOUT, Executor, make_executor
from .layout import INTERCEPTED, ORIGIN, Layout, run_chunk, run_seed, summarize_run
from .stats import EXACT_BUDGET, QUANTILES, SKETCH_ACCURACY, Aggregate, SweepResult

__all__ = [
    "DASK_CONNECT_TIMEOUT",
    "EXACT_BUDGET",
    "INTERCEPTED",
    "ORIGIN",
    "QUANTILES",
    "SKETCH_ACCURACY",
    "Aggregate",
    "Executor",
    "Layout",
    "SweepError",
    "SweepResult",
    "make_executor",
    "run_chunk",
    "run_seed",
    "summarize_run",
    "sweep",
]
