"""Saved scenarios: an embedded SQLite store of immutable, content-addressed scenario texts.

A row is one text, its title, the scenario it was started from (``parent``: a shipped scenario's
name such as ``alexander_release``, or ``saved:ID``) and when it was first saved. The id is a
hash of the normalised text, so saving the same text twice gives the same id and rows are never
changed or deleted (triggers refuse it). Two kinds of row share one table: ``saved`` (what "Save
& share" and ``backchannel scenarios import`` write, listed by ``backchannel scenarios list``) and
``draft`` (a text the dashboard's editor ran; it has a link too, but is not listed).

The database is in WAL mode, so readers never wait for a writer and several processes (the
dashboard's workers, the command line) can save at the same time. Its path is ``--store PATH``,
else ``$BACKCHANNEL_STORE``, else ``backchannel.sqlite3`` under the user's data directory.

``saved:ID`` names a stored scenario wherever a scenario file is expected: see :func:`open_scenario`.
A stored variant may ``extends:`` a shipped scenario (a path inside the scenario folder) or
``saved:ID``, never any other path.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from .errors import Problem, ScenarioError

if TYPE_CHECKING:
    from .model import Scenario

ENV_STORE = "BACKCHANNEL_STORE"
PREFIX = "saved:"
ID_LENGTH = 16  # hex digits of SHA-256 kept in an id (64 bits)
MAX_TITLE = 200
Kind = Literal["saved", "draft"]
_ID = re.compile(rf"^[0-9a-f]{{{ID_LENGTH}}}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS scenarios (
    id      TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('saved', 'draft')),
    text    TEXT NOT NULL,
    title   TEXT NOT NULL,
    parent  TEXT,
    created REAL NOT NULL,
    PRIMARY KEY (id, kind)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS scenarios_created ON scenarios (kind, created);
CREATE TRIGGER IF NOT EXISTS scenarios_no_update BEFORE UPDATE ON scenarios
BEGIN SELECT RAISE(ABORT, 'stored scenarios are immutable'); END;
CREATE TRIGGER IF NOT EXISTS scenarios_no_delete BEFORE DELETE ON scenarios
BEGIN SELECT RAISE(ABORT, 'stored scenarios are immutable'); END;
"""


class Saved(NamedTuple):
    """One stored scenario."""

    id: str
    kind: str
    text: str
    title: str
    parent: str | None
    created: float  # POSIX seconds

    @property
    def ref(self) -> str:
        """How a file argument, a URL or ``extends:`` names it: ``saved:ID``."""
        return PREFIX + self.id


