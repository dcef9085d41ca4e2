"""Writing files so that a reader never sees half of one: the project's one atomic-write helper.

Every file the project writes goes through :func:`atomic_open`/:func:`atomic_write` (one file) or
:func:`atomic_folder` (a set of files that belong together, such as one run's output). Both write
to a fresh temporary name created exclusively in the target's folder, so a symlink planted at a
predictable name is never followed; both rename into place only once everything is written; both
report a failure as :class:`WriteError`, an ``OSError`` that names the file the user asked for.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


class WriteError(OSError):
    """A file could not be written; ``filename`` is the file the user asked for."""

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


def _error(e: OSError, target: Path) -> WriteError:
    if isinstance(e, WriteError):
        return e
    return WriteError(e.errno or 0, e.strerror or str(e), str(target))


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", *, encoding: str | None = "utf-8",
                newline: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path`` for writing; on success it replaces ``path`` whole.

    On any failure the temporary file is removed, ``path`` is left as it was and the error is
    raised as :class:`WriteError` naming ``path``.
    """
    target = Path(path)
    binary = "b" in mode
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise _error(e, target) from None
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding,
                       newline=None if binary else newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise _error(e, target) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically; return the path."""
    with atomic_open(path, "wb" if isinstance(data, bytes) else "w") as fh:
        fh.write(data)
    return Path(path)


def atomic_folder(out_dir: str | Path, write: Callable[[Path], list[Path]]) -> list[Path]:
    """Fill ``out_dir`` as a whole: ``write(tmp_dir)`` writes its files into a fresh temporary folder
    and returns their paths; the folder then takes the place of ``out_dir``.

    When ``out_dir`` does not exist yet, or holds only files that ``write`` writes again, the
    temporary folder is renamed onto it: a reader sees the old set or the new set, never a mix.
    Files in ``out_dir`` that ``write`` does not write (a user's own) are kept; the new files then
    move in one by one, each replaced atomically. Returns the paths in ``out_dir``; an error names
    the file in ``out_dir`` it concerns.
    """
    out = Path(out_dir)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists() and not out.is_dir():
            raise NotADirectoryError(20, "Not a directory", str(out))
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as e:
        raise _error(e, out) from None

    def mapped(e: OSError) -> WriteError:
        name = str(e.filename or "")
        if name.startswith(str(tmp)):
            return WriteError(e.errno or 0, e.strerror or str(e), str(out / Path(name).relative_to(tmp)))
        return _error(e, out)

    try:
        names = [p.name for p in write(tmp)]
        tmp.chmod(0o755)
        others = [p for p in out.iterdir() if p.name not in names] if out.is_dir() else []
        if others:
            for name in names:
                os.replace(tmp / name, out / name)
            tmp.rmdir()
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            if out.is_dir():
                os.replace(out, old / out.name)
            try:
                os.replace(tmp, out)
            except OSError:
                if (old / out.name).exists():
                    os.replace(old / out.name, out)
                raise
            finally:
                shutil.rmtree(old, ignore_errors=True)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise mapped(e) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / name for name in names]
