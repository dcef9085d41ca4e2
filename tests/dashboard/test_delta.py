"""What a view change sends of the playback bundle: a patch that turns the page's bundle into the new one."""

from __future__ import annotations

import copy
import json

import pytest

from dashboard import delta
from dashboard.bundle import build_bundle, bundle_for
from dashboard.resolve import resolve
from dashboard.state import ViewState


def applied(base, sent):
    """``sent`` (a bundle, or a patch as Dash sends it) applied to ``base`` as the page applies it."""
    if not (isinstance(sent, dict) and "__dash_patch_update" in sent):
        return sent
    out = copy.deepcopy(base)
    for op in sent["operations"]:
        *path, last = op["location"]
        target = out
        for key in path:
            target = target[key]
        if op["operation"] == "Assign":
            target[last] = op["params"]["value"]
        elif op["operation"] == "Delete":
            del target[last]
        else:
            raise AssertionError(f"unexpected operation {op['operation']}")
    return out


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


def test_sent_keeps_the_latest_bundles_only():
    sent = delta.Sent(size=2)
    a, b, c = {"n": 1}, {"n": 2}, {"n": 3}
    ta, tb = sent.put(a), sent.put(b)
    assert ta != tb and sent.get(ta) is a
    sent.put(c)  # b was used least recently
    assert sent.get(tb) is None and sent.get(ta) is a
    assert sent.get(None) is None and sent.get(123) is None


def test_an_unknown_token_gets_the_whole_bundle():
    bundle = {"steps": [1.0, 2.0]}
    sent, token = delta.answer(bundle, "not-a-token")
    assert sent is bundle and delta.SENT.get(token) is bundle


@pytest.mark.parametrize("change", [
    {"fact": "reply"}, {"actor": "c"}, {"mode": "calendar"}, {"group": "affiliations"}, {"story": True},
    {"hide": ("call",)}, {"pos": (("a", 1.0, 2.0),)}, {"alt": "no_tap"},
])
def test_the_patched_bundle_is_the_new_one(env, change):
    """Whatever the change of view, the page's bundle with the patch applied equals the new bundle."""
    state, result, _ = resolve(ViewState(fact="offer"))
    old = as_json(bundle_for(result, state))
    _, token = delta.answer(bundle_for(result, state), None)
    state2, result2, _ = resolve(state.with_(**change))
    new = bundle_for(result2, state2)
    sent, token2 = delta.answer(new, token)
    assert token2 != token
    assert applied(old, as_json(sent)) == as_json(build_bundle(result2, state2))


def test_a_fact_change_sends_a_fraction_of_the_bundle(env):
    state, result, _ = resolve(ViewState(fact="offer"))
    _, token = delta.answer(bundle_for(result, state), None)
    new = bundle_for(result, state.with_(fact="reply"))
    sent, _ = delta.answer(new, token)
    size = len(json.dumps(as_json(sent)))
    assert "__dash_patch_update" in as_json(sent) and size < len(json.dumps(as_json(new))) / 2
