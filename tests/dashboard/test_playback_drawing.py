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
    """Played at 2 steps/s from 19:00 UTC on 2 March 2025 for five seconds, the page's in-place drawing of
    each moment (read 60 ms after it was reached, once the network's animation has drawn), made without a
    whole replot of either plot, matches, for
    the matrix's image, texts and hover texts and for every line, marker and text of the network, what a
    fresh page opened at that moment draws; so does the page once paused (each plot drawn whole again);
    and the console stays clean."""
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
        page.wait_for_timeout(800)  # the pause draws each plot whole again
        paused = {"t": page.evaluate("new URLSearchParams(location.search).get('t')"), "drawn": page.evaluate(DRAWN)}
    finally:
        page.close()
    assert replots == {"network": 0, "matrix": 0}  # each step drawn in place
    assert len(seen) >= 6, seen
    images = {s["drawn"]["image"] for s in seen}
    assert len(images) >= 2, "the matrix changed while playing"
    fresh = browser.new_page(viewport=TALL)
    try:
        for s in seen[1:6] + [paused]:
            fresh.goto(server_url + "/" + VIEW + "&t=" + quote(s["t"]))
            for graph in ("network", "matrix"):
                wait_drawn(fresh, graph)
            fresh.wait_for_timeout(300)
            assert fresh.evaluate(DRAWN) == s["drawn"], s["t"]
    finally:
        fresh.close()
    assert errors == []


def test_stepping_back_playing_and_pausing_draws_what_a_fresh_page_draws(browser, server_url, documented):
    """Texts that come and go (a cell's shape, an actor's mark of modelled knowledge) stay with their own
    cells and actors through stepped, played and paused drawing alike: after two steps back, a second of
    playback at 4 steps/s and a pause, the page shows what a fresh page of that moment shows."""
    page = browser.new_page(viewport=TALL)
    fresh = browser.new_page(viewport=TALL)
    try:
        page.goto(server_url + "/" + VIEW + "&t=" + quote("2025-05-11T19:00:00Z"))
        for graph in ("network", "matrix"):
            wait_drawn(page, graph)
        page.click("#speed")
        page.get_by_role("option", name="4 steps/s").click()
        page.evaluate("document.activeElement && document.activeElement.blur()")
        for key in ("ArrowLeft", "ArrowLeft", " "):
            page.keyboard.press(key)
            page.wait_for_timeout(400)
        page.wait_for_timeout(1000)
        page.keyboard.press(" ")
        page.wait_for_function("document.querySelector('#play').innerText.includes('Play')")
        page.wait_for_timeout(800)
        t = page.evaluate("new URLSearchParams(location.search).get('t')")
        fresh.goto(server_url + "/" + VIEW + "&t=" + quote(t))
        for graph in ("network", "matrix"):
            wait_drawn(fresh, graph)
        fresh.wait_for_timeout(300)
        assert page.evaluate(DRAWN) == fresh.evaluate(DRAWN), t
    finally:
        page.close()
        fresh.close()


TEXTS_AFTER = """(sequence) => {
  // A text trace drawn, then redrawn with each texts of `sequence` in turn (new arrays each time, as the
  // page sends them): what each point shows at the end, left to right.
  const gd = document.createElement('div');
  gd.style.width = '400px'; gd.style.height = '200px';
  document.body.appendChild(gd);
  const fig = texts => [[{type: 'scatter', mode: 'text', x: [0, 1, 2], y: [0, 0, 0], text: texts.slice()}],
                        {xaxis: {range: [-1, 3]}, width: 400, height: 200}];
  Plotly.newPlot(gd, ...fig(sequence[0]));
  sequence.slice(1).forEach(texts => Plotly.react(gd, ...fig(texts)));
  const xa = gd._fullLayout.xaxis;
  const shown = [0, 1, 2].map(() => '');
  gd.querySelectorAll('.textpoint text').forEach(t => { shown[Math.round(xa.p2c(Number(t.getAttribute('x'))))] += t.textContent; });
  gd.remove();
  return shown;
}"""


def test_texts_that_come_and_go_stay_with_their_points(page, server_url):
    """plotly.js drops the text of a point whose text is empty and then binds texts to points by their order
    on the page (plotly.js issue 5360); with NO_TEXT for "nothing" every point shows its own text through
    any sequence of redraws, as the matrix's cells and the network's marks are drawn."""
    from dashboard.figures.common import NO_TEXT

    page.goto(server_url + "/")
    page.wait_for_selector("#network .main-svg")
    n = NO_TEXT
    # with "" for nothing, the second of these drawings shows no text at all, and the third none either
    shown = page.evaluate(TEXTS_AFTER, [[n, "x", "x"], [n, "x", n], [n, "x", n], ["x", "x", n]])
    assert shown == ["x", "x", n]
    shown = page.evaluate(TEXTS_AFTER, [[n, n, "m"], ["a", n, "m"], ["a", "b", "m"], [n, "b", n]])
    assert shown == [n, "b", n]
