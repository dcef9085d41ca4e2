"""Writing a sweep: ``runs.parquet`` (one row per run and known pair, streamed) and ``summary.parquet``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .layout import Layout, run_seed
from .stats import QUANTILES, SweepResult

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
        from ..fileio import atomic_open

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
    from ..fileio import atomic_open

    with atomic_open(path, "wb") as fh:
        pq.write_table(table, fh)
    return path
