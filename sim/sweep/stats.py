"""A sweep's statistics: counts, first sources and first-known times, in bounded memory.

First-known times are kept **exactly** (one float per run and pair) while ``runs × pairs``
fits :data:`EXACT_BUDGET`; above it, each pair that was ever known gets a DDSketch, a
mergeable quantile sketch whose answers are within a relative :data:`SKETCH_ACCURACY` of the
exact ones. Sketched values are measured from the pair's earliest time in the sweep's first
runs (the *pilot*, the same whatever the workers), so the relative error applies to how much a
pair's timing varies, not to how far it lies from the span's start. First sources are counted
sparsely (per pair, only the sources that occurred), so neither part grows with the number of
runs beyond the budget, nor with channels × pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..timeparse import as_timestamp
from .layout import Layout

EXACT_BUDGET = 256 * 2**20  # bytes of exact first-known times a sweep may hold (runs × pairs × 8)
SKETCH_ACCURACY = 0.01  # relative accuracy of the quantile sketches
QUANTILES = (0.1, 0.5, 0.9)
CDF_POINTS = 101  # quantiles a sketched pair's cumulative distribution is drawn through
PILOT = 64  # runs that set each sketched pair's origin


def _sketch(accuracy: float) -> Any:
    from ddsketch import DDSketch

    return DDSketch(relative_accuracy=accuracy)


class Aggregate:
    """Streaming per-pair statistics; chunks of per-run rows are added in run order."""

    def __init__(self, layout: Layout, runs: int, deadline: float, pilot: np.ndarray,
                 budget: int = EXACT_BUDGET, accuracy: float = SKETCH_ACCURACY):
        P = layout.pairs
        self.layout = layout
        self.deadline = deadline - layout.start
        self.accuracy = accuracy
        self.exact = runs * P * 8 <= budget
        self.times: np.ndarray | None = np.full((runs, P), np.nan) if self.exact else None
        self.sketches: dict[int, Any] = {}
        seen = ~np.isnan(pilot)
        with np.errstate(invalid="ignore"):
            self.offset = np.where(seen.any(axis=0), np.where(seen, pilot, np.inf).min(axis=0), 0.0)
        self.runs = 0
        self.known = np.zeros(P, dtype=np.int64)
        self.before = np.zeros(P, dtype=np.int64)
        self.sources: dict[int, dict[int, int]] = {}  # pair -> {source: runs in which it came first}
        self.tmin = np.full(P, np.inf)
        self.tmax = np.full(P, -np.inf)

    def add(self, times: np.ndarray, codes: np.ndarray) -> None:
        """Fold in the next chunk of runs (rows in run order)."""
        n = times.shape[0]
        if self.times is not None:
            self.times[self.runs:self.runs + n] = times
        self.runs += n
        mask = ~np.isnan(times)
        self.known += mask.sum(axis=0)
        self.before += (times <= self.deadline).sum(axis=0)  # NaN compares False
        rows, cols = np.nonzero(mask)
        if not cols.size:
            return
        S = len(self.layout.sources)
        keys, counts = np.unique(cols.astype(np.int64) * S + codes[rows, cols], return_counts=True)
        for k, m in zip(keys.tolist(), counts.tolist()):
            per = self.sources.setdefault(k // S, {})
            per[k % S] = per.get(k % S, 0) + m
        np.fmin(self.tmin, np.fmin.reduce(times, axis=0), out=self.tmin)  # fmin/fmax skip NaN
        np.fmax(self.tmax, np.fmax.reduce(times, axis=0), out=self.tmax)
        if self.times is None:
            sketches, acc = self.sketches, self.accuracy
            for p, v in zip(cols.tolist(), (times[rows, cols] - self.offset[cols]).tolist()):
                sk = sketches.get(p)
                if sk is None:
                    sk = sketches[p] = _sketch(acc)
                sk.add(v)


@dataclass(frozen=True)
class SweepResult:
    """What a sweep found. Times are POSIX seconds; probabilities are fractions of all runs.

    ``times`` holds every run's first-known times (seconds after the span start, NaN where
    never known) when the sweep kept them exactly; otherwise ``sketches`` holds a quantile
    sketch per known pair, of times after ``offset``.
    """

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
    source_counts: dict[int, dict[int, int]] = field(repr=False)  # pair -> {source: runs it came first}
    tmin: np.ndarray = field(repr=False)  # [pairs] earliest and latest first-known time seen,
    tmax: np.ndarray = field(repr=False)  # in seconds after the span start
    times: np.ndarray | None = field(repr=False, default=None)  # [runs, pairs] when exact
    sketches: dict[int, Any] = field(repr=False, default_factory=dict)  # pair -> DDSketch otherwise
    offset: np.ndarray | None = field(repr=False, default=None)  # [pairs] origin of each sketch
    accuracy: float = SKETCH_ACCURACY

    @property
    def exact(self) -> bool:
        """Whether quantiles and distributions are exact (every run's time kept) or sketched."""
        return self.times is not None

    @property
    def bin_seconds(self) -> float:
        """The worst quantile resolution among known pairs, in seconds (0 when exact)."""
        if self.exact:
            return 0.0
        return max((self._resolution(p) for p in self.sketches), default=0.0)

    def resolution(self, actor: str, fact: str) -> float:
        """Seconds within which the pair's quantiles are exact (0 when every run's time is kept)."""
        return 0.0 if self.exact else self._resolution(self._p(actor, fact))

    def _resolution(self, p: int) -> float:
        if not self.known[p]:
            return 0.0
        off = float(self.offset[p]) if self.offset is not None else 0.0
        return self.accuracy * max(abs(float(self.tmax[p]) - off), abs(float(self.tmin[p]) - off))

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

    def _values(self, p: int) -> np.ndarray:
        assert self.times is not None
        col = self.times[:, p]
        return col[~np.isnan(col)]

    def _quantile(self, p: int, q: float) -> float | None:
        if not self.known[p]:
            return None
        if self.times is not None:
            return self.start + float(np.quantile(self._values(p), q))  # numpy's 'linear' method
        off = float(self.offset[p]) if self.offset is not None else 0.0
        t = self.sketches[p].get_quantile_value(q) + off
        return self.start + min(max(t, float(self.tmin[p])), float(self.tmax[p]))

    def first_sources(self, actor: str, fact: str) -> dict[str, int]:
        """How many runs each source (channel, intercepted channel or origin) brought ``fact`` first."""
        per = self.source_counts.get(self._p(actor, fact), {})
        return {self.sources[s]: n for s, n in sorted(per.items(), key=lambda x: (-x[1], x[0]))}

    def cdf(self, actor: str, fact: str) -> tuple[list[float], list[float]]:
        """Step points of P(actor knew fact by t) over all runs: (POSIX times, probabilities)."""
        p = self._p(actor, fact)
        n = int(self.known[p])
        if not n:
            return [], []
        runs = max(self.runs, 1)
        if self.times is not None:
            u, counts = np.unique(self._values(p), return_counts=True)
            return [self.start + float(x) for x in u], [float(x) for x in np.cumsum(counts) / runs]
        ts, ps = [], []
        for q in np.linspace(0.0, 1.0, CDF_POINTS):
            t = self._quantile(p, float(q))
            assert t is not None
            if ts and t <= ts[-1]:
                ps[-1] = float(q) * n / runs
                continue
            ts.append(t)
            ps.append(float(q) * n / runs)
        return ts, ps

    def probability_known_by(self, at: float | str) -> np.ndarray:
        """Matrix [actors, facts] of the fraction of runs in which each actor knew each fact by ``at``.

        Exact when every run's time is kept; otherwise exact before a pair's earliest and after its
        latest time, and in between to within 1/(CDF_POINTS−1) of the runs that knew it.
        """
        t = as_timestamp(at) - self.start
        runs = max(self.runs, 1)
        if self.times is not None:
            counts = (self.times <= t).sum(axis=0)
        else:
            counts = np.where(t >= self.tmax, self.known, 0).astype(np.float64)
            for p in self.sketches:
                if self.tmin[p] <= t < self.tmax[p]:
                    ts, ps = self.cdf(self.actors[p // len(self.facts)], self.facts[p % len(self.facts)])
                    i = int(np.searchsorted(ts, self.start + t, side="right"))
                    counts[p] = ps[i - 1] * runs if i else 0.0
        return (counts / runs).reshape(len(self.actors), len(self.facts))

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


def result_of(agg: Aggregate, title: str, timezone: str, seed: int, alternative: str, end: float) -> SweepResult:
    """The :class:`SweepResult` of a finished aggregate."""
    lay = agg.layout
    return SweepResult(title, timezone, agg.runs, seed, alternative, lay.start, end, agg.deadline + lay.start,
                       lay.actors, lay.facts, lay.sources, agg.known, agg.before, agg.sources, agg.tmin, agg.tmax,
                       agg.times, agg.sketches, None if agg.exact else agg.offset, agg.accuracy)

