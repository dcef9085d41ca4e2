"""While playing, the page draws each step's network and matrix in place (plotly's animate for the network's
changing traces, the matrix's cells painted where plotly drew them): what it draws must be what a fresh page
of that moment draws through plotly."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .conftest import wait_drawn

pytestmark = pytest.mark.browser

TALL = {"width": 1280, "height": 2600}  # the network, the timeline and the matrix all on screen
VIEW = "?scenario=alexander_release&fact=hamas_agrees_release&mode=event"

# What the matrix and the network show, as drawn: the heatmap's image; each cell's text, where it stands;
# the hover texts plotly holds; each line, marker and text of the network's traces.
DRAWN = """() => {
  const mx = document.querySelector('#matrix .js-plotly-plot');
  const net = document.querySelector('#network .js-plotly-plot');
  const texts = Array.from(mx.querySelectorAll('.scatterlayer .textpoint text')).map(t =>
    [t.textContent, t.getAttribute('x'), t.getAttribute('y'), t.parentNode.getAttribute('transform')]).sort();
  const traces = Array.from(net.querySelectorAll('.scatterlayer .trace')).map(tr =>
    Array.from(tr.querySelectorAll('path.js-line, path.point, text')).map(e =>
      [e.tagName, e.getAttribute('d'), e.getAttribute('transform'), e.style.fill, e.style.opacity, e.textContent]));
  return {image: mx.querySelector('.heatmaplayer image').getAttribute('href'), texts: texts,
          hover: mx._fullData[0].customdata, network: traces};
}"""

# Records what is drawn at each new moment while playing (the URL names the moment as each step is drawn),
# and counts the whole replots of the network and the matrix meanwhile.
RECORD = """(drawn) => {
  const seen = window.__seen = [];
  const replots = window.__replots = {network: 0, matrix: 0};
  const snap = eval(drawn);
  const isPlaying = () => document.querySelector('#play').innerText.includes('Pause');
  Object.keys(replots).forEach(id => document.querySelector('#' + id + ' .js-plotly-plot')
    .on('plotly_afterplot', () => { if (isPlaying()) { replots[id] += 1; } }));
  const poll = () => {
    const playing = isPlaying();
    const t = new URLSearchParams(location.search).get('t');
    if (playing && (!seen.length || seen[seen.length - 1].t !== t)) { seen.push({t: t, at: performance.now()}); }
    const last = seen[seen.length - 1];
    if (playing && last && performance.now() - last.at > 60 && !last.drawn) { last.drawn = snap(); }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}"""


def test_playback_draws_what_a_fresh_page_of_each_moment_draws(browser, server_url, documented):
    """Played at 2 steps/s from 19:00 UTC on 2 March 2025 (the matrix already shows a shape there: with none
    to copy, the page replots it) for five seconds, the page's in-place drawing of
    each moment (read 60 ms after it was reached, once the network's animation has drawn), made without a
    whole replot of either plot, matches, for
    the matrix's image, texts and hover texts and for every line, marker and text of the network, what a
    fresh page opened at that moment draws; and the console stays clean."""
    page = browser.new_page(viewport=TALL)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(server_url + "/" + VIEW + "&t=" + quote("2025-03-02T19:00:00Z"))
        for graph in ("network", "timeline", "matrix"):
            wait_drawn(page, graph)
        page.wait_for_timeout(500)
        assert "2 steps/s" in page.inner_text("#speed")  # the speed a page opens at
        page.evaluate(RECORD, DRAWN)
        page.keyboard.press(" ")
        page.wait_for_timeout(5000)
        page.keyboard.press(" ")
        page.wait_for_function("document.querySelector('#play').innerText.includes('Play')")
        seen = [s for s in page.evaluate("window.__seen") if s.get("drawn")]
        replots = page.evaluate("window.__replots")
    finally:
        page.close()
    assert replots == {"network": 0, "matrix": 0}  # each step drawn in place
    assert len(seen) >= 6, seen
    images = {s["drawn"]["image"] for s in seen}
    assert len(images) >= 2, "the matrix changed while playing"
    fresh = browser.new_page(viewport=TALL)
    try:
        for s in seen[1:6]:
            fresh.goto(server_url + "/" + VIEW + "&t=" + quote(s["t"]))
            for graph in ("network", "matrix"):
                wait_drawn(fresh, graph)
            fresh.wait_for_timeout(300)
            assert fresh.evaluate(DRAWN) == s["drawn"], s["t"]
    finally:
        fresh.close()
    assert errors == []
