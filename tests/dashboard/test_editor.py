"""The editor panel: checks and runs within limits in a child process, its routes, saved scenarios as
views, and the panel in headless Chromium (errors at their line, Run, Save & share, an alias bomb,
markup in a title shown as text)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.request import urlopen

import pytest

from dashboard.editor_worker import LIMITS, Limits, check_text, run_text
from dashboard.state import decode, encode
from sim import ScenarioError
from sim.store import Store

from .conftest import DATA

TINY = (DATA / "tiny.yaml").read_text(encoding="utf-8")
TYPO = TINY.replace("  - {id: b, name: B,", "  - {id: b, nme: B,")  # line 11
FIXED = TINY.replace("  - {id: b, name: B,", "  - {id: b, name: Bravo,")
BOMB = "meta:\n  title: x\n" + "a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10))


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    """The store every request of this module's server uses (the server reads the environment per request)."""
    path = tmp_path_factory.mktemp("store") / "store.sqlite3"
    mp = pytest.MonkeyPatch()
    mp.setenv("BACKCHANNEL_STORE", str(path))
    yield path
    mp.undo()


def lines(problems) -> list[tuple[int, int, str]]:
    return [(p.line, p.col, p.message) for p in problems]


# -- checks and runs in a child process -----------------------------------------------------------

def test_check_finds_the_loaders_problems_at_their_lines():
    assert check_text(TINY, DATA) == []
    assert lines(check_text(TYPO, DATA)) == [(11, 5, "required field is missing"),
                                             (11, 18, "unknown field 'nme' (did you mean 'name'?)")]


def test_every_cap_is_named_when_hit():
    (p,) = check_text(TINY, DATA, limits=Limits(text_bytes=100))
    assert "max text size" in p.message and "100 bytes" in p.message
    got = check_text(TINY, DATA, limits=Limits(actors=3, events=3, rules=0))
    assert lines(got) == [(9, 1, "4 actors; the limit for text from the browser (max actors) is 3"),
                          (25, 1, "4 events; the limit for text from the browser (max events) is 3"),
                          (58, 1, "1 rules; the limit for text from the browser (max rules) is 0")]
    with pytest.raises(ScenarioError) as e:
        run_text(TINY, DATA, limits=Limits(simulated_events=5, rule_firings=0))
    assert [p.message for p in e.value.problems] == [
        "the run simulated 9 events; the limit for text from the browser (max simulated events per run) is 5",
        "rules fired 1 times in one run; the limit for text from the browser (max rule firings per run) is 0"]


BOMB_PROBLEM = ("9:15: the aliases (*name) in this text expand to more than 1,000,000 values, the limit for text "
                "from the browser (max alias expansion)")


def test_an_alias_bomb_is_refused_before_anything_is_built():
    (p,) = check_text(BOMB, DATA)
    assert f"{p.line}:{p.col}: {p.message}" == BOMB_PROBLEM
    with pytest.raises(ScenarioError, match="max alias expansion"):
        run_text(BOMB, DATA)


def test_whatever_is_slow_is_stopped_at_the_time_limit():
    """A check that outlasts its time is stopped, whatever made it slow (here: the documented scenario,
    a tenth of a second or more to validate, against a limit of a hundredth)."""
    from .conftest import ROOT

    text = (ROOT / "scenarios" / "alexander_release.yaml").read_text(encoding="utf-8")
    (p,) = check_text(text, ROOT / "scenarios", limits=Limits(check_seconds=0.01))
    assert p.line == 1 and p.message == (
        "Checking this text took longer than 0.01 s, the limit for text from the browser (wall-clock time per check); "
        "look for aliases (*name) repeated many times, or make it smaller")


def test_a_run_comes_back_from_the_child_whole(tiny_run):
    result = run_text(TINY, DATA)
    assert result.events == tiny_run.events and result.scenario == tiny_run.scenario


# -- the view state of a saved scenario ------------------------------------------------------------

