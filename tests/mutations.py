"""A hypothesis strategy for texts made by editing a valid scenario text a few times."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st


@st.composite
def mutations(draw: st.DrawFn, text: str, pieces: Sequence[str], edits: int = 4, span: int = 40) -> str:
    """``text`` after up to ``edits`` insertions, deletions, replacements (by one of ``pieces``) or
    duplications of up to ``span`` characters at random places."""
    for _ in range(draw(st.integers(1, edits))):
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, span)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        if kind == "insert":
            text = text[:i] + draw(st.sampled_from(pieces)) + text[i:]
        elif kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "replace":
            text = text[:i] + draw(st.sampled_from(pieces)) + text[j:]
        else:
            text = text[:i] + text[i:j] + text[i:]
    return text
