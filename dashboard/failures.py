"""What went wrong, in words for a reader of the page: never a traceback, never the server's folders."""

from __future__ import annotations

import re
from pathlib import PurePath

MAX_TEXT = 200  # characters of a problem's first line
_PATH = re.compile(r"(?<![\w.])(?:/[^\s'\"/:]+){2,}/?")  # an absolute path (of two parts or more)


def without_paths(text: str) -> str:
    """``text`` with every absolute file path shortened to the file's (or folder's) name."""
    return _PATH.sub(lambda m: PurePath(m.group()).name, text)


def first_line(e: BaseException) -> str:
    """The first line of what ``e`` says (its kind where it says nothing), paths shortened to names."""
    if isinstance(e, OSError) and e.strerror:
        text = e.strerror + (f": {PurePath(str(e.filename)).name}" if e.filename else "")
    else:
        text = (str(e).splitlines() or [type(e).__name__])[0]
    return without_paths(text)[:MAX_TEXT]


def failure_text(e: BaseException) -> str:
    """``Kind: first line`` of ``e``, for a panel or a notice."""
    return f"{type(e).__name__}: {first_line(e)}"
