"""Writing a run to disk: ``events.csv``, ``knowledge.csv``, ``run.json`` and a ``manifest.json``."""

from __future__ import annotations

import csv
import hashlib
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .fileio import atomic_folder, atomic_open, atomic_write
from .records import reason_text
from .timeparse import to_utc_iso

if TYPE_CHECKING:
    from .certainty import Certainty
    from .result import RunResult

EVENT_COLUMNS = ("id", "time", "kind", "actor", "to", "channel", "medium", "facts", "sources",
                 "cause", "message", "reason", "basis", "earliest", "latest")
MANIFEST = "manifest.json"
KNOWLEDGE_COLUMNS = ("actor", "fact", "known_at", "how", "via_event", "from_actor", "channel", "medium",
                     "basis", "earliest", "latest")


def _certain(c: Certainty) -> dict[str, str]:
    """``basis``, ``earliest`` and ``latest`` columns of one certainty (times in ISO 8601 UTC)."""
    return {"basis": c.basis, "earliest": to_utc_iso(c.earliest), "latest": to_utc_iso(c.latest)}


def event_rows(result: RunResult) -> list[dict[str, Any]]:
    """The event log as rows of ``EVENT_COLUMNS``: lists ``;``-joined, the reason as a sentence."""
    certain = result.certainties.record
    return [{"id": e.id, "time": to_utc_iso(e.time), "kind": e.kind, "actor": e.actor, "to": ";".join(e.recipients),
             "channel": e.channel or "", "medium": e.medium or "", "facts": ";".join(e.facts),
             "sources": ";".join(e.sources), "cause": e.cause,
             "message": "" if e.message is None else e.message, "reason": reason_text(e), **_certain(certain(e.id))}
            for e in result.events]


def _structured(row: dict[str, Any], e: Any) -> dict[str, Any]:
    """An event row for ``run.json``: the CSV's columns plus the record's structured fields."""
    row["recipients"] = list(e.recipients)
    row["reason_code"] = e.reason_code
    row["missing"] = list(e.missing)
    row["send"] = e.send
    row["sent_at"] = to_utc_iso(e.sent_at) if e.sent_at is not None else None
    return row


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
        "events": [_structured(row, e) for row, e in zip(event_rows(result), result.events)],
        "knowledge": [dict(row, path=result.path(row["actor"], row["fact"])) for row in knowledge_rows(result)],
        "knows_that": [{"knower": m.knower, "subject": m.subject, "fact": m.fact, "known_at": to_utc_iso(m.time),
                        "how": m.how, "record": m.record,
                        **_certain(result.certainties.meta(m))}
                       for m in sorted(result.meta.values(), key=lambda m: (m.time, m.record, m.knower))],
        "never_known": [{"actor": a, "fact": f} for f in result.compiled.facts for a in result.compiled.actors
                        if (a, f) not in result.first],
    }


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> Path:
    with atomic_open(path, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)
    return path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_run(result: RunResult, out_dir: str | Path) -> list[Path]:
    """Write ``events.csv``, ``knowledge.csv``, ``run.json`` and ``manifest.json`` into ``out_dir``.

    The files are written into a temporary folder that then takes the place of ``out_dir`` whole
    (:func:`sim.fileio.atomic_folder`), so an interrupted write never leaves files of two runs
    side by side. ``manifest.json`` holds a run id and each file's SHA-256: :func:`check_run` tells
    whether a folder's files belong together. Returns the paths, the manifest last.
    """
    run_id = uuid.uuid4().hex

    def write(tmp: Path) -> list[Path]:
        data = run_to_dict(result)
        data["run_id"] = run_id
        paths = [_write_csv(tmp / "events.csv", EVENT_COLUMNS, event_rows(result)),
                 _write_csv(tmp / "knowledge.csv", KNOWLEDGE_COLUMNS, knowledge_rows(result)),
                 atomic_write(tmp / "run.json", json.dumps(data, indent=1, ensure_ascii=False))]
        manifest = {"run_id": run_id, "files": {p.name: _sha256(p) for p in paths}}
        return [*paths, atomic_write(tmp / MANIFEST, json.dumps(manifest, indent=1) + "\n")]

    return atomic_folder(out_dir, write)


def check_run(out_dir: str | Path) -> list[str]:
    """Problems with a folder written by :func:`write_run`: a missing manifest, a missing file, or a
    file whose checksum is not the manifest's (from another run, or changed since). Empty if sound."""
    out = Path(out_dir)
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files = dict(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        return [f"{out / MANIFEST}: cannot read the manifest ({e})"]
    problems = []
    for name, digest in files.items():
        p = out / name
        if not p.is_file():
            problems.append(f"{p}: missing")
        elif _sha256(p) != digest:
            problems.append(f"{p}: not the file of run {manifest.get('run_id')} (its checksum differs)")
    return problems
