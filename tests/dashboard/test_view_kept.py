"""The view the reader shapes, in headless Chromium: hover labels stay on the visible page, a zoomed
timeline keeps its range while stepping, dragged actors stay where they were put, the network's
filters, and the link that carries all of it."""

from __future__ import annotations

import pytest

from dashboard.state import decode

from .conftest import wait_drawn

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 800}


def ready(page) -> None:
    page.wait_for_selector("#network .main-svg", timeout=60000)
    wait_drawn(page, "timeline")
    page.wait_for_function("document.querySelector('#t-label').innerText.match(/\\d{4}/)", timeout=60000)
    page.wait_for_selector("#answer .answer-head", timeout=60000)


def query(page) -> dict:
    """The page's link, decoded as another browser would read it."""
    return decode("?" + page.url.split("?", 1)[1])[0]


# -- hover labels ---------------------------------------------------------------------------------
ACTOR_AT_EDGES = """() => {
  // The actors on the visible page nearest its left, right, top and bottom edges: [side, point index, x, y].
  const gd = document.querySelector('#network .js-plotly-plot');
  const tr = gd.data.find(t => t.name === 'actors');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
  const pts = tr.x.map((x, i) => [i, r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(tr.y[i])])
    .filter(p => p[2] > 8 && p[2] < window.innerHeight - 8);  // on the visible page
  const best = f => pts.reduce((a, b) => (f(b) < f(a) ? b : a));
  return [['left', ...best(p => p[1])], ['right', ...best(p => -p[1])], ['top', ...best(p => p[2])],
          ['bottom', ...best(p => -p[2])]];
}"""

HOVER_BOX = """sel => {
  // The first hover label's box, the window's size, and the first element around it that cuts it off
  // (an element that does not let its content overflow, whose box the label crosses).
  const g = document.querySelector(sel + ' .hoverlayer .hovertext');
  if (!g) { return null; }
  const b = g.getBoundingClientRect();
  let cut = null;
  for (let el = g.ownerSVGElement; el && el !== document.documentElement && !cut; el = el.parentElement) {
    const css = getComputedStyle(el), r = el.getBoundingClientRect();
    const clips = css.overflowX !== 'visible' || css.overflowY !== 'visible';
    if (clips && (b.left < r.left - 0.5 || b.right > r.right + 0.5 || b.top < r.top - 0.5 || b.bottom > r.bottom + 0.5)) {
      cut = el.tagName + '.' + el.getAttribute('class');
    }
  }
  return {text: g.textContent, box: [b.left, b.top, b.right, b.bottom], cut: cut,
          view: [document.documentElement.clientWidth, window.innerHeight]};
}"""


def assert_on_screen(label: dict | None) -> None:
    assert label is not None, "no hover label was drawn"
    left, top, right, bottom = label["box"]
    width, height = label["view"]
    assert 0 <= left and right <= width and 0 <= top and bottom <= height, label
    assert label["cut"] is None, label


def hovered(page, graph: str) -> dict | None:
    page.wait_for_selector(f"#{graph} .hoverlayer .hovertext")
    return page.evaluate(HOVER_BOX, f"#{graph}")


