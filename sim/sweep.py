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
  ``runs.parquet`` one row group at a time. Memory is ``pairs × BINS`` counters however many
  runs there are. Each pair's histogram covers the range its first :data:`PILOT` runs showed
  (widened), so quantiles are exact to within :meth:`SweepResult.resolution` — seconds for
  pairs whose timing varies by hours, minutes for pairs that vary by days.
"""

from __future__ import annotations

import hashlib
import itertools
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
BINS = 4096  # histogram bins per (actor, fact) pair
PILOT = 64  # runs that set each pair's histogram range
DASK_CONNECT_TIMEOUT = "10s"
MIN_PAD_SECONDS = 600.0
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
    """The fixed shape of a per-run summary: pair ``p`` is ``(actors[p // F], facts[p % F])``;
    source ``s`` is ``sources[s]``: ``(origin)``, each channel, then each channel intercepted."""

    start: float
    actors: tuple[str, ...]
    facts: tuple[str, ...]
    sources: tuple[str, ...]
    pair: dict[tuple[str, str], int] = field(repr=False)
    code: dict[tuple[str, str | None], int] = field(repr=False)  # (how, channel) -> source

    @classmethod
    def of(cls, c: Compiled) -> Layout:
        chans = tuple(c.channels)
        pair = {(a, f): i * len(c.facts) + j for i, a in enumerate(c.actors) for j, f in enumerate(c.facts)}
        code: dict[tuple[str, str | None], int] = {("origin", None): 0}
        for k, ch in enumerate(chans):
            code["told", ch] = 1 + k
            code["intercepted", ch] = 1 + len(chans) + k
        return cls(c.start, c.actors, c.facts, (ORIGIN, *chans, *(ch + INTERCEPTED for ch in chans)), pair, code)

    @property
    def pairs(self) -> int:
        return len(self.actors) * len(self.facts)


def summarize_run(c: Compiled, layout: Layout, seed: int) -> tuple[list[int], list[float], list[int]]:
    """Run ``c`` once with ``seed``; return the known pairs' indices, first-known times (POSIX)
    and first-source codes. The run's log is dropped."""
    first = run(c, "stochastic", seed).first
    pair, code = layout.pair, layout.code
    ks = list(first.values())
    return [pair[key] for key in first], [k.time for k in ks], [code[k.how, k.channel] for k in ks]


def run_chunk(c: Compiled, seed: int, lo: int, hi: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Runs ``lo .. hi-1`` of a sweep: ``(lo, times[n, pairs] float64, codes[n, pairs] int16)``.

    Times are seconds after the span start; ``times`` is NaN and ``codes`` -1 where the actor
    never knew the fact.
    """
    layout = Layout.of(c)
    times = np.full((hi - lo, layout.pairs), np.nan, dtype=np.float64)
    codes = np.full((hi - lo, layout.pairs), -1, dtype=np.int16)
    rows: list[int] = []
    pairs: list[int] = []
    when: list[float] = []
    how: list[int] = []
    for n, i in enumerate(range(lo, hi)):
        ps, ts, cs = summarize_run(c, layout, run_seed(seed, i))
        rows += [n] * len(ps)
        pairs += ps
        when += ts
        how += cs
    times[rows, pairs] = when  # one conversion per chunk, not per run
    codes[rows, pairs] = how
    times -= layout.start
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
    """Streaming per-pair statistics: counts, first-source counts and a time histogram.

    Each pair's histogram has :data:`BINS` bins over its own range, set from the pilot chunk
    (the sweep's first runs, :data:`PILOT` of them, the same whatever the workers): the pilot's
    earliest to latest time, widened by half that spread (at least ten minutes) on each side.
    Pairs the pilot never saw get the whole span. Later times outside the range fall into the
    edge bins; the exact earliest and latest times are kept besides.
    """

    def __init__(self, layout: Layout, end: float, deadline: float, pilot: np.ndarray, bins: int = BINS):
        self.layout = layout
        self.deadline = deadline - layout.start
        self.bins = bins
        P, S = layout.pairs, len(layout.sources)
        seen = ~np.isnan(pilot)
        with np.errstate(invalid="ignore"):
            lo = np.where(seen, pilot, np.inf).min(axis=0)
            hi = np.where(seen, pilot, -np.inf).max(axis=0)
        any_seen = seen.any(axis=0)
        pad = np.maximum(0.5 * (hi - lo), MIN_PAD_SECONDS)
        span = max(end - layout.start, 3600.0)
        self.lo = np.where(any_seen, lo - pad, 0.0)
        self.width = np.where(any_seen, (hi - lo + 2 * pad) / bins, 1.25 * span / bins)
        self.runs = 0
        self.known = np.zeros(P, dtype=np.int64)
        self.before = np.zeros(P, dtype=np.int64)
        self.source = np.zeros((P, S), dtype=np.int64)
        self.hist = np.zeros((P, bins), dtype=np.int32)
        self.tmin = np.full(P, np.inf)
        self.tmax = np.full(P, -np.inf)

    def add(self, times: np.ndarray, codes: np.ndarray) -> None:
        """Fold a chunk of per-run rows in (order does not matter)."""
        self.runs += times.shape[0]
        mask = ~np.isnan(times)
        self.known += mask.sum(axis=0)
        self.before += (times <= self.deadline).sum(axis=0)  # NaN compares False
        cols = np.nonzero(mask)[1]
        if not cols.size:
            return
        t = times[mask]  # row-major, like nonzero
        _count(self.source.reshape(-1), cols * self.source.shape[1] + codes[mask].astype(np.int64))
        b = np.clip(np.floor((t - self.lo[cols]) / self.width[cols]), 0, self.bins - 1).astype(np.int64)
        _count(self.hist.reshape(-1), cols * self.bins + b)
        np.fmin(self.tmin, np.fmin.reduce(times, axis=0), out=self.tmin)  # fmin/fmax skip NaN
        np.fmax(self.tmax, np.fmax.reduce(times, axis=0), out=self.tmax)


def _count(flat: np.ndarray, index: np.ndarray) -> None:
    """``flat[i] += 1`` for every ``i`` in ``index`` (repeats included); ``flat`` is a view."""
    u, n = np.unique(index, return_counts=True)
    flat[u] += n.astype(flat.dtype)


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
    known: np.ndarray = field(repr=False)  # [pairs] runs in which the actor ever knew the fact
    before: np.ndarray = field(repr=False)  # [pairs] runs in which it knew it by the deadline
    source: np.ndarray = field(repr=False)  # [pairs, sources] first source counts
    hist: np.ndarray = field(repr=False)  # [pairs, bins] first-known times, bins from the span start
    tmin: np.ndarray = field(repr=False)  # [pairs] earliest and latest first-known time seen,
    tmax: np.ndarray = field(repr=False)  # in seconds after the span start
    lo: np.ndarray = field(repr=False)  # [pairs] start of each pair's histogram, after the span start
    width: np.ndarray = field(repr=False)  # [pairs] bin width of each pair's histogram, seconds

    @property
    def bin_seconds(self) -> float:
        """The widest histogram bin among pairs that were known: the worst quantile resolution."""
        w = self.width[self.known > 0]
        return float(w.max()) if w.size else 0.0

    def resolution(self, actor: str, fact: str) -> float:
        """Bin width (seconds) of the pair's histogram: its quantiles are exact to within this."""
        return float(self.width[self._p(actor, fact)])

    def _edges(self, p: int, b: int) -> tuple[float, float]:
        """Time range (after the span start) of bin ``b`` of pair ``p``; edge bins reach the extremes."""
        lo, w = float(self.lo[p]), float(self.width[p])
        low = lo + b * w if b > 0 else min(lo, float(self.tmin[p]))
        high = lo + (b + 1) * w if b < self.hist.shape[1] - 1 else max(lo + (b + 1) * w, float(self.tmax[p]))
        return low, high

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
        low, high = self._edges(p, b)
        t = low + (high - low) * (rank - below + 0.5) / int(h[b])
        return self.start + float(min(max(t, self.tmin[p]), self.tmax[p]))

    def first_sources(self, actor: str, fact: str) -> dict[str, int]:
        """How many runs each source (channel, intercepted channel or origin) brought ``fact`` first."""
        row = self.source[self._p(actor, fact)]
        return {self.sources[s]: int(row[s]) for s in np.argsort(-row, kind="stable") if row[s]}

    def cdf(self, actor: str, fact: str) -> tuple[list[float], list[float]]:
        """Step points of P(actor knew fact by t) over all runs: (POSIX times, probabilities).

        Each point is the end of a histogram bin (the latest time seen, for the last one).
        """
        p = self._p(actor, fact)
        h = self.hist[p]
        idx = np.nonzero(h)[0]
        cum = np.cumsum(h[idx]) / max(self.runs, 1)
        ts = [self.start + min(max(self._edges(p, int(i))[1], float(self.tmin[p])), float(self.tmax[p])) for i in idx]
        return ts, [float(x) for x in cum]

    def probability_known_by(self, at: float | str) -> np.ndarray:
        """Matrix [actors, facts] of the fraction of runs in which each actor knew each fact by ``at``.

        Exact before a pair's earliest and after its latest time; in between, to within a bin.
        """
        t = as_timestamp(at) - self.start
        B = self.hist.shape[1]
        b = np.clip(np.floor((t - self.lo) / self.width), 0, B).astype(np.int64)  # bins wholly before t
        cum = np.concatenate([np.zeros((len(b), 1), dtype=np.int64), np.cumsum(self.hist, axis=1)], axis=1)
        counts = cum[np.arange(len(b)), b]
        counts = np.where(t >= self.tmax, self.known, np.where(t < self.tmin, 0, counts))
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
        from .fileio import atomic_open

        self.file = atomic_open(path, "wb")  # replaces path whole when closed with ok=True
        self.writer = pq.ParquetWriter(self.file.__enter__(), self.schema)
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
            self.file.__exit__(None, None, None)
        else:
            failed = RuntimeError("sweep did not finish")
            self.file.__exit__(type(failed), failed, None)  # the partial file is removed


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
    from .fileio import atomic_open

    with atomic_open(path, "wb") as fh:
        pq.write_table(table, fh)
    return path


# -- running ----------------------------------------------------------------------------------
def _chunks(start: int, runs: int, size: int) -> Iterator[tuple[int, int]]:
    for lo in range(start, runs, size):
        yield lo, min(lo + size, runs)


def _ordered(submit: Callable[[int, int], Any], result: Callable[[Any], Any], start: int, runs: int, size: int,
             window: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Submit chunks keeping at most ``window`` in flight; yield results in chunk order."""
    pending: deque[Any] = deque()
    for lo, hi in _chunks(start, runs, size):
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
            return Client(address, timeout=DASK_CONNECT_TIMEOUT)
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
    client = _dask_client(dask) if dask is not None else None
    try:
        # the pilot: the sweep's first runs, here, to set each pair's histogram range
        pilot = run_chunk(c, seed, 0, min(runs, PILOT))
        agg = Aggregate(layout, c.end, dl, pilot[1])
        first = pilot[0] + pilot[1].shape[0]
        parallel = client is not None or workers > 1
        size = chunk or (max(1, min(250, math.ceil(runs / (workers * 8)))) if parallel else 250)
        meta = {"scenario": c.scenario.meta.title, "alternative": alternative, "runs": str(runs),
                "seed": str(seed), "deadline": to_utc_iso(dl), "timezone": c.scenario.meta.timezone,
                "seed_of_run_i": "blake2b(f'{seed}:{i}', digest_size=8) >> 1 (sim.sweep.run_seed)"}
        writer = _RunsWriter(Path(out) / "runs.parquet", layout, meta) if out is not None else None
        ok = False
        try:
            if first >= runs:
                stream: Iterator[tuple[int, np.ndarray, np.ndarray]] = iter(())
                ok = _consume(itertools.chain([pilot], stream), agg, writer, seed, runs, progress)
            elif client is not None:
                cfut = client.scatter(c, broadcast=True)
                stream = _ordered(lambda lo, hi: client.submit(run_chunk, cfut, seed, lo, hi, pure=False),
                                  lambda f: f.result(), first, runs, size, window=4 * max(1, workers) + 4)
                ok = _consume(itertools.chain([pilot], stream), agg, writer, seed, runs, progress)
            elif workers > 1:
                with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(c,)) as pool:
                    stream = _ordered(lambda lo, hi: pool.submit(_pool_chunk, seed, lo, hi),
                                      Future.result, first, runs, size, window=2 * workers + 2)
                    ok = _consume(itertools.chain([pilot], stream), agg, writer, seed, runs, progress)
            else:
                stream = (run_chunk(c, seed, lo, hi) for lo, hi in _chunks(first, runs, size))
                ok = _consume(itertools.chain([pilot], stream), agg, writer, seed, runs, progress)
        finally:
            if writer is not None:
                writer.close(ok)
    finally:
        if client is not None:
            client.close()
    result = SweepResult(c.scenario.meta.title, c.scenario.meta.timezone, runs, seed, alternative, c.start, c.end,
                         dl, layout.actors, layout.facts, layout.sources, agg.known, agg.before,
                         agg.source, agg.hist, agg.tmin, agg.tmax, agg.lo, agg.width)
    if out is not None:
        write_summary(result, Path(out) / "summary.parquet", meta | {"bin_seconds_max": f"{result.bin_seconds:.3f}"})
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
