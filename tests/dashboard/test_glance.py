"""The answer at a glance, in headless Chromium: who learned the fact, the actor in focus, story mode,
the network's names and plot area, sharing, export at the moment shown, the wheel, no ids on screen."""

from __future__ import annotations

import re

import pytest

from dashboard.figures.export import export_html
from sim import load_scenario, run
from sim.timeparse import parse_instant

from .conftest import DATA, ROOT

pytestmark = pytest.mark.browser

STORY = """  key_moments:
    - {id: decided, event: decide, headline: A settles on an offer, fact: offer}
    - {id: answered, event: c_decides, headline: C makes up its mind, fact: reply}
  opens_at: answered
"""


@pytest.fixture(scope="module")
def story_file(env):
    """tiny.yaml with two key moments, opening at the second, in the served folder (while this module runs:
    other modules list that folder)."""
    text = (DATA / "tiny.yaml").read_text(encoding="utf-8")
    text = text.replace("  span: {", STORY + "  span: {", 1)
    path = env / "story.yaml"
    path.write_text(text, encoding="utf-8")
    yield path
    path.unlink()


def ready(page) -> None:
    page.wait_for_selector("#network .main-svg", timeout=60000)
    page.wait_for_function("document.querySelector('#t-label').innerText.match(/\\d{4}/)", timeout=60000)
    page.wait_for_selector("#answer .answer-head", timeout=60000)


def at(text: str) -> float:
    return parse_instant(text).timestamp()


def test_who_learned_list_matches_knowers(page, server_url, tiny_run):
    page.goto(server_url + "/?fact=offer&t=2025-05-01T07:12:00Z")  # 10:12 local: A and B know, C and E not yet
    ready(page)
    names = {a.id: a.name for a in tiny_run.scenario.actors}
    known = page.eval_on_selector_all("#answer ol.learned > li", "els => els.map(e => e.dataset.actor)")
    assert known == [k.actor for k in tiny_run.knowers("offer", at("2025-05-01T10:12+03:00"))] == ["a", "b"]
    first = page.inner_text("#answer ol.learned > li:nth-child(2)")
    assert first.startswith(names["b"]) and "told by A" in first and "chain: A → B" in first
    assert "Not yet:" in page.inner_text("#answer .later")
    page.goto(server_url + "/?fact=reply")
    ready(page)
    assert "E" in page.inner_text("#answer .never")  # E never learns the answer


def test_focus_line_matches_how(page, server_url, tiny_run):
    page.goto(server_url + "/?fact=offer&actor=c")
    ready(page)
    page.wait_for_selector("#focus .focus-line")
    line = page.inner_text("#focus .focus-line")
    chain = [tiny_run.scenario.actors[[a.id for a in tiny_run.scenario.actors].index(k.actor)].name
             for k in tiny_run.how("c", "offer")]
    last = tiny_run.how("c", "offer")[-1]
    assert f"chain: {' → '.join(chain)}" in line
    assert "told by B" in line and last.medium in line
    assert "What did C know of “A makes an offer”" in page.inner_text("#focus .focus-q")
    rest = page.inner_text("#focus .focus-facts")
    assert "C answers" in rest  # the other fact, grouped under its label
    page.click("#focus details.meta summary")  # second-order knowledge is folded under its fact
    assert "knows that B knows it" in page.inner_text("#focus details.meta")


def test_story_mode_steps_through_the_key_moments(page, server_url, story_file):
    page.goto(server_url + "/?scenario=story")
    ready(page)
    assert page.inner_text("#t-label").endswith("13:00")  # opens at its key moment, C's decision
    page.goto(server_url + "/?scenario=story&story=1&t=2025-05-01T06:00:00Z")
    ready(page)
    page.wait_for_selector("#story-card .card-head")
    assert page.inner_text("#story-card .card-head") == "A settles on an offer"
    card = page.inner_text("#story-card")
    assert "Key moment 1 of 2" in card and "Wire, 2 May 2025, grade B2" in card
    page.click("#step-forward")
    page.wait_for_function("document.querySelector('#story-card .card-head').innerText === 'C makes up its mind'")
    assert page.inner_text("#t-label").endswith("13:00")
    page.wait_for_function("decodeURIComponent(location.search).includes('fact=reply')")  # the moment's fact
    assert "story=1" in page.url
    page.click("#step-back")
    page.wait_for_function("document.querySelector('#story-card .card-head').innerText === 'A settles on an offer'")
    assert page.errors == []


