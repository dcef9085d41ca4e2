"""The sweep itself: a pilot here, the rest on an executor, every chunk folded into the statistics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..compiled import Compiled, compile_scenario
from ..model import Scenario
from ..timeparse import as_timestamp, to_utc_iso
from .errors import SweepError
from .executors import make_executor
from .files import _RunsWriter, write_summary
from .layout import Layout, run_chunk
from .stats import EXACT_BUDGET, PILOT, Aggregate, SweepResult, result_of

Progress = Callable[[int, int], None]
CHUNK_BYTES = 16 * 2**20  # at most this much per chunk of per-run rows in flight


def _ranges(start: int, runs: int, size: int) -> Iterator[tuple[int, int]]:
    for lo in range(start, runs, size):
        yield lo, min(lo + size, runs)


def sweep(scenario: Scenario | Compiled, runs: int, seed: int = 0, *, workers: int = 1,
          dask: Any = None, deadline: float | str | None = None, out: str | Path | None = None,
          chunk: int | None = None, alternative: str = "", progress: Progress | None = None,
          memory_budget: int = EXACT_BUDGET) -> SweepResult:
    """Run ``scenario`` ``runs`` times in stochastic mode and summarise who learned what, when.

    ``workers`` > 1 uses a local process pool; ``dask`` (a scheduler address such as
    ``tcp://host:8786``, or a cluster object) runs the chunks on a Dask cluster instead.
    ``deadline`` (default: the span end) is the moment for :meth:`SweepResult.p_by_deadline`.
    With ``out``, writes ``summary.parquet`` and ``runs.parquet`` there. ``progress`` is called
    with (runs done, runs) after every chunk. First-known times are kept exactly while
    ``runs × pairs × 8`` bytes fit ``memory_budget``, and sketched above it.
    """
    if runs < 1:
        raise SweepError("a sweep needs at least one run")
    if workers < 1:
        raise SweepError("workers must be at least 1")
    c = scenario if isinstance(scenario, Compiled) else compile_scenario(scenario)
    layout = Layout.of(c)
    dl = c.end if deadline is None else as_timestamp(deadline)
    per_run = max(1, layout.pairs * 10)  # float64 times and int16 codes per pair
    size = chunk or max(1, min(250, CHUNK_BYTES // per_run,
                               -(-runs // (workers * 8)) if (dask is not None or workers > 1) else 250))
    with make_executor(c, workers, dask) as executor:
        # the pilot: the sweep's first runs, here, to set each sketched pair's origin
        pilot = run_chunk(c, seed, 0, min(runs, PILOT))
        agg = Aggregate(layout, runs, dl, pilot[1], budget=memory_budget)
        first = pilot[0] + pilot[1].shape[0]
        meta = {"scenario": c.scenario.meta.title, "alternative": alternative, "runs": str(runs),
                "seed": str(seed), "deadline": to_utc_iso(dl), "timezone": c.scenario.meta.timezone,
                "seed_of_run_i": "blake2b(f'{seed}:{i}', digest_size=8) >> 1 (sim.sweep.run_seed)"}
        writer = _RunsWriter(Path(out) / "runs.parquet", layout, meta) if out is not None else None
        ok = False
        try:
            done = _fold(agg, writer, seed, *pilot, 0, runs, progress)
            if first < runs:
                for lo, times, codes in executor.chunks(seed, _ranges(first, runs, size)):
                    done = _fold(agg, writer, seed, lo, times, codes, done, runs, progress)
            ok = True
        finally:
            if writer is not None:
                writer.close(ok)
    result = result_of(agg, c.scenario.meta.title, c.scenario.meta.timezone, seed, alternative, c.end)
    if out is not None:
        write_summary(result, Path(out) / "summary.parquet", meta | {"bin_seconds_max": f"{result.bin_seconds:.3f}"})
    return result


def _fold(agg: Aggregate, writer: _RunsWriter | None, seed: int, lo: int, times: Any, codes: Any, done: int,
          runs: int, progress: Progress | None) -> int:
    agg.add(times, codes)
    if writer is not None:
        writer.write(lo, seed, times, codes)
    done += times.shape[0]
    if progress is not None:
        progress(done, runs)
    return done