def test_network_hover_labels_stay_on_the_page(browser, server_url, documented):
    """At 1280×800, the page scrolled so that the network's top lies above the window: the label of the
    actor nearest each edge of the visible page, the top one included, is drawn wholly inside it."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(server_url + "/?scenario=alexander_release&fact=hamas_agrees_release&t=2025-05-11T19:30:00Z")
        ready(page)
        names = page.evaluate("() => document.querySelector('#network .js-plotly-plot').data"
                              ".find(t => t.name === 'actors').hovertext.map(h => h.split('</b>')[0].slice(3))")
        page.evaluate("window.scrollBy(0, document.querySelector('#network .js-plotly-plot')"
                      ".getBoundingClientRect().top + 160)")  # the network's top above the window
        page.wait_for_function("window.scrollY > 300")
        edges = page.evaluate(ACTOR_AT_EDGES)
        for side, i, x, y in edges:
            page.mouse.move(x, y)  # the reader's pointer on the actor; then plotly's hover on that very point
            page.evaluate("""i => { const gd = document.querySelector('#network .js-plotly-plot');
              Plotly.Fx.hover(gd, [{curveNumber: gd.data.findIndex(t => t.name === 'actors'), pointNumber: i}]); }""", i)
            page.wait_for_function("name => (document.querySelector('#network .hoverlayer .hovertext') || {})"
                                   ".textContent?.startsWith(name)", arg=names[i])
            assert_on_screen(hovered(page, "network"))
            page.mouse.move(2, 2)
            page.evaluate("Plotly.Fx.unhover(document.querySelector('#network .js-plotly-plot'))")
            page.wait_for_selector("#network .hoverlayer .hovertext", state="detached")
    finally:
        page.close()


CELLS = """([graph, n]) => {
  // Up to n points of the graph's hoverable traces that lie inside the window, nearest its bottom first.
  const gd = document.querySelector('#' + graph + ' .js-plotly-plot');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
  const out = [];
  gd._fullData.forEach(tr => {
    if (tr.hoverinfo === 'skip' || !tr.visible) { return; }
    if (tr.type === 'heatmap') {
      tr.y.forEach((_, row) => tr.x.forEach((_, col) => out.push([col, row])));
    } else {
      (tr.x || []).forEach((x, i) => { if (x !== null && tr.y[i] !== null && tr.hovertext && tr.hovertext[i]) out.push([x, tr.y[i]]); });
    }
  });
  const px = out.map(([x, y]) => [r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(y)])
    .filter(([x, y]) => x > 8 && x < window.innerWidth - 8 && y > 8 && y < window.innerHeight - 8);
  px.sort((a, b) => b[1] - a[1] || b[0] - a[0]);
  return px.slice(0, n);
}"""


@pytest.mark.parametrize("graph", ["timeline", "matrix"])
def test_timeline_and_matrix_hover_labels_stay_on_the_page(browser, server_url, documented, graph):
    """A plot scrolled half out of the window: a label near the window's bottom edge moves up into view."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(server_url + "/?scenario=alexander_release&fact=hamas_agrees_release&t=2025-05-11T19:30:00Z")
        ready(page)
        page.wait_for_selector(f"#{graph} .main-svg")
        page.evaluate("g => window.scrollBy(0, document.getElementById(g).getBoundingClientRect().top - 520)", graph)
        wait_drawn(page, graph)
        points = page.evaluate(CELLS, [graph, 6])
        assert len(points) >= 3
        for x, y in points:
            page.mouse.move(x, y)
            assert_on_screen(hovered(page, graph))
            page.mouse.move(2, 2)
            page.wait_for_selector(f"#{graph} .hoverlayer .hovertext", state="detached")
    finally:
        page.close()


# -- the timeline's zoom --------------------------------------------------------------------------
X_RANGE = "() => document.querySelector('#timeline .js-plotly-plot').layout.xaxis.range.map(String)"
CURSOR = """() => { const gd = document.querySelector('#timeline .js-plotly-plot');
  return String(gd.layout.shapes[gd.layout.meta.cursor_shape].x0); }"""


CURSOR_PIXELS = """() => { const gd = document.querySelector('#timeline .js-plotly-plot');
  const k = gd.layout.meta.cursor_shape, xa = gd._fullLayout.xaxis;
  const d = gd.querySelector(".shapelayer path[data-index='" + k + "']").getAttribute('d');
  return [Number(d.slice(1).split(',')[0]), xa._offset + xa.l2p(xa.d2l(gd.layout.shapes[k].x0)),
          String(gd.layout.shapes[k].x0)]; }"""


