"""Writing a run to disk: ``events.csv``, ``knowledge.csv`` and ``run.json``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .timeparse import to_utc_iso

if TYPE_CHECKING:
    from .certainty import Certainty
    from .result import RunResult

EVENT_COLUMNS = ("id", "time", "kind", "actor", "to", "channel", "medium", "facts", "sources",
                 "cause", "message", "reason", "basis", "earliest", "latest")
KNOWLEDGE_COLUMNS = ("actor", "fact", "known_at", "how", "via_event", "from_actor", "channel", "medium",
                     "basis", "earliest", "latest")


def _certain(c: Certainty) -> dict[str, str]:
    """``basis``, ``earliest`` and ``latest`` columns of one certainty (times in ISO 8601 UTC)."""
    return {"basis": c.basis, "earliest": to_utc_iso(c.earliest), "latest": to_utc_iso(c.latest)}


def event_rows(result: RunResult) -> list[dict[str, Any]]:
    """The event log as rows of ``EVENT_COLUMNS``."""
    certain = result.certainties.record
    return [{"id": e.id, "time": to_utc_iso(e.time), "kind": e.kind, "actor": e.actor, "to": e.to or "",
             "channel": e.channel or "", "medium": e.medium or "", "facts": ";".join(e.facts),
             "sources": ";".join(e.sources), "cause": e.cause,
             "message": "" if e.message is None else e.message, "reason": e.reason, **_certain(certain(e.id))}
            for e in result.events]


def knowledge_rows(result: RunResult) -> list[dict[str, Any]]:
    """The ledger as rows of ``KNOWLEDGE_COLUMNS``, by time."""
    ks = sorted(result.first.values(), key=lambda k: (k.time, k.record, k.fact))
    certain = result.certainties.knowledge
    return [{"actor": k.actor, "fact": k.fact, "known_at": to_utc_iso(k.time), "how": k.how,
             "via_event": k.via_event, "from_actor": k.from_actor or "", "channel": k.channel or "",
             "medium": k.medium or "", **_certain(certain[(k.actor, k.fact)])} for k in ks]


def run_to_dict(result: RunResult) -> dict[str, Any]:
    """Everything in the run, second-order knowledge and provenance chains included."""
    s = result.scenario
    return {
        "scenario": {"title": s.meta.title, "timezone": s.meta.timezone,
                     "span": [s.meta.span.start.isoformat(), s.meta.span.end.isoformat()]},
        "mode": result.mode,
        "seed": result.seed,
        "label": result.label,
        "events": event_rows(result),
        "knowledge": [dict(row, path=result.path(row["actor"], row["fact"])) for row in knowledge_rows(result)],
        "knows_that": [{"knower": m.knower, "subject": m.subject, "fact": m.fact, "known_at": to_utc_iso(m.time),
                        "how": m.how, "record": m.record,
                        **_certain(result.certainties.meta(m))}
                       for m in sorted(result.meta.values(), key=lambda m: (m.time, m.record, m.knower))],
        "never_known": [{"actor": a, "fact": f} for f in result.compiled.facts for a in result.compiled.actors
                        if (a, f) not in result.first],
    }


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)


def write_run(result: RunResult, out_dir: str | Path) -> list[Path]:
    """Write ``events.csv``, ``knowledge.csv`` and ``run.json`` into ``out_dir``; return the paths.

    Each file is written to a temporary name and renamed, so a failure never leaves half a file.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "events.csv", out / "knowledge.csv", out / "run.json"]
    _write_csv(paths[0], EVENT_COLUMNS, event_rows(result))
    _write_csv(paths[1], KNOWLEDGE_COLUMNS, knowledge_rows(result))
    tmp = paths[2].with_suffix(".json.tmp")
    tmp.write_text(json.dumps(run_to_dict(result), indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(paths[2])
    return paths
