"""What a view change sends of the playback bundle: a patch that turns the page's bundle into the new one."""

from __future__ import annotations

import copy
import json

import pytest
from dash import Patch

from dashboard import delta
from dashboard.bundle import build_bundle, bundle_digest, bundle_for
from dashboard.resolve import resolve
from dashboard.state import ViewState

from .conftest import applied


def as_json(value):
    """``value`` as the page receives it (a patch as its operations)."""
    from dash._utils import to_json

    return json.loads(to_json(value))


def test_changes_assign_what_differs_and_delete_what_went():
    old = {"a": [1, 2, 3, 4], "b": {"c": "x", "d": [1]}, "e": 1, "gone": True}
    new = {"a": [1, 2, 9, 4], "b": {"c": "y", "d": [1]}, "e": 1, "added": [5]}
    ops = delta.changes(old, new)
    assert sorted((p, v) for p, v in ops if v is not delta.DELETE) == [(("a", 2), 9), (("added",), [5]),
                                                                      (("b", "c"), "y")]
    assert [p for p, v in ops if v is delta.DELETE] == [("gone",)]
    assert applied(old, as_json(delta.as_patch(ops))) == new


def test_a_list_mostly_changed_or_of_another_length_goes_whole():
    assert delta.changes({"a": [1, 2, 3, 4]}, {"a": [5, 6, 7, 4]}) == [(("a",), [5, 6, 7, 4])]
    assert delta.changes({"a": [1, 2]}, {"a": [1, 2, 3]}) == [(("a",), [1, 2, 3])]
    assert delta.changes({"a": [1, 2, 3]}, {"a": [1, 2, True]}) == [(("a", 2), True)]  # not equal in JSON


def test_nothing_changed_is_no_operation():
    b = {"a": [{"x": 1}], "b": "c"}
    assert delta.changes(b, copy.deepcopy(b)) == []


def test_a_page_whose_bundle_is_not_the_rebuilt_one_gets_the_whole_bundle():
    bundle, old = {"steps": [1.0, 2.0], "fact": "b"}, {"steps": [1.0, 2.0], "fact": "a"}
    assert delta.answer(bundle, None, delta.digest(old)) is bundle  # nothing rebuilt
    assert delta.answer(bundle, (old, delta.digest(old)), "") is bundle  # the page says nothing
    assert delta.answer(bundle, (old, delta.digest(old)), delta.digest({"other": 1})) is bundle
    sent = as_json(delta.answer(bundle, (old, delta.digest(old)), delta.digest(old)))
    assert sent["operations"] == [{"operation": "Assign", "location": ["fact"], "params": {"value": "b"}}]


def test_the_digest_follows_the_content():
    assert delta.digest({"a": [1, 2]}) == delta.digest({"a": [1, 2]}) != delta.digest({"a": [1, 3]})
    assert delta.digest({"a": 1, "b": 2}) != delta.digest({"b": 2, "a": 1})  # the page keeps the order too


def test_the_digest_does_not_depend_on_what_is_shared():
    part = ["a long label", "another"]
    shared, copied = {"x": part, "y": part}, {"x": list(part), "y": [str(s) for s in part]}
    assert delta.digest(shared) == delta.digest(copied) == delta.digest(copy.deepcopy(shared))


def test_another_worker_process_rebuilds_the_bundle_with_the_same_digest(env):
    """A page's next view change may reach another worker: its rebuilt bundle must have the page's digest,
    whatever that process's string hashing (set and dict orders built from it) and the caches it has warm."""
    import os
    import subprocess
    import sys

    view = ViewState(fact="offer", actor="c", mode="calendar")
    state, result, _ = resolve(view)
    bundle_for(result, state.with_(fact="reply"))  # warm caches here that the other process lacks
    here = bundle_digest(result, state)
    code = ("from dashboard.bundle import bundle_digest; from dashboard.resolve import resolve; "
            "from dashboard.state import ViewState; "
            "s, r, _ = resolve(ViewState(fact='offer', actor='c', mode='calendar')); print(bundle_digest(r, s))")
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True,
                             env=os.environ | {"PYTHONHASHSEED": seed}, cwd=os.getcwd())
        assert out.stdout.strip() == here


@pytest.mark.parametrize("change", [
    {"fact": "reply"}, {"actor": "c"}, {"mode": "calendar"}, {"group": "affiliations"}, {"story": True},
    {"hide": ("call",)}, {"pos": (("a", 1.0, 2.0),)}, {"alt": "no_tap"},
])
def test_the_patched_bundle_is_the_new_one(env, change):
    """Whatever the change of view, the page's bundle with the patch applied equals the new bundle."""
    state, result, _ = resolve(ViewState(fact="offer"))
    old = bundle_for(result, state)
    held = (old, bundle_digest(result, state))
    state2, result2, _ = resolve(state.with_(**change))
    sent = delta.answer(bundle_for(result2, state2), held, held[1])
    assert isinstance(sent, Patch)
    # applied to the page's bundle as it came from JSON, the patch gives what a fresh build would have sent
    assert applied(as_json(old), as_json(sent)) == as_json(build_bundle(result2, state2))


def test_a_fact_change_sends_a_fraction_of_the_bundle(env):
    state, result, _ = resolve(ViewState(fact="offer"))
    held = (bundle_for(result, state), bundle_digest(result, state))
    new = bundle_for(result, state.with_(fact="reply"))
    sent = as_json(delta.answer(new, held, held[1]))
    assert "__dash_patch_update" in sent and len(json.dumps(sent)) < len(json.dumps(as_json(new))) / 2