def test_the_timeline_cursor_follows_playback_and_the_steps_after_it(page, server_url):
    """With the timeline in view, playing moves its cursor step by step without plotly drawing the timeline
    again; after the pause (also when the plot is drawn again from its figure) and after stepping back to
    where playback began, the cursor is drawn at the step shown."""
    page.goto(server_url + "/?fact=offer&t=2025-05-01T06:00:00Z")
    ready(page)
    page.wait_for_selector("#timeline .main-svg")
    page.evaluate("document.getElementById('panel-timeline').scrollIntoView({block: 'start'})")
    start = int(page.get_attribute(".dash-slider-thumb", "aria-valuenow"))
    page.wait_for_function(f"s => ({CURSOR})() === String(s)", arg=start)
    page.wait_for_selector("#timeline .shapelayer path[data-index]")
    page.wait_for_timeout(300)  # the drawing's last callbacks
    page.evaluate("""() => { window.__xs = new Set(); const f = () => {
      const gd = document.querySelector('#timeline .js-plotly-plot');
      const p = gd.querySelector(".shapelayer path[data-index='" + gd.layout.meta.cursor_shape + "']");
      if (p) { window.__xs.add(p.getAttribute('d')); } window.__raf = requestAnimationFrame(f); }; f();
      window.__plots = 0; document.querySelector('#timeline .js-plotly-plot').on('plotly_afterplot',
                                                                           () => { window.__plots += 1; }); }""")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press(" ")  # a click on the button would scroll back up to it
    page.wait_for_function(f"s => Number(document.querySelector('.dash-slider-thumb').getAttribute('aria-valuenow'))"
                           f" >= s + 3", arg=start)
    assert page.evaluate("window.__plots") == 0  # moved, not drawn again
    page.keyboard.press(" ")
    page.wait_for_function("document.querySelector('#play').innerText.includes('Play')")
    assert page.evaluate("window.scrollY") > 0
    page.wait_for_timeout(500)
    assert page.evaluate("cancelAnimationFrame(window.__raf) || window.__xs.size") >= 3  # drawn while playing
    page.click("#wheel-zoom input")  # a new config: the plot is drawn again from the figure it holds
    page.wait_for_timeout(1000)
    for _ in range(2):
        step = int(page.get_attribute(".dash-slider-thumb", "aria-valuenow"))
        page.wait_for_function(f"s => ({CURSOR})() === String(s)", arg=step)
        drawn, expected, x = page.evaluate(CURSOR_PIXELS)
        assert abs(drawn - expected) < 0.5 and x == str(step)
        while int(page.get_attribute(".dash-slider-thumb", "aria-valuenow")) > start:
            page.click("#step-back")
            page.wait_for_timeout(150)


def zoom(page, start: float, end: float, graph: str = "timeline", y: float = 0.5) -> list[str]:
    """Drag across the plot area of ``graph`` from ``start`` to ``end`` (shares of its width) at height
    ``y`` (a share of its height), as a reader zooms in; the new x range."""
    shown = X_RANGE.replace("#timeline", f"#{graph}")
    before = page.evaluate(shown)
    page.locator(f"#{graph} .nsewdrag").scroll_into_view_if_needed()
    box = page.locator(f"#{graph} .nsewdrag").bounding_box()
    at_y = box["y"] + box["height"] * y
    page.mouse.move(box["x"] + box["width"] * start, at_y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * end, at_y + 40, steps=8)
    page.mouse.up()
    page.wait_for_function(f"b => JSON.stringify(({shown})()) !== JSON.stringify(b)", arg=before)
    return page.evaluate(shown)


def test_zoomed_timeline_keeps_its_range_while_stepping_and_playing(page, server_url):
    page.goto(server_url + "/?fact=offer&t=2025-05-01T06:00:00Z")
    ready(page)
    whole = page.evaluate(X_RANGE)
    zoomed = zoom(page, 0.1, 0.6)
    assert zoomed != whole
    before = page.evaluate(CURSOR)
    page.click("#step-forward")
    page.wait_for_function("document.querySelector('#t-label').innerText.endsWith('10:00')")
    page.wait_for_function(f"c => ({CURSOR})() !== c", arg=before)  # the cursor moved, the range did not
    assert page.evaluate(X_RANGE) == zoomed
    page.click("#title")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.querySelector('#t-label').innerText.endsWith('09:00')")
    page.wait_for_function(f"c => ({CURSOR})() === c", arg=before)
    assert page.evaluate(X_RANGE) == zoomed
    page.click("#play")
    page.wait_for_function("document.querySelector('#t-label').innerText.endsWith('10:00')")
    page.click("#play")
    page.wait_for_function("document.querySelector('#play').innerText.includes('Play')")
    assert page.evaluate(X_RANGE) == zoomed
    page.click("#log .ag-row[row-id='5'] .ag-cell[col-id='kind']")  # an event row moves t too
    page.wait_for_function("document.querySelector('#t-label').innerText.endsWith('11:00')")
    assert page.evaluate(X_RANGE) == zoomed
    page.dblclick("#timeline .nsewdrag")  # double-click: the whole run again
    page.wait_for_function(f"w => JSON.stringify(({X_RANGE})()) !== JSON.stringify(w)", arg=zoomed)
    assert page.evaluate(X_RANGE) == whole


