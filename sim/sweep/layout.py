"""Seeds and layout: which seed each run gets, and the fixed shape of a per-run summary."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from ..compiled import Compiled
from ..engine import first_knowledge

ORIGIN = "(origin)"
INTERCEPTED = " (intercepted)"


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
    first = first_knowledge(c, "stochastic", seed)
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
