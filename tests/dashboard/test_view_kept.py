"""The view the reader shapes, in headless Chromium: hover labels stay on the visible page, a zoomed
timeline keeps its range while stepping, dragged actors stay where they were put, the network's
filters, and the link that carries all of it."""

from __future__ import annotations

import pytest

from dashboard.state import decode

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 800}


def ready(page) -> None:
    page.wait_for_selector("#network .main-svg", timeout=60000)
    page.wait_for_selector("#timeline .main-svg", timeout=60000)
    page.wait_for_function("document.querySelector('#t-label').innerText.match(/\\d{4}/)", timeout=60000)
    page.wait_for_selector("#answer .answer-head", timeout=60000)


def query(page) -> dict:
    """The page's link, decoded as another browser would read it."""
    return decode("?" + page.url.split("?", 1)[1])[0]


# -- hover labels ---------------------------------------------------------------------------------
ACTOR_AT_EDGES = """() => {
  // The actors nearest the network's left, right, top and bottom edges: [side, point index, x, y].
  const gd = document.querySelector('#network .js-plotly-plot');
  const tr = gd.data.find(t => t.name === 'actors');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
  const pts = tr.x.map((x, i) => [i, r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(tr.y[i])]);
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
    """At 1280×800 the network reaches below the window: the label of the actor nearest each edge,
    the bottom one included, is drawn wholly inside the visible page."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(server_url + "/?scenario=alexander_release&fact=hamas_agrees_release&t=2025-05-11T19:30:00Z")
        ready(page)
        names = page.evaluate("() => document.querySelector('#network .js-plotly-plot').data"
                              ".find(t => t.name === 'actors').hovertext.map(h => h.split('</b>')[0].slice(3))")
        edges = page.evaluate(ACTOR_AT_EDGES)
        assert page.evaluate("document.querySelector('#network .js-plotly-plot').getBoundingClientRect().bottom") > 800
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
        points = page.evaluate(CELLS, [graph, 6])
        assert len(points) >= 3
        for x, y in points:
            page.mouse.move(x, y)
            assert_on_screen(hovered(page, graph))
            page.mouse.move(2, 2)
            page.wait_for_selector(f"#{graph} .hoverlayer .hovertext", state="detached")
    finally:
        page.close()