def test_another_scenario_resets_the_zoom(page, server_url):
    """The zoom belongs to one run: changing the fact keeps it; another scenario file shows the new run
    whole (in calendar mode, where both runs' axes range by themselves)."""
    page.goto(server_url + "/?fact=offer&mode=calendar&t=2025-05-01T07:00:00Z")
    ready(page)
    zoomed = zoom(page, 0.3, 0.5)
    page.locator("#fact").click()
    page.get_by_role("option", name="C answers").click()
    page.wait_for_function("decodeURIComponent(location.search).includes('fact=reply')")
    assert page.evaluate(X_RANGE) == zoomed
    page.locator("#scenario").click()
    page.get_by_role("option", name="No relay").click()
    page.wait_for_function("decodeURIComponent(location.search).includes('scenario=alternatives/no_relay')")
    page.wait_for_function(f"z => JSON.stringify(({X_RANGE})()) !== JSON.stringify(z)", arg=zoomed)
    start, end = (x.replace("T", " ") for x in page.evaluate(X_RANGE))
    assert start < zoomed[0] and end > zoomed[1]  # the whole run again


def test_zoomed_network_keeps_its_range_while_stepping(page, server_url):
    """A zoom on the network holds when a step redraws it (at 10:10 B has learned the offer)."""
    page.goto(server_url + "/?fact=offer&t=2025-05-01T07:00:00Z")
    ready(page)
    shown = X_RANGE.replace("#timeline", "#network")
    zoomed = zoom(page, 0.02, 0.5, "network", 0.04)  # a box from the top edge, where no actor is
    colours = "() => JSON.stringify(document.querySelector('#network .js-plotly-plot').data" \
              ".find(t => t.name === 'actors').marker.color)"
    before = page.evaluate(colours)
    page.click("#step-forward")
    page.wait_for_function(f"c => ({colours})() !== c", arg=before)
    assert page.evaluate(shown) == zoomed


# -- dragging actors --------------------------------------------------------------------------------
NODE = """id => {
  // The actor's place on the network: [x, y] in the figure, [x, y] on the screen.
  const gd = document.querySelector('#network .js-plotly-plot');
  const tr = gd.data.find(t => t.name === 'actors');
  const i = tr.customdata.indexOf(id);
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
  return [[tr.x[i], tr.y[i]], [r.left + xa._offset + xa.l2p(tr.x[i]), r.top + ya._offset + ya.l2p(tr.y[i])]];
}"""
LINE_ENDS = """name => {
  // The ends of the network's lines drawn for one medium, as [x, y] pairs.
  const tr = document.querySelector('#network .js-plotly-plot').data.find(t => t.name === name);
  return tr ? tr.x.map((x, i) => [x, tr.y[i]]).filter(p => p[0] !== null) : [];
}"""


def test_dragged_actor_stays_put_and_the_link_keeps_it(browser, page, server_url):
    page.goto(server_url + "/?fact=offer&t=2025-05-01T07:00:00Z")
    ready(page)
    (x0, y0), (sx, sy) = page.evaluate(NODE, "c")
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move(sx + 90, sy - 70, steps=10)
    page.mouse.up()
    page.wait_for_function("decodeURIComponent(location.search).includes('pos=c:')")
    moved = dict((a, (x, y)) for a, x, y in query(page).pos)["c"]
    assert moved[0] > x0 and moved[1] > y0  # right and up, as dragged
    page.wait_for_function("p => JSON.stringify((" + NODE + ")('c')[0]) === JSON.stringify(p)", arg=list(moved))
    assert tuple(moved) in {tuple(p) for p in page.evaluate(LINE_ENDS, "call")}  # B–C's line follows C
    assert query(page).actor == ""  # a drag is not a click: nothing in focus
    page.click("#step-forward")
    page.wait_for_function("document.querySelector('#t-label').innerText.endsWith('10:10')")
    assert page.evaluate(NODE, "c")[0] == list(moved)
    on_screen = page.evaluate(NODE, "c")[1]

    other = browser.new_context(viewport=VIEWPORT).new_page()
    try:
        other.goto(page.url)
        ready(other)
        assert other.evaluate(NODE, "c") == [list(moved), on_screen]
        assert tuple(moved) in {tuple(p) for p in other.evaluate(LINE_ENDS, "call")}
    finally:
        other.context.close()