def test_saved_in_the_url():
    state, notices = decode("?saved=0123456789abcdef&fact=offer&compare=saved:fedcba9876543210")
    assert (state.scenario, state.fact, state.compare, notices) == (
        "saved:0123456789abcdef", "offer", "saved:fedcba9876543210", [])
    assert encode(state).startswith("?saved=0123456789abcdef&mode=event&fact=offer")
    assert decode(encode(state))[0] == state
    state, notices = decode("?saved=../../etc")
    assert state.scenario == "" and notices == ["“../../etc” is not the id of a saved scenario; showing the "
                                                "default scenario."]


def test_unknown_saved_id_gets_the_usual_notice(env, store_path):
    from dashboard.resolve import resolve

    state, _, notices = resolve(decode("?saved=0123456789abcdef")[0])
    assert state.scenario == "tiny"
    assert notices == ["There is no saved scenario “0123456789abcdef” on this server; showing another one."]


def test_a_saved_variant_follows_edits_of_the_files_it_extends(store_path, tmp_path, monkeypatch):
    """A stored variant of a variant file: its cached run, sweep and fingerprint follow the files its chain of
    ``extends`` reaches, as a file's do."""
    from dashboard import data

    from .conftest import make_scenarios

    folder = make_scenarios(tmp_path / "scenarios")
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(folder))
    s = Store(store_path)
    row = s.put("extends: alternatives/no_relay.yaml\ntitle: Mine\n", "Mine", "alternatives/no_relay")
    again = s.put(f"extends: {row.ref}\ntitle: Again\n", "Again", row.ref)  # through another stored row
    before = data.load_run(again.ref)
    sweep_before = data.load_sweep(again.ref, None, 20, 1)
    stamp = data.fingerprint(again.ref)
    assert before.scenario.meta.title == "Tiny relay — No relay — Mine — Again"
    assert data.load_run(again.ref) is before and data.fingerprint(again.ref) == stamp  # unchanged: cached
    base = folder / "tiny.yaml"  # the file that the variant file extends
    base.write_text(base.read_text(encoding="utf-8").replace("title: Tiny relay", "title: Tiny relay, edited"),
                    encoding="utf-8")
    st = base.stat()
    os.utime(base, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert data.load_run(again.ref).scenario.meta.title == "Tiny relay, edited — No relay — Mine — Again"
    assert data.load_run(row.ref).scenario.meta.title == "Tiny relay, edited — No relay — Mine"
    assert data.load_sweep(again.ref, None, 20, 1) is not sweep_before
    assert data.fingerprint(again.ref) != stamp
    assert data.stamp("saved:0123456789abcdef") == ()  # an id the store does not hold reads no file


# -- the routes --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(env, store_path):
    from dashboard.app import create_app

    return create_app().server.test_client()


def test_start_from_a_scenario_or_a_variant_of_it(client):
    got = client.get("/editor/start?from=tiny").get_json()
    assert got == {"text": TINY, "base": "tiny", "title": "tiny"}
    got = client.get("/editor/start?from=alternatives/no_relay&variant=1").get_json()
    assert got["text"].startswith("extends: alternatives/no_relay.yaml\ntitle: my change\n")
    assert got["base"] == "alternatives/no_relay"
    assert client.post("/editor/check", json={"text": got["text"]}).get_json() == {"problems": []}
    assert client.get("/editor/start?from=../tiny").status_code == 404


def test_check_route_locates_problems_in_the_base_at_the_extends_line(client):
    text = "title: x\nextends: tiny.yaml\nremove: [\"actor:b\"]\n"
    problems = client.post("/editor/check", json={"text": text}).get_json()["problems"]
    assert problems and all(p["line"] == 2 and p["message"].startswith("in tiny.yaml:") for p in problems)
    assert str(DATA) not in json.dumps(problems) and "/tmp" not in json.dumps(problems)  # no server paths


def test_oversized_and_malformed_requests(client):
    big = "#" * (LIMITS.text_bytes + 20_000)
    (p,) = client.post("/editor/check", json={"text": big}).get_json()["problems"]
    assert "max text size" in p["message"]
    assert client.post("/editor/check", data="not json", content_type="application/json").status_code == 400
    assert client.post("/editor/run", json={"nothing": 1}).status_code == 400


def test_run_stores_a_draft_and_save_a_listed_row(client, store_path):
    ran = client.post("/editor/run", json={"text": FIXED, "base": "tiny", "search": "?fact=offer"}).get_json()
    assert ran["problems"] == [] and ran["title"] == "Tiny relay"
    assert ran["search"] == (f"?saved={ran['id']}&mode=event&fact=offer&panels=network,timeline,matrix,log,"
                             f"compare,editor&compare=tiny")
    store = Store(store_path)
    assert store.get(ran["ref"]).kind == "draft" and ran["id"] not in [r.id for r in store.list()]
    saved = client.post("/editor/save", json={"text": FIXED, "base": "nonsense", "search": ""}).get_json()
    assert saved["id"] == ran["id"] and saved["link"] == f"s/{ran['id']}?mode=event&panels=network,timeline,matrix," \
                                                          f"log,editor"
    row = store.get(saved["ref"])
    assert (row.kind, row.parent) == ("saved", None)  # a base the server does not know is not recorded
    bad = client.post("/editor/save", json={"text": TYPO}).get_json()
    assert [p["line"] for p in bad["problems"]] == [11, 11] and "ref" not in bad


def test_one_check_and_one_run_at_a_time_per_client_and_a_few_in_all(client, monkeypatch):
    """While a client's check runs, its next check is told to wait (the page asks again); so are its runs and
    saves while one is under way, and everybody's once the server's editor slots are all taken."""
    from dashboard import limits

    check = limits.KINDS["check"]
    with limits.slot("127.0.0.1|", "check"):  # the test client's address, without a page's name
        assert client.post("/editor/check", json={"text": TINY}).get_json() == {"busy": check[1]}
        assert client.post("/editor/run", json={"text": FIXED}).get_json()["problems"] == []  # another kind
    assert client.post("/editor/check", json={"text": TINY}).get_json() == {"problems": []}
    with limits.slot("127.0.0.1|", "store"):
        assert client.post("/editor/save", json={"text": FIXED}).get_json() == {"busy": limits.KINDS["store"][1]}
        other = client.post("/editor/save", json={"text": FIXED}, headers={"X-Backchannel-Page": "p2"})
        assert other.get_json()["problems"] == []  # another page at the same address
    monkeypatch.setenv(limits.ENV_EDIT_SLOTS, "1")
    with limits.slot("someone else", "store"):  # the only slot, and sweeps keep theirs
        assert client.post("/editor/check", json={"text": TINY}).get_json() == {"busy": check[0]}
        with limits.slot("a third", "sweep"):
            pass


def test_permalink_redirects_with_the_view(client):
    r = client.get("/s/0123456789abcdef?fact=offer&saved=other&panels=network,editor")
    assert r.status_code == 302
    assert r.headers["Location"] == "/?saved=0123456789abcdef&fact=offer&panels=network,editor"


def test_a_saved_scenario_is_a_view_like_a_file(client, env, store_path):
    from dashboard.resolve import resolve

    row = Store(store_path).put(FIXED, "Bravo", "tiny")
    state, result, notices = resolve(decode(f"?saved={row.id}&compare=tiny")[0])
    assert notices == [] and state.scenario == row.ref and state.compare == "tiny"
    assert [a.name for a in result.scenario.actors] == ["A", "Bravo", "C", "E"]


# -- in the browser ------------------------------------------------------------------------------------

EDITOR_URL = "/?panels=network,timeline,matrix,log,editor"
LOG_TEXT = "document.querySelector('#log').textContent"  # every rendered row of the log, also those scrolled aside
LINE_OF = """sel => {  // the editor line at the height of the element (a text mark or a gutter marker)
  const v = window.backchannelEditor.view, r = document.querySelector(sel).getBoundingClientRect();
  return v.state.doc.lineAt(v.lineBlockAtHeight(r.top + r.height / 2 - v.documentTop).from).number;
}"""


def open_editor(page, url: str) -> None:
    page.set_default_timeout(60000)  # a hang guard: on a busy machine the page's first drawing can take a while
    page.goto(url)
    page.wait_for_selector("#editor-cm .cm-content")
    page.wait_for_function("window.backchannelEditor && window.backchannelEditor.view.state.doc.length > 0")
    page.wait_for_function("document.querySelector('#editor-status').innerText === 'No problems'")


def replace_text(page, text: str) -> None:
    page.click("#editor-cm .cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def editor_text(page) -> str:
    return page.evaluate("window.backchannelEditor.view.state.doc.toString()")


@pytest.mark.browser
def test_type_an_error_see_it_fix_it_run_it(page, server_url, store_path):
    open_editor(page, server_url + EDITOR_URL)
    assert editor_text(page) == TINY
    page.click("#editor-cm .cm-content")
    page.keyboard.press("Control+Home")
    for _ in range(10):
        page.keyboard.press("ArrowDown")
    for _ in range(len("  - {id: b, ")):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Delete")  # "name" becomes "ame": typed, not pasted
    page.wait_for_selector("#editor-problems .editor-problem")
    assert page.inner_text("#editor-problems") == ("11:5: actors[b].name: required field is missing\n"
                                                   "11:18: actors[b].ame: unknown field 'ame' (did you mean 'name'?)")
    page.wait_for_selector(".cm-lintRange-error")
    assert page.evaluate(LINE_OF, ".cm-lintRange-error") == 11
    assert page.locator(".cm-gutter-lint .cm-lint-marker-error").count() == 1
    assert page.evaluate(LINE_OF, ".cm-gutter-lint .cm-lint-marker-error") == 11
    page.keyboard.press("Control+End")
    page.locator(".editor-problem").nth(1).click()  # a click moves the cursor to the problem
    assert page.evaluate("(() => { const v = window.backchannelEditor.view; const h = v.state.selection.main.head;"
                         " const l = v.state.doc.lineAt(h); return [l.number, h - l.from + 1]; })()") == [11, 18]
    replace_text(page, FIXED)
    page.wait_for_function("document.querySelector('#editor-status').innerText === 'No problems'")
    assert page.locator(".editor-problem").count() == 0
    assert "Bravo" not in page.evaluate(LOG_TEXT)
    page.click("#editor-run")
    page.wait_for_function("location.search.includes('saved=')")
    page.wait_for_function(f"{LOG_TEXT}.includes('Bravo')")
    assert "compare=tiny" in page.url and "editor" in page.url
    page.wait_for_function("document.querySelector('#network').textContent.includes('Bravo')")
    page.wait_for_function("(document.querySelector('#compare-text') || {}).innerText?.length > 0")
    assert page.is_visible("#panel-compare")
    assert editor_text(page) == FIXED  # the text stays in the editor
    assert page.errors == []


@pytest.mark.browser
def test_a_check_the_server_was_too_busy_for_is_asked_again(page, server_url, store_path):
    """Typing while the page's previous check still holds the server: the status says so, and the text is
    checked once the server is free, without another key pressed."""
    from dashboard import limits

    open_editor(page, server_url + EDITOR_URL)
    with limits.slot("127.0.0.1|" + page.evaluate("window.backchannelEditor.page"), "check"):
        replace_text(page, TYPO)
        page.wait_for_function("document.querySelector('#editor-status').innerText.includes('checked again')")
        assert page.locator(".editor-problem").count() == 0
    page.wait_for_selector("#editor-problems .editor-problem")
    assert [p.split(": ")[0] for p in page.inner_text("#editor-problems").splitlines()] == ["11:5", "11:18"]
    assert page.errors == []


@pytest.mark.browser
def test_save_and_open_the_permalink_in_a_fresh_browser(browser, page, server_url, store_path):
    open_editor(page, server_url + EDITOR_URL + "&fact=reply")
    text = FIXED.replace("C answers", "C answers at last")
    replace_text(page, text)
    page.wait_for_function("document.querySelector('#editor-status').innerText === 'No problems'")
    page.click("#editor-save")
    page.wait_for_function("document.querySelector('#editor-link').value.includes('/s/')")
    link = page.input_value("#editor-link")
    page.wait_for_function(f"{LOG_TEXT}.includes('Bravo')")
    row = Store(store_path).list()[0]
    assert link == f"{server_url}/s/{row.id}?mode=event&fact=reply&panels=network,timeline,matrix,log,compare," \
                   f"editor&compare=tiny"
    assert row.text == text and row.parent == "tiny"
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        other = ctx.new_page()
        open_editor(other, link)
        assert decode(other.url.split("?", 1)[1])[0] == decode(page.url.split("?", 1)[1])[0]
        assert editor_text(other) == text
        assert other.inner_text("#title") == page.inner_text("#title")
        other.wait_for_function("document.querySelector('#network').textContent.includes('Bravo')")
        assert other.inner_text("#headline") == page.inner_text("#headline") == "2 of 4 actors know “C answers at last”"
        assert other.is_visible("#panel-compare")
    finally:
        ctx.close()


@pytest.mark.browser
def test_an_alias_bomb_comes_back_as_an_error_while_others_keep_working(browser, page, server_url, store_path):
    open_editor(page, server_url + EDITOR_URL)
    with page.expect_request(lambda r: r.url.endswith("/editor/check") and "a9" in (r.post_data or "")) as sent:
        replace_text(page, BOMB)
    # Meanwhile the server answers others: checks run in a child process, never in the server's threads.
    for path in ("/", "/editor/start?from=tiny"):
        with urlopen(server_url + path, timeout=60) as r:
            assert r.status == 200
    page.wait_for_function("document.querySelector('#editor-problems').innerText.includes('alias expansion')")
    assert page.inner_text("#editor-problems") == BOMB_PROBLEM
    assert page.evaluate(LINE_OF, ".cm-lintRange-error") == 9
    print(f"alias bomb answered {sent.value.timing['responseEnd'] / 1000:.2f} s after it was sent")
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:  # another browser keeps working, and so does this editor
        other = ctx.new_page()
        open_editor(other, server_url + EDITOR_URL + "&fact=reply")
        other.click("#step-back")
        other.wait_for_function("decodeURIComponent(location.search).includes('t=2025-05-01T11:00')")
    finally:
        ctx.close()
    replace_text(page, TINY)
    page.wait_for_function("document.querySelector('#editor-status').innerText === 'No problems'")
    assert page.errors == []


@pytest.mark.browser
def test_markup_in_a_title_is_shown_as_text(page, server_url, store_path):
    title = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> Tiny'
    text = TINY.replace("title: Tiny relay", f"title: '{title}'").replace(
        "statement: A makes an offer", "statement: '<b>A</b> makes an <i>offer</i>'")
    open_editor(page, server_url + EDITOR_URL + "&fact=offer")
    replace_text(page, text)
    page.wait_for_function("document.querySelector('#editor-status').innerText === 'No problems'")
    page.evaluate("""() => {  // every text the status shows from here on
        window.__statuses = [];
        const el = document.querySelector('#editor-status');
        new MutationObserver(() => window.__statuses.push(el.innerText)).observe(el, {childList: true,
            characterData: true, subtree: true});
    }""")
    page.click("#editor-run")
    page.wait_for_function("location.search.includes('saved=')")
    page.wait_for_function("t => document.querySelector('#title').innerText === t", arg=title)
    page.wait_for_function("t => window.__statuses.some(x => x.startsWith('Ran “' + t + '”'))", arg=title)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#title script, #title img, #editor-status img, #headline b").count() == 0
    assert "<b>A</b> makes an <i>offer</i>" in page.inner_text("#headline")



@pytest.mark.browser
def test_a_check_answered_after_run_adds_to_what_run_said(page, server_url, store_path):
    """Run pressed before the editor's own check of the text has answered: the check's answer (held here until
    the run has answered) is added to the run's status line instead of replacing it."""
    open_editor(page, server_url + EDITOR_URL + "&fact=offer")
    text = FIXED.replace("title: Tiny relay", "title: Tiny relay, run at once")
    held = []
    page.route("**/editor/check", lambda route: held.append(route))
    with page.expect_request(lambda r: r.url.endswith("/editor/check") and "run at once" in (r.post_data or "")):
        replace_text(page, text)  # the editor checks the text 300 ms after typing stops ...
        page.click("#editor-run")  # ... and Run is pressed before that
    page.wait_for_function("document.querySelector('#editor-status').innerText.startsWith('Ran “')")
    for _ in range(100):  # the held check reaches the route handler while the page is waited on
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/editor/check")
    page.wait_for_function("document.querySelector('#editor-status').innerText.includes('problems')")
    assert page.inner_text("#editor-status") == ("Ran “Tiny relay, run at once”; every panel shows it, compared with "
                                                 "tiny. Checked: no problems")
    replace_text(page, text + "# edited after the run\n")  # a changed text: the run's status no longer applies
    page.wait_for_function("document.querySelector('#editor-status').innerText === 'No problems'")
    assert page.errors == []


def completion_labels(page) -> list[str]:
    page.wait_for_selector(".cm-tooltip-autocomplete li")
    return page.eval_on_selector_all(".cm-tooltip-autocomplete li .cm-completionLabel", "els => els.map(e => e.textContent)")


@pytest.mark.browser
def test_completion_of_field_names_and_defined_ids(page, server_url, store_path):
    open_editor(page, server_url + EDITOR_URL)
    replace_text(page, TINY)
    page.keyboard.press("Control+End")
    page.keyboard.type("alt")
    assert completion_labels(page) == ["alternatives"]  # a section name from the schema
    page.keyboard.press("Escape")
    replace_text(page, TINY.split("rules:")[0] + "  - id: more\n    chan")
    assert "channel" in completion_labels(page)  # a field of an event
    page.keyboard.press("Escape")
    with page.expect_response(lambda r: r.url.endswith("/editor/check")
                              and r.request.post_data_json["text"].endswith("    channel: ")):
        page.keyboard.type("nel: ")  # the editor checks the text 300 ms after typing stops ...
    page.wait_for_function("document.querySelector('#editor-status').innerText !== 'Checking…'")  # ... and done
    page.keyboard.press("Control+Space")
    assert completion_labels(page) == ["ab", "bc", "ca"]  # the channels this text defines
    page.wait_for_timeout(150)  # a completion list ignores Enter for 75 ms after it opens (interactionDelay)
    page.keyboard.press("Enter")
    assert editor_text(page).endswith("  - id: more\n    channel: ab")
    page.keyboard.type("\n    to: [")
    page.keyboard.press("Control+Space")
    assert completion_labels(page) == ["a", "b", "c", "e"]  # actors, inside a flow list


def test_a_saved_scenario_is_swept_in_a_child_within_the_limit(env, store_path):
    from dashboard.data import load_sweep
    from dashboard.heavy import load_sweep as swept

    row = Store(store_path).put(FIXED, "Bravo", "tiny")
    sw = load_sweep(row.ref, None, 20, 1)
    assert sw.runs == 20
    with pytest.raises(ScenarioError, match=r"^<editor>:1:1: 20 replays took longer than 0.001 s, the most this "
                                            r"server gives one sweep; choose fewer replays$"):
        swept(row.ref, None, 20, 2, seconds=0.001)
