"""Stochastic sweeps: many seeded runs of one scenario, summarised per (actor, fact).

A sweep answers "how likely, and when?": for every actor and fact, the probability of ever
learning it, of learning it before a deadline, quantiles of when, and which channel (or
intercept, or origin) brought it first.

How it stays fast and flat in memory:

- The scenario is compiled once (once per worker process, or once per Dask worker through a
  broadcast ``scatter``); runs never re-validate.
- Run ``i`` uses a seed derived from ``(seed, i)`` alone (:func:`run_seed`), so the same
  ``runs`` and ``seed`` give identical results whatever the number of workers or chunking.
- A run is reduced at once to two fixed-size rows — first-known time and first source per
  (actor, fact) pair — and its log is dropped. Chunks of rows stream into an
  :class:`Aggregate` (counts and a per-pair time histogram) and, when asked, into
  ``runs.parquet`` one row group at a time. Memory is ``pairs × bins`` counters however many
  runs there are; quantiles come from the histogram, exact to within :attr:`SweepResult.bin_seconds`
  (one minute for spans up to about eleven days; coarser for longer spans, see :data:`MAX_BINS`).
"""

from __future__ import annotations

import hashlib
import math
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .compiled import Compiled, compile_scenario
from .engine import run
from .model import Scenario
from .timeparse import as_timestamp, to_utc_iso

ORIGIN = "(origin)"
INTERCEPTED = " (intercepted)"
MAX_BINS = 32768  # per pair; with 1-minute bins this covers 22.7 days (twice an 11-day span)
MIN_BIN_SECONDS = 60.0
QUANTILES = (0.1, 0.5, 0.9)

Progress = Callable[[int, int], None]


class SweepError(ValueError):
    """A sweep cannot start: bad arguments, or the cluster extra is missing."""


def run_seed(seed: int, index: int) -> int:
    """The seed of run ``index`` in a sweep seeded with ``seed`` (a 63-bit integer).

    Derived by hashing, so it depends on nothing but ``(seed, index)``.
    """
    digest = hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@dataclass(frozen=True)
class Layout:
    """The fixed shape of a per-run summary: pair ``p`` is ``(actors[p // F], facts[p % F])``."""

    start: float
    actors: tuple[str, ...]
    facts: tuple[str, ...]
    sources: tuple[str, ...]  # "(origin)", each channel, each channel + " (intercepted)"
    pair: dict[tuple[str, str], int] = field(repr=False)
    told: dict[str, int] = field(repr=False)
    tapped: dict[str, int] = field(repr=False)

    @classmethod
    def of(cls, c: Compiled) -> Layout:
        chans = tuple(c.channels)
        pair = {(a, f): i * len(c.facts) + j for i, a in enumerate(c.actors) for j, f in enumerate(c.facts)}
        return cls(c.start, c.actors, c.facts, (ORIGIN, *chans, *(ch + INTERCEPTED for ch in chans)), pair,
                   {ch: 1 + k for k, ch in enumerate(chans)},
                   {ch: 1 + len(chans) + k for k, ch in enumerate(chans)})

    @property
    def pairs(self) -> int:
        return len(self.actors) * len(self.facts)


def summarize_run(c: Compiled, layout: Layout, seed: int, times: np.ndarray, codes: np.ndarray) -> None:
    """Run ``c`` once with ``seed``; write first-known times (seconds after the span start, NaN
    if never) and first-source codes (-1 if never) into the given rows."""
    result = run(c, "stochastic", seed)
    times.fill(np.nan)
    codes.fill(-1)
    start, pair, told, tapped = layout.start, layout.pair, layout.told, layout.tapped
    for key, k in result.first.items():
        p = pair[key]
        times[p] = k.time - start
        codes[p] = 0 if k.how == "origin" else (tapped if k.how == "intercepted" else told)[k.channel]


