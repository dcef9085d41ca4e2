"""The What mattered panel: the removal in the URL, the ranked rows in words, one click to the compare view."""

from __future__ import annotations

import re

import pytest

from dashboard.figures.mattered import mattered_rows
from dashboard.resolve import resolve
from dashboard.state import ViewState, decode, encode
from dashboard.whatif import compare_view
from dashboard.whatmattered import explanation, panel_children, removed_run
from sim import run
from sim.explain import removal, without

from .conftest import ROOT

IDS = re.compile(r"\b(qatar_pm|hamas_leadership|witkoff|bahbah_witkoff|hamas_agrees_release|qatar_witkoff)\b")


@pytest.fixture
def documented(monkeypatch):
    if not (ROOT / "scenarios" / "alexander_release.yaml").exists():
        pytest.skip("the documented scenario is not there")
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(ROOT / "scenarios"))
    monkeypatch.setenv("BACKCHANNEL_DEFAULT_SCENARIO", "alexander_release")


def test_remove_round_trips_through_the_url():
    state = ViewState(fact="f", remove=("channel:bahbah_witkoff", "tap:hamas_bahbah/israeli_intel"))
    search = encode(state)
    assert "remove=channel:bahbah_witkoff,tap:hamas_bahbah/israeli_intel" in search
    assert decode(search) == (state, [])
    implied, notices = decode("?remove=channel:bahbah_witkoff")
    assert notices == [] and "compare" in implied.panels and implied.comparing  # a removal opens the compare view


def test_bad_removals_in_the_url_are_explained():
    state, notices = decode("?remove=channel:ok,../../etc,source:x&compare=other")
    assert state.remove == ("channel:ok",) and state.compare == ""
    assert any("is not an element to remove" in n for n in notices)
    assert any("ignored “compare”" in n for n in notices)
    state, notices = decode("?remove=" + ",".join(f"event:e{i}" for i in range(30)))
    assert len(state.remove) == 20 and any("at most 20" in n for n in notices)


def test_unknown_removals_are_dropped_when_resolved(documented):
    state, _, notices = resolve(ViewState(remove=("rule:qatar_pm_calls_witkoff", "event:no_such_event")))
    assert state.remove == ("rule:qatar_pm_calls_witkoff",)
    assert notices == ["This run has no event “no_such_event” to remove; ignored it."]


def test_rows_are_in_words_and_link_to_their_removal(documented):
    state, _, _ = resolve(ViewState(fact="hamas_agrees_release", actor="witkoff", panels=("mattered",)))
    x = explanation(state)
    rows, rest = mattered_rows(x, state)
    assert len(rows) + rest == len(x.rows)
    assert rows[0]["status"] == "necessary" and rows[0]["element"].startswith("Hamas formally agrees")
    call = next(r for r in rows if r["element"].startswith("The Qatari PM calls Witkoff"))
    assert call["on_path"] and call["effect"] == "never learns it" and call["kind"] == "reaction"
    assert call["sources"] == "reported — The Times of Israel"  # its basis, then the outlets it rests on
    assert decode(call["href"])[0].remove == ("rule:qatar_pm_calls_witkoff",)
    for r in rows:
        assert not IDS.search(" ".join(str(r[k]) for k in ("element", "effect", "instead", "sources"))), r
    assert any(r["sources"].startswith("assumed — ") for r in rows)  # modelled steps say so, with what they rest on


def test_compare_view_of_a_removal_is_the_variant_run(documented):
    state, _, _ = resolve(ViewState(fact="hamas_agrees_release", actor="netanyahu", remove=("actor:qatar_pm",)))
    base = removed_run(state.scenario, None, state.remove)
    from sim import load_scenario

    s = load_scenario(ROOT / "scenarios" / "alexander_release.yaml")
    assert base.events == run(without(s, removal(s, "actor", "qatar_pm"))).events
    v = compare_view(state)
    assert "without ‘Mohammed bin Abdulrahman Al Thani (Qatar)’" in v["summary"]
    # the intercepts reveal only that talks exist: without Qatar's PM nothing brings Netanyahu the agreement
    assert "**Benjamin Netanyahu** never knew it" in v["summary"] and "netanyahu" in v["differs"]


def test_prompt_without_an_actor_in_focus(documented):
    state, _, _ = resolve(ViewState(fact="hamas_agrees_release", panels=("mattered",)))
    assert "Pick an **actor in focus**" in panel_children(state)[0].children


@pytest.mark.browser
def test_a_row_opens_the_compare_view_of_its_removal(page, server_url, documented, tmp_path):
    page.set_default_timeout(90000)  # the documented scenario's 89 removals, on a shared machine
    page.goto(server_url + "/?fact=hamas_agrees_release&actor=witkoff&panels=network,timeline,mattered")
    page.wait_for_selector("#panel-mattered", state="visible")
    page.wait_for_selector("#mattered .mattered-row")
    text = page.inner_text("#mattered")
    assert "Mohammed bin Abdulrahman Al Thani (11 May 22:47) → Steve Witkoff (11 May 22:57)" in text
    assert not IDS.search(text.replace("#mattered", ""))
    page.locator("#panel-mattered").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "mattered.png"), full_page=False)
    link = page.locator(".mattered-link", has_text="The Qatari PM calls Witkoff")
    link.click()
    page.wait_for_function("() => decodeURIComponent(location.search).includes('remove=rule:qatar_pm_calls_witkoff')")
    page.wait_for_selector("#panel-compare", state="visible")
    page.wait_for_function("(document.querySelector('#compare-text') || {}).innerText?.includes('without')")
    summary = page.inner_text("#compare-text")
    assert "Steve Witkoff never knew it" in summary
    shared = page.url
    page.goto(shared)  # the link alone reproduces the comparison
    page.wait_for_function("(document.querySelector('#compare-text') || {}).innerText?.includes('Steve Witkoff never')")
    page.locator("#panel-compare").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "compare-removal.png"), full_page=False)
    assert page.errors == []