NETWORK_GEOMETRY = """() => {
  const gd = document.querySelector('#network .js-plotly-plot');
  const r = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const px = (x, y) => [r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(y)];
  const at = (v, i) => Array.isArray(v) ? v[i] : v;
  const tr = gd._fullData.find(t => t.name === 'actors');
  const nodes = tr.x.map((x, i) => [tr.customdata[i], ...px(x, tr.y[i]),
                                    at(tr.marker.size, i) / 2 + at(tr.marker.line.width, i) / 2]);
  const clusters = gd._fullLayout.shapes.filter(s => s.type === 'circle').map(s => {
    const [cx, cy] = px((s.x0 + s.x1) / 2, (s.y0 + s.y1) / 2), far = Math.abs(xa.l2p(s.x1) - xa.l2p(s.x0)) / 2;
    const ring = Math.max(0, ...nodes.filter(n => Math.hypot(n[1] - cx, n[2] - cy) < far).map(
      n => Math.hypot(n[1] - cx, n[2] - cy)));
    return [cx, cy, ring]; });
  const labels = Array.from(gd.querySelectorAll('.annotation')).map((a, i) => {
    const b = a.querySelector('text').getBoundingClientRect();
    return [a.textContent, b.left, b.top, b.right, b.bottom, gd._fullLayout.annotations[i].name]; });
  const area = gd.querySelector('.nsewdrag').getBoundingClientRect();
  return {nodes, clusters, labels, area: [area.left, area.top, area.right, area.bottom]}; }"""


def _reaches(box: list, x: float, y: float, r: float) -> bool:
    """Whether the text box (label, left, top, right, bottom) comes more than a pixel inside the circle."""
    nx, ny = min(max(x, box[1]), box[3]), min(max(y, box[2]), box[4])
    return ((nx - x) ** 2 + (ny - y) ** 2) ** 0.5 < r - 1


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_documented_network_names_do_not_overlap(browser, server_url, documented, size):
    """As drawn: no name overlaps another name or any actor's circle (its whole marker, outline included),
    each affiliation's name lies outside the ring of its actors, and every name is on the plot area."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    try:
        page.goto(server_url + "/?scenario=alexander_release&fact=hamas_agrees_release")
        ready(page)
        geo = page.evaluate(NETWORK_GEOMETRY)
        boxes, nodes = geo["labels"], geo["nodes"]
        assert len(boxes) >= 16 and len(nodes) == 16
        clashes = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                   if min(a[3], b[3]) - max(a[1], b[1]) > 1 and min(a[4], b[4]) - max(a[2], b[2]) > 1]
        assert clashes == []
        on_nodes = [(b[0], n[0]) for b in boxes for n in nodes if _reaches(b, n[1], n[2], n[3])]
        assert on_nodes == []
        groups = [b for b in boxes if b[5] == "affiliation"]
        assert len(groups) == len(geo["clusters"])
        inside = [b[0] for b, (cx, cy, ring) in zip(groups, geo["clusters"]) if ring and _reaches(b, cx, cy, ring)]
        assert inside == []
        left, top, right, bottom = geo["area"]
        assert [b[0] for b in boxes if not (left <= b[1] and b[3] <= right and top <= b[2] and b[4] <= bottom)] == []
    finally:
        page.close()


SENDERS = """() => {
  // The actors who sent the latest messages drawn: each one's name (as its hover begins) and place on screen.
  const gd = document.querySelector('#network .js-plotly-plot');
  const r = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const trail = gd.data.find(t => t.name === 'latest messages'), tr = gd.data.find(t => t.name === 'actors');
  const sent = tr.x.map((x, i) => i).filter(i => trail.x.some((x, j) => j % 3 === 0 && x === tr.x[i] && trail.y[j] === tr.y[i]));
  return sent.map(i => [tr.hovertext[i].split('</b>')[0].slice(3), r.left + xa._offset + xa.l2p(tr.x[i]),
                        r.top + ya._offset + ya.l2p(tr.y[i])]); }"""
HOVER_TEXT = "() => Array.from(document.querySelectorAll('#network .hoverlayer .hovertext')).map(g => g.textContent)"


def test_hovering_an_actor_who_just_sent_names_the_actor(page, server_url, documented):
    """The latest messages start at their senders: the pointer on a sender shows the sender's own hover."""
    page.goto(server_url + "/?scenario=alexander_release&fact=hamas_agrees_release&t=2025-05-11T19:30:00Z")
    ready(page)
    senders = page.evaluate(SENDERS)
    assert len(senders) >= 2
    for name, x, y in senders:
        page.mouse.move(x - 4, y - 4)
        page.mouse.move(x, y, steps=2)
        page.wait_for_selector("#network .hoverlayer .hovertext", timeout=20000)
        page.wait_for_timeout(300)  # plotly settles on the nearest point at the pointer's last place
        shown = page.evaluate(HOVER_TEXT)
        assert len(shown) == 1 and shown[0].startswith(name), shown
        page.mouse.move(2, 2)
        page.wait_for_selector("#network .hoverlayer .hovertext", state="detached")
    assert page.errors == []