def run_chunk(c: Compiled, seed: int, lo: int, hi: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Runs ``lo .. hi-1`` of a sweep: ``(lo, times[n, pairs] float64, codes[n, pairs] int16)``."""
    layout = Layout.of(c)
    times = np.empty((hi - lo, layout.pairs), dtype=np.float64)
    codes = np.empty((hi - lo, layout.pairs), dtype=np.int16)
    for n, i in enumerate(range(lo, hi)):
        summarize_run(c, layout, run_seed(seed, i), times[n], codes[n])
    return lo, times, codes


# -- worker side: one compiled scenario per process ------------------------------------------
_worker_compiled: Compiled | None = None  # set once per pool process by _init_worker


def _init_worker(c: Compiled) -> None:
    global _worker_compiled
    _worker_compiled = c


def _pool_chunk(seed: int, lo: int, hi: int) -> tuple[int, np.ndarray, np.ndarray]:
    assert _worker_compiled is not None, "worker was not initialised"
    return run_chunk(_worker_compiled, seed, lo, hi)


# -- aggregation ------------------------------------------------------------------------------
class Aggregate:
    """Streaming per-pair statistics: counts, first-source counts and a time histogram."""

    def __init__(self, layout: Layout, end: float, deadline: float):
        self.layout = layout
        self.deadline = deadline - layout.start
        horizon = max(2.0 * (end - layout.start), 3600.0)  # runs may outlast the span
        self.bins = min(MAX_BINS, max(1, math.ceil(horizon / MIN_BIN_SECONDS)))
        self.width = max(MIN_BIN_SECONDS, horizon / self.bins)
        P, S = layout.pairs, len(layout.sources)
        self.runs = 0
        self.known = np.zeros(P, dtype=np.int64)
        self.before = np.zeros(P, dtype=np.int64)
        self.source = np.zeros((P, S), dtype=np.int64)
        self.hist = np.zeros((P, self.bins), dtype=np.int32)
        self.tmin = np.full(P, np.inf)
        self.tmax = np.full(P, -np.inf)

    def add(self, times: np.ndarray, codes: np.ndarray) -> None:
        """Fold a chunk of per-run rows in (order does not matter)."""
        self.runs += times.shape[0]
        mask = ~np.isnan(times)
        self.known += mask.sum(axis=0)
        self.before += (np.where(mask, times, np.inf) <= self.deadline).sum(axis=0)
        rows, cols = np.nonzero(mask)
        t = times[rows, cols]
        np.add.at(self.source, (cols, codes[rows, cols].astype(np.int64)), 1)
        b = np.clip(np.floor(t / self.width), 0, self.bins - 1).astype(np.int64)
        np.add.at(self.hist, (cols, b), 1)
        if t.size:
            np.minimum.at(self.tmin, cols, t)
            np.maximum.at(self.tmax, cols, t)


@dataclass(frozen=True)
class SweepResult:
    """What a sweep found. Times are POSIX seconds; probabilities are fractions of all runs."""

    title: str
    timezone: str
    runs: int
    seed: int
    alternative: str
    start: float
    end: float
    deadline: float
    actors: tuple[str, ...]
    facts: tuple[str, ...]
    sources: tuple[str, ...]
    bin_seconds: float
    known: np.ndarray = field(repr=False)  # [pairs] runs in which the actor ever knew the fact
    before: np.ndarray = field(repr=False)  # [pairs] runs in which it knew it by the deadline
    source: np.ndarray = field(repr=False)  # [pairs, sources] first source counts
    hist: np.ndarray = field(repr=False)  # [pairs, bins] first-known times, bins from the span start
    tmin: np.ndarray = field(repr=False)  # [pairs] earliest and latest first-known time seen,
    tmax: np.ndarray = field(repr=False)  # in seconds after the span start

    def _p(self, actor: str, fact: str) -> int:
        try:
            return self.actors.index(actor) * len(self.facts) + self.facts.index(fact)
        except ValueError:
            raise KeyError(f"no pair ({actor!r}, {fact!r}) in this sweep") from None

    def p_known(self, actor: str, fact: str) -> float:
        """Fraction of runs in which ``actor`` ever learned ``fact``."""
        return float(self.known[self._p(actor, fact)]) / self.runs if self.runs else 0.0

    def p_by_deadline(self, actor: str, fact: str) -> float:
        """Fraction of runs in which ``actor`` knew ``fact`` at or before the deadline."""
        return float(self.before[self._p(actor, fact)]) / self.runs if self.runs else 0.0

    def quantile(self, actor: str, fact: str, q: float) -> float | None:
        """The ``q`` quantile of when ``actor`` learned ``fact``, among runs where it did; None if never."""
        return self._quantile(self._p(actor, fact), q)

    def _quantile(self, p: int, q: float) -> float | None:
        n = int(self.known[p])
        if n == 0:
            return None
        h = self.hist[p]
        rank = q * (n - 1)  # 0-based rank, as numpy's 'linear' method
        cum = np.cumsum(h)
        b = int(np.searchsorted(cum, rank, side="right"))
        below = int(cum[b - 1]) if b else 0
        inside = (rank - below + 0.5) / int(h[b])
        t = (b + inside) * self.bin_seconds
        return self.start + float(min(max(t, self.tmin[p]), self.tmax[p]))

    def first_sources(self, actor: str, fact: str) -> dict[str, int]:
        """How many runs each source (channel, intercepted channel or origin) brought ``fact`` first."""
        row = self.source[self._p(actor, fact)]
        return {self.sources[s]: int(row[s]) for s in np.argsort(-row, kind="stable") if row[s]}

    def cdf(self, actor: str, fact: str) -> tuple[list[float], list[float]]:
        """Step points of P(actor knew fact by t) over all runs: (POSIX times, probabilities)."""
        p = self._p(actor, fact)
        h = self.hist[p]
        idx = np.nonzero(h)[0]
        cum = np.cumsum(h[idx]) / max(self.runs, 1)
        ts = [self.start + float(min(max((i + 1) * self.bin_seconds, self.tmin[p]), self.tmax[p])) for i in idx]
        return ts, [float(x) for x in cum]

    def probability_known_by(self, at: float | str) -> np.ndarray:
        """Matrix [actors, facts] of the fraction of runs in which each actor knew each fact by ``at``."""
        t = as_timestamp(at) - self.start
        b = int(math.floor(t / self.bin_seconds))
        if b < 0:
            counts = np.zeros(len(self.known), dtype=np.int64)
        else:
            counts = self.hist[:, :b].sum(axis=1).astype(np.int64)
            if b < self.hist.shape[1]:
                # the bin holding ``at``: all of it if every time in it is at or before ``at``
                counts += np.where(self.tmax <= t, self.hist[:, b], 0)
            # times clamped into the last bin lie beyond the horizon: counted once ``at`` passes tmax
        return (counts / max(self.runs, 1)).reshape(len(self.actors), len(self.facts))

    def rows(self) -> list[dict[str, Any]]:
        """One row per (actor, fact): probabilities, quantiles (POSIX seconds or None), top source."""
        out = []
        for i, a in enumerate(self.actors):
            for j, f in enumerate(self.facts):
                p = i * len(self.facts) + j
                srcs = self.first_sources(a, f)
                top = next(iter(srcs), "")
                row: dict[str, Any] = {
                    "actor": a, "fact": f, "runs": self.runs,
                    "p_known": float(self.known[p]) / self.runs if self.runs else 0.0,
                    "p_by_deadline": float(self.before[p]) / self.runs if self.runs else 0.0}
                for q in QUANTILES:
                    row[f"p{int(q * 100)}"] = self._quantile(p, q)
                row["top_source"] = top
                row["top_source_share"] = srcs[top] / int(self.known[p]) if top else 0.0
                row["first_sources"] = srcs
                out.append(row)
        return out


# -- writing ----------------------------------------------------------------------------------
class _RunsWriter:
    """Streams per-run rows (only pairs that were known) into ``runs.parquet``."""

    def __init__(self, path: Path, layout: Layout, metadata: dict[str, str]):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa, self.layout = pa, layout
        self.schema = pa.schema([
            ("run", pa.int32()), ("seed", pa.uint64()),
            ("actor", pa.dictionary(pa.int16(), pa.string())), ("fact", pa.dictionary(pa.int16(), pa.string())),
            ("known_at", pa.timestamp("ms", tz="UTC")), ("source", pa.dictionary(pa.int16(), pa.string())),
        ], metadata={k.encode(): v.encode() for k, v in metadata.items()})
        self.tmp = path.with_suffix(".parquet.tmp")
        self.path = path
        self.writer = pq.ParquetWriter(self.tmp, self.schema)
        self.dicts = (pa.array(layout.actors, pa.string()), pa.array(layout.facts, pa.string()),
                      pa.array(layout.sources, pa.string()))

    def write(self, lo: int, seed: int, times: np.ndarray, codes: np.ndarray) -> None:
        pa = self.pa
        rows, cols = np.nonzero(~np.isnan(times))
        F = len(self.layout.facts)
        ms = np.round((times[rows, cols] + self.layout.start) * 1000.0).astype(np.int64)
        seeds = [run_seed(seed, lo + r) for r in range(times.shape[0])]
        actors, facts, sources = self.dicts
        batch = pa.record_batch([
            pa.array(rows + lo, pa.int32()),
            pa.array(np.asarray(seeds, dtype=np.uint64)[rows], pa.uint64()),
            pa.DictionaryArray.from_arrays(pa.array((cols // F).astype(np.int16)), actors),
            pa.DictionaryArray.from_arrays(pa.array((cols % F).astype(np.int16)), facts),
            pa.array(ms, pa.timestamp("ms", tz="UTC")),
            pa.DictionaryArray.from_arrays(pa.array(codes[rows, cols].astype(np.int16)), sources),
        ], schema=self.schema)
        self.writer.write_batch(batch)

    def close(self, ok: bool) -> None:
        self.writer.close()
        if ok:
            self.tmp.replace(self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def write_summary(result: SweepResult, path: Path, metadata: dict[str, str]) -> Path:
    """Write ``summary.parquet``: one row per (actor, fact), times as UTC timestamps."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = result.rows()
    ts = pa.timestamp("ms", tz="UTC")

    def t(v: float | None) -> int | None:
        return None if v is None else round(v * 1000.0)

    table = pa.table({
        "actor": pa.array([r["actor"] for r in rows], pa.string()),
        "fact": pa.array([r["fact"] for r in rows], pa.string()),
        "runs": pa.array([r["runs"] for r in rows], pa.int64()),
        "p_known": pa.array([r["p_known"] for r in rows], pa.float64()),
        "p_by_deadline": pa.array([r["p_by_deadline"] for r in rows], pa.float64()),
        **{f"p{int(q * 100)}": pa.array([t(r[f"p{int(q * 100)}"]) for r in rows], ts) for q in QUANTILES},
        "top_source": pa.array([r["top_source"] for r in rows], pa.string()),
        "top_source_share": pa.array([r["top_source_share"] for r in rows], pa.float64()),
        "first_sources": pa.array([[{"source": k, "runs": v} for k, v in r["first_sources"].items()] for r in rows],
                                  pa.list_(pa.struct([("source", pa.string()), ("runs", pa.int64())]))),
    })
    table = table.replace_schema_metadata({k.encode(): v.encode() for k, v in metadata.items()})
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    return path


# -- running ----------------------------------------------------------------------------------
def _chunks(runs: int, size: int) -> Iterator[tuple[int, int]]:
    for lo in range(0, runs, size):
        yield lo, min(lo + size, runs)


def _ordered(submit: Callable[[int, int], Any], result: Callable[[Any], Any], runs: int, size: int,
             window: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Submit chunks keeping at most ``window`` in flight; yield results in chunk order."""
    pending: deque[Any] = deque()
    for lo, hi in _chunks(runs, size):
        pending.append(submit(lo, hi))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


def _dask_client(address: Any) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise SweepError("running on a Dask cluster needs the cluster extra: "
                         "pip install 'backchannel[cluster]'") from None
    if isinstance(address, str):
        try:
            return Client(address, timeout="10s")
        except OSError as e:
            raise SweepError(f"cannot reach the Dask scheduler at {address}: {e}") from None
    return Client(address)  # a cluster object (tests use distributed.LocalCluster)


def sweep(scenario: Scenario | Compiled, runs: int, seed: int = 0, *, workers: int = 1,
          dask: Any = None, deadline: float | str | None = None, out: str | Path | None = None,
          chunk: int | None = None, alternative: str = "", progress: Progress | None = None) -> SweepResult:
    """Run ``scenario`` ``runs`` times in stochastic mode and summarise who learned what, when.

    ``workers`` > 1 uses a local process pool; ``dask`` (a scheduler address such as
    ``tcp://host:8786``, or a cluster object) runs the chunks on a Dask cluster instead.
    ``deadline`` (default: the span end) is the moment for :meth:`SweepResult.p_by_deadline`.
    With ``out``, writes ``summary.parquet`` and ``runs.parquet`` there. ``progress`` is called
    with (runs done, runs) after every chunk.
    """
    if runs < 1:
        raise SweepError("a sweep needs at least one run")
    if workers < 1:
        raise SweepError("workers must be at least 1")
    c = scenario if isinstance(scenario, Compiled) else compile_scenario(scenario)
    layout = Layout.of(c)
    dl = c.end if deadline is None else as_timestamp(deadline)
    agg = Aggregate(layout, c.end, dl)
    parallel = dask is not None or workers > 1
    size = chunk or (max(1, min(250, math.ceil(runs / (workers * 8)))) if parallel else min(runs, 250))
    meta = {"scenario": c.scenario.meta.title, "alternative": alternative, "runs": str(runs), "seed": str(seed),
            "deadline": to_utc_iso(dl), "bin_seconds": str(agg.width), "timezone": c.scenario.meta.timezone}
    writer = None
    if out is not None:
        out_dir = Path(out)
        out_dir.mkdir(parents=True, exist_ok=True)
        writer = _RunsWriter(out_dir / "runs.parquet", layout, meta)
    ok = False
    try:
        if dask is not None:
            client = _dask_client(dask)
            try:
                cfut = client.scatter(c, broadcast=True)
                stream = _ordered(lambda lo, hi: client.submit(run_chunk, cfut, seed, lo, hi, pure=False),
                                  lambda f: f.result(), runs, size, window=4 * max(1, workers) + 4)
                ok = _consume(stream, agg, writer, seed, runs, progress)
            finally:
                client.close()
        elif workers > 1:
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(c,)) as pool:
                stream = _ordered(lambda lo, hi: pool.submit(_pool_chunk, seed, lo, hi),
                                  Future.result, runs, size, window=2 * workers + 2)
                ok = _consume(stream, agg, writer, seed, runs, progress)
        else:
            stream = (run_chunk(c, seed, lo, hi) for lo, hi in _chunks(runs, size))
            ok = _consume(stream, agg, writer, seed, runs, progress)
    finally:
        if writer is not None:
            writer.close(ok)
    result = SweepResult(c.scenario.meta.title, c.scenario.meta.timezone, runs, seed, alternative, c.start, c.end,
                         dl, layout.actors, layout.facts, layout.sources, agg.width, agg.known, agg.before,
                         agg.source, agg.hist, agg.tmin, agg.tmax)
    if out is not None:
        write_summary(result, Path(out) / "summary.parquet", meta)
    return result


def _consume(stream: Iterator[tuple[int, np.ndarray, np.ndarray]], agg: Aggregate, writer: _RunsWriter | None,
             seed: int, runs: int, progress: Progress | None) -> bool:
    done = 0
    for lo, times, codes in stream:
        agg.add(times, codes)
        if writer is not None:
            writer.write(lo, seed, times, codes)
        done += times.shape[0]
        if progress is not None:
            progress(done, runs)
    return True
