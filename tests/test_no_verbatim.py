"""No text in the project repeats the reports behind the documented scenario.

The five reports are kept outside the repository, in ``../shared/seeds/`` next to its root (see
``docs/alexander_release.md``). Their facts may be used; their sentences may not. This test reads
every text file that git knows of (tracked, or new and not ignored) and fails on any run of more
than eight consecutive words that also appears in one of the reports, after folding case and
dropping punctuation. Where the reports are not on the machine, or the tree is not a git checkout,
it skips.
"""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
LONGEST_ALLOWED = 8  # words; a run of LONGEST_ALLOWED + 1 shared words fails
WORD = re.compile(r"[a-z0-9]+")
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _words(text: str) -> list[tuple[str, int]]:
    """The words of ``text`` (case folded, punctuation dropped), each with its 1-based line."""
    folded = text.lower().translate(APOSTROPHES)
    newlines = [i for i, c in enumerate(folded) if c == "\n"]
    return [(m.group(), bisect.bisect_left(newlines, m.start()) + 1) for m in WORD.finditer(folded)]


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def _reports() -> dict[tuple[str, ...], str]:
    """Every run of LONGEST_ALLOWED + 1 words in the reports, with the report it comes from."""
    grams: dict[tuple[str, ...], str] = {}
    for f in sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []:
        for gram in _ngrams([w for w, _ in _words(f.read_text(encoding="utf-8"))], LONGEST_ALLOWED + 1):
            grams.setdefault(gram, f.name)
    return grams


def _project_text_files() -> list[Path]:
    git = shutil.which("git")
    if git is None:
        return []
    listed = subprocess.run([git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:
        return []
    out = []
    for name in sorted(set(listed.stdout.decode("utf-8", "surrogateescape").split("\0")) - {""}):
        path = ROOT / name
        if path.is_file():
            out.append(path)
    return out


def _text(path: Path) -> str | None:
    """The file's text, or None for a binary file (NUL bytes or not UTF-8)."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def copied_runs(text: str, reports: dict[tuple[str, ...], str]) -> list[tuple[int, str, str]]:
    """Each maximal run of words shared with a report, as (line, report file, the words)."""
    words = _words(text)
    plain = [w for w, _ in words]
    n = LONGEST_ALLOWED + 1
    runs: list[tuple[int, str, str]] = []
    i = 0
    while i + n <= len(plain):
        report = reports.get(tuple(plain[i:i + n]))
        if report is None:
            i += 1
            continue
        j = i + n  # extend the run while the window ending at j still matches
        while j < len(plain) and tuple(plain[j - n + 1:j + 1]) in reports:
            j += 1
        runs.append((words[i][1], report, " ".join(plain[i:j])))
        i = j
    return runs


@pytest.fixture(scope="module")
def reports() -> dict[tuple[str, ...], str]:
    found = _reports()
    if not found:
        pytest.skip(f"the reports are not on this machine (looked in {SEEDS})")
    return found


def test_the_check_finds_a_copied_sentence(reports):
    """The check itself: a sentence lifted from a report, with its case and punctuation changed, is
    caught on its line; eight shared words in a row are allowed; the same facts in other words pass."""
    gram, name = next(iter(reports.items()))
    lifted = " ".join(gram)
    assert copied_runs(f"intro line\n{lifted.upper()}, then more.", reports)[0][:2] == (2, name)
    assert copied_runs(" ".join(gram[:LONGEST_ALLOWED]) + " zzz", reports) == []
    assert copied_runs("Hamas agreed on Sunday night; Witkoff heard it from Qatar's prime minister.",
                       reports) == []


def test_no_report_sentence_appears_in_the_project(reports):
    files = _project_text_files()
    if not files:
        pytest.skip("not a git checkout: cannot list the project's files")
    scanned, found = 0, []
    for path in files:
        text = _text(path)
        if text is None:
            continue
        scanned += 1
        found += [f"{path.relative_to(ROOT)}:{line}: {words!r} (from {report})"
                  for line, report, words in copied_runs(text, reports)]
    assert scanned > 20  # the scan saw the project, not an empty listing
    assert found == [], "text copied from the reports:\n" + "\n".join(found)