PLOT_AREA = "() => { const r = document.querySelector('#network .nsewdrag').getBoundingClientRect(); return [r.width, r.height]; }"


def test_plot_area_keeps_its_size_with_focus_and_compare(page, server_url):
    page.goto(server_url + "/?fact=offer")
    ready(page)
    before = page.evaluate(PLOT_AREA)
    page.goto(server_url + "/?fact=offer&actor=b&compare=alternatives/no_relay")
    ready(page)
    page.wait_for_selector("#focus .focus-q")
    assert page.evaluate(PLOT_AREA) == before


def test_copy_link_by_keyboard(browser, server_url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"])
    page = ctx.new_page()
    try:
        page.goto(server_url + "/?fact=offer&t=2025-05-01T07:00:00Z")
        ready(page)
        page.focus("#export")
        page.keyboard.press("Shift+Tab")  # the button before Export is Copy link
        assert page.evaluate("document.activeElement.id") == "copy-link"
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelector('#copy-link').innerText.includes('Copied')")
        assert page.evaluate("navigator.clipboard.readText()") == page.url
    finally:
        ctx.close()


def test_wheel_scrolls_the_page_unless_zoom_is_chosen(page, server_url):
    page.goto(server_url + "/?fact=offer")
    ready(page)
    box = page.locator("#network .nsewdrag").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    rng = "document.querySelector('#network .js-plotly-plot').layout.xaxis.range.join()"
    before = page.evaluate(rng)
    page.mouse.wheel(0, 300)
    page.wait_for_function("window.scrollY > 100")
    assert page.evaluate(rng) == before


def test_keyboard_steps_and_plays(page, server_url):
    page.goto(server_url + "/?fact=offer&t=2025-05-01T06:00:00Z")
    ready(page)
    page.click("#title")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('#t-label').innerText.endsWith('10:00')")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.querySelector('#t-label').innerText.endsWith('09:00')")
    page.keyboard.press(" ")
    page.wait_for_function("document.querySelector('#play').innerText.includes('Pause')")
    page.keyboard.press(" ")
    page.wait_for_function("document.querySelector('#play').innerText.includes('Play')")
    assert page.evaluate("document.documentElement.lang") == "en"


