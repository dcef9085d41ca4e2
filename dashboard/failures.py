"""What went wrong, in words for a reader of the page: never a traceback, never the server's folders."""

from __future__ import annotations

import re
from pathlib import PurePath

MAX_TEXT = 200  # characters of a problem's first line
# A web address (left as it is), or an absolute file path of two parts or more.
_PATH = re.compile(r"(?P<url>\w[\w+.-]*://\S+)|(?<![\w.~/])(?P<path>(?:/[^\s'\"/:]+){2,}/?)")


def without_paths(text: str) -> str:
    """``text`` with every absolute file path shortened to the file's (or folder's) name; web addresses, paths
    from the home folder (``~/…``) and relative paths are left as they are."""
    return _PATH.sub(lambda m: m.group() if m.group("url") else PurePath(m.group("path")).name, text)


def first_line(e: BaseException) -> str:
    """The first line of what ``e`` says (its kind where it says nothing), paths shortened to names."""
    if isinstance(e, OSError) and e.strerror:
        text = e.strerror + (f": {PurePath(str(e.filename)).name}" if e.filename else "")
    else:
        text = (str(e).splitlines() or [type(e).__name__])[0]
    return without_paths(text)[:MAX_TEXT]


def failure_text(e: BaseException) -> str:
    """``Kind: first line`` of ``e`` (only the kind where it says nothing), for a panel or a notice."""
    said = first_line(e)
    return type(e).__name__ if said == type(e).__name__ else f"{type(e).__name__}: {said}"