def default_root() -> Path:
    """The folder of shipped scenarios a stored variant may extend: ``$BACKCHANNEL_SCENARIOS``, else the
    ``scenarios`` folder beside this package."""
    env = os.environ.get("BACKCHANNEL_SCENARIOS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "scenarios"


def default_path() -> Path:
    """``$BACKCHANNEL_STORE``, else ``backchannel.sqlite3`` in the user's data directory."""
    env = os.environ.get(ENV_STORE)
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path("backchannel", appauthor=False) / "backchannel.sqlite3"


def normalise(text: str) -> str:
    """The text as stored and hashed: NFC, no byte-order mark, ``\\n`` line ends, no trailing blanks
    on a line, exactly one newline at the end."""
    text = unicodedata.normalize("NFC", text).lstrip("\ufeff")
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def text_id(text: str) -> str:
    """The id of ``text``: the first :data:`ID_LENGTH` hex digits of the SHA-256 of its normal form."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:ID_LENGTH]


def parse_ref(ref: str) -> str | None:
    """The id in ``saved:ID`` (or a bare id), or None if ``ref`` is not one."""
    ref = ref.strip()
    ref = ref[len(PREFIX):] if ref.startswith(PREFIX) else ref
    return ref if _ID.match(ref) else None


def is_ref(value: object) -> bool:
    """Whether ``value`` is written ``saved:ID``."""
    return isinstance(value, str) and value.startswith(PREFIX)


class Store:
    """The scenario store at ``path`` (created on first use). Each call opens its own connection, so one
    ``Store`` may be shared by threads, and several processes may use the same file."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self._ready = False

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30.0, isolation_level=None)) as db:
            db.execute("PRAGMA busy_timeout = 30000")
            if not self._ready:
                if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                    raise OSError(f"the scenario store {self.path} cannot use write-ahead logging")
                db.executescript(_SCHEMA)
                self._ready = True
            db.execute("PRAGMA synchronous = NORMAL")
            yield db

    def put(self, text: str, title: str, parent: str | None = None, kind: Kind = "saved") -> Saved:
        """Store ``text`` (normalised) and return its row; the same text stored again returns the first row
        unchanged (its title, parent and time stay those of the first save)."""
        body = normalise(text)
        sid = text_id(body)
        row = (sid, kind, body, title.strip()[:MAX_TITLE], parent, time.time())
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("INSERT OR IGNORE INTO scenarios (id, kind, text, title, parent, created) "
                           "VALUES (?, ?, ?, ?, ?, ?)", row)
                got = db.execute("SELECT id, kind, text, title, parent, created FROM scenarios "
                                 "WHERE id = ? AND kind = ?", (sid, kind)).fetchone()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        saved = Saved(*got)
        if saved.text != body:  # two texts with the same 64-bit id: never silently hand back the other one
            raise OSError(f"the scenario store already holds a different text under id {sid}")
        return saved

    def get(self, ref: str) -> Saved | None:
        """The row for ``saved:ID`` or ``ID`` (a saved row before a draft with the same text), or None."""
        sid = parse_ref(ref)
        if sid is None:
            return None
        with self._connect() as db:
            row = db.execute("SELECT id, kind, text, title, parent, created FROM scenarios WHERE id = ? "
                             "ORDER BY kind = 'draft'", (sid,)).fetchone()
        return Saved(*row) if row else None

    def list(self, kind: Kind = "saved", limit: int | None = None) -> list[Saved]:
        """Rows of ``kind``, newest first."""
        with self._connect() as db:
            rows = db.execute("SELECT id, kind, text, title, parent, created FROM scenarios WHERE kind = ? "
                              "ORDER BY created DESC, id LIMIT ?", (kind, -1 if limit is None else limit)).fetchall()
        return [Saved(*r) for r in rows]

    def count(self, kind: Kind = "saved") -> int:
        """How many rows of ``kind`` there are."""
        with self._connect() as db:
            return db.execute("SELECT count(*) FROM scenarios WHERE kind = ?", (kind,)).fetchone()[0]

    def integrity(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` answer (``ok`` when the file is sound)."""
        with self._connect() as db:
            return "\n".join(r[0] for r in db.execute("PRAGMA integrity_check"))

    def opener(self) -> Callable[[str], tuple[str, str] | None]:
        """``open_base`` for the loader: ``extends: saved:ID`` reads that row (an id the store does not hold
        is a ``LookupError``, which the loader reports at the ``extends``); any other name is left to the
        loader, which looks inside the scenario folder."""

        def open_base(ref: str) -> tuple[str, str] | None:
            if not is_ref(ref):
                return None
            row = self.get(ref)
            if row is None:
                raise LookupError(f"base scenario {ref!r} not found: the store holds no scenario with that id")
            return row.text, row.ref

        return open_base


def not_found(ref: str, store: Store) -> ScenarioError:
    """The error for a ``saved:ID`` the store does not hold."""
    if parse_ref(ref) is None:
        why = f"{ref!r} is not a saved scenario id (saved: and {ID_LENGTH} hex digits)"
    else:
        why = f"there is no saved scenario {ref!r} in the store {store.path}"
    return ScenarioError([Problem(ref, 0, 0, "", why)])


def load_saved(ref: str, alternative: str | None = None, *, store: Store | None = None,
               root: str | Path | None = None) -> Scenario:
    """Load the stored scenario ``saved:ID``; a base it ``extends`` is another stored one or a file inside
    ``root`` (the scenario folder)."""
    from .loader import load_text

    store = store or Store()
    row = store.get(ref)
    if row is None:
        raise not_found(ref, store)
    return load_text(row.text, row.ref, alternative, root=Path(root) if root else default_root(),
                     open_base=store.opener())


def open_scenario(file: str | Path, alternative: str | None = None, *, store: Store | None = None,
                  root: str | Path | None = None) -> Scenario:
    """What a command's FILE argument names: ``saved:ID`` from the store, else a scenario or variant file."""
    if is_ref(str(file)):
        return load_saved(str(file), alternative, store=store, root=root)
    from .loader import load_scenario

    return load_scenario(file, alternative)