@pytest.mark.parametrize("mode", ["event", "calendar"])
def test_export_opens_at_the_moment_on_screen(page, server_url, tmp_path, mode):
    """The file opens at the step shown, in the mode, fact and focus shown; play, pause and drag log no error."""
    page.goto(server_url + f"/?fact=offer&actor=c&mode={mode}&t=2025-05-01T07:31:00Z")
    ready(page)
    shown = page.inner_text("#t-label")
    with page.expect_download() as info:
        page.click("#export")
    path = tmp_path / "view.html"
    info.value.save_as(path)
    page.goto(path.as_uri())
    page.wait_for_selector(".slider-container .slider-rail-rect", timeout=60000)
    title = page.evaluate("document.querySelector('.gtitle').textContent")
    assert shown.split(", ")[-1] in title and "A makes an offer" in title
    play = page.locator(".updatemenu-button").first
    play.click()
    page.wait_for_timeout(700)
    page.locator(".updatemenu-button").nth(1).click()  # pause
    rail = page.locator(".slider-container .slider-rail-rect").bounding_box()
    page.mouse.move(rail["x"] + 5, rail["y"] + rail["height"] / 2)
    page.mouse.down()
    page.mouse.move(rail["x"] + rail["width"] * 0.6, rail["y"] + rail["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert page.errors == []


def test_cli_export_opens_at_the_moment_asked(tmp_path):
    from typer.testing import CliRunner

    from dashboard.cli import app

    out = tmp_path / "v.html"
    r = CliRunner().invoke(app, ["export", str(DATA / "tiny.yaml"), "--fact", "offer", "--mode", "calendar",
                                 "--at", "2025-05-01T10:31+03:00", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "Thu 1 May 2025, 10:31" in out.read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, ["export", str(DATA / "tiny.yaml"), "--at", "soon", "-o", str(tmp_path / "x.html")])
    assert bad.exit_code == 2 and not (tmp_path / "x.html").exists()


ID = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case: how ids are written


def test_no_id_in_the_documented_main_view(page, server_url, documented):
    result = run(load_scenario(ROOT / "scenarios" / "alexander_release.yaml"))
    s = result.scenario
    ids = {a.id for a in s.actors} | {f.id for f in s.facts} | {c.id for c in s.channels} | {e.id for e in s.events}
    ids = {i for i in ids if "_" in i}
    page.goto(server_url + "/?scenario=alexander_release&fact=hamas_agrees_release&actor=dermer")
    ready(page)
    page.wait_for_selector("#focus .focus-q")
    text = page.evaluate("""() => ['header', '.controls', '.transport', '#headline', '.main', '#panel-timeline',
      '.story'].map(s => document.querySelector(s).innerText).join('\\n')""")
    svg = page.evaluate("Array.from(document.querySelectorAll('#network text, #timeline text, #matrix text'))"
                        ".map(t => t.textContent).join('\\n')")
    seen = {m for m in ID.findall(text + "\n" + svg) if m in ids}
    assert seen == set()


@pytest.mark.parametrize("query,panel", [("compare=alternatives/no_intercepts", "panel-compare"),
                                         ("sweep=100&seed=1", "panel-sweep")])
def test_no_id_in_the_documented_compare_and_sweep_panels(page, server_url, documented, query, panel):
    """The compare and sweep panels name facts, actors and channels in words: columns, legends and texts."""
    result = run(load_scenario(ROOT / "scenarios" / "alexander_release.yaml"))
    s = result.scenario
    ids = {a.id for a in s.actors} | {f.id for f in s.facts} | {c.id for c in s.channels} | {e.id for e in s.events}
    ids = {i for i in ids if "_" in i}
    page.goto(server_url + f"/?scenario=alexander_release&fact=backchannel_exists&{query}")
    ready(page)
    page.wait_for_function(f"document.querySelectorAll('#{panel} .js-plotly-plot .main-svg').length >= 2",
                           timeout=60000)
    page.wait_for_function(f"() => !document.querySelector('#{panel} [data-dash-is-loading]')", timeout=60000)
    page.wait_for_timeout(500)
    text = page.evaluate(f"document.getElementById('{panel}').innerText")
    svg = page.evaluate(f"Array.from(document.querySelectorAll('#{panel} text')).map(t => t.textContent).join('\\n')")
    assert len(svg) > 200
    seen = {m for m in ID.findall(text + "\n" + svg) if m in ids}
    assert seen == set()