# -- the network's filters ----------------------------------------------------------------------------
SHOWN = """() => {
  // What the network draws: each actor's opacity, and the lines drawn per medium.
  const gd = document.querySelector('#network .js-plotly-plot');
  const actors = gd.data.find(t => t.name === 'actors');
  const lines = {};
  gd.data.filter(t => t.mode === 'lines' && t.hoverinfo === 'skip' && t.legendgroup === 'channels')
    .forEach(t => { lines[t.name] = t.x.filter(x => x !== null).length / 2; });
  return {opacity: Object.fromEntries(actors.customdata.map((a, i) => [a, actors.marker.opacity[i]])), lines: lines};
}"""


def test_filters_by_affiliation_and_medium_change_the_network_and_the_link(browser, page, server_url):
    page.goto(server_url + "/?fact=offer&t=2025-05-01T07:00:00Z")
    ready(page)
    whole = page.evaluate(SHOWN)
    assert set(whole["opacity"].values()) == {1}
    assert whole["lines"] == {"text": 2, "call": 1, "tap (interception)": 1}  # A–B and C→A; B–C; E's tap on A–B
    page.click("#network-legend ~ details summary")
    page.locator("#show-affiliations label", has_text="Blue").click()  # C's affiliation
    page.wait_for_function("new URLSearchParams(location.search).get('hide') === 'Blue'")
    page.wait_for_function("() => (" + SHOWN + ")().opacity.c < 1")
    faint = page.evaluate(SHOWN)
    assert {a: o < 1 for a, o in faint["opacity"].items()} == {"a": False, "b": False, "c": True, "e": False}
    assert faint["lines"] == {"text": 1, "tap (interception)": 1}  # C's lines go: B–C's call and C→A's text
    page.locator("#show-media label", has_text="text").click()
    page.wait_for_function("new URLSearchParams(location.search).get('hide') === 'Blue,medium:text'")
    page.wait_for_function("() => !('text' in (" + SHOWN + ")().lines)")
    assert page.evaluate(SHOWN)["lines"] == {}  # no text line left, and E's tap was on one
    assert query(page).hide == ("Blue", "medium:text")

    other = browser.new_context(viewport=VIEWPORT).new_page()
    try:
        other.goto(page.url)
        ready(other)
        assert other.evaluate(SHOWN) == page.evaluate(SHOWN)
        other.click("#network-legend ~ details summary")
        unticked = other.eval_on_selector_all("#show-affiliations input:not(:checked), #show-media input:not(:checked)",
                                              "els => els.map(e => e.value)")
        assert unticked == ["Blue", "medium:text"]
        other.locator("#show-affiliations label", has_text="Blue").click()  # shown again
        other.wait_for_function("new URLSearchParams(location.search).get('hide') === 'medium:text'")
        other.wait_for_function("() => (" + SHOWN + ")().opacity.c === 1")
        assert other.evaluate(SHOWN)["lines"] == {"call": 1}
    finally:
        other.context.close()


# -- playback draws what can be seen -------------------------------------------------------------------
def test_plots_out_of_view_show_the_moment_when_playback_stops(page, server_url, tiny_run):
    """At 1280×800 the timeline and the matrix lie below the window: playback leaves them, and the pause
    draws them at the moment it stopped at (the timeline's cursor; the matrix's hover text)."""
    from dashboard.figures.matrix import hover_at, hover_lines
    from sim.timeparse import parse_instant

    page.goto(server_url + "/?fact=offer&t=2025-05-01T06:00:00Z")
    ready(page)
    assert page.evaluate("document.getElementById('timeline').getBoundingClientRect().top") > 800
    page.click("#play")
    page.wait_for_function("document.querySelector('#t-label').innerText.endsWith('10:15')")
    page.click("#play")
    page.wait_for_function("document.querySelector('#play').innerText.includes('Play')")
    step = int(page.get_attribute(".dash-slider-thumb", "aria-valuenow"))
    assert step >= 3  # 09:00, 10:00, 10:10, 10:15 …
    page.wait_for_function(f"s => ({CURSOR})() === String(s)", arg=step)  # event by event: x is the step
    t = parse_instant(page.evaluate("new URLSearchParams(location.search).get('t')")).timestamp()
    expected = hover_at(hover_lines(tiny_run), t)
    page.wait_for_function("e => JSON.stringify(((document.querySelector('#matrix .js-plotly-plot').data || [])[0]"
                           " || {}).customdata) === JSON.stringify(e)", arg=expected)
