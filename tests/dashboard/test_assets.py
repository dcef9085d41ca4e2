"""The page's own browser scripts: plotly.js bundled with only the traces the page draws, of the plotly package's
version, used instead of the full bundle; and the regenerator runtime, served in place of Babel's whole polyfill."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ASSET = Path(__file__).parent.parent.parent / "dashboard" / "assets" / "plotly-partial.min.js"
RUNTIME = ASSET.parent / "regenerator-runtime.js"
LOCK = ASSET.parent.parent.parent / "plotlyjs" / "package-lock.json"


def test_the_partial_bundle_is_the_plotly_packages_version():
    """scripts/build-plotly.sh must be run again (with the pin in plotlyjs/package.json) when plotly changes; the
    bundle's licence file holds plotly.js's and each bundled package's."""
    import json

    from plotly.offline import get_plotlyjs_version

    head = ASSET.read_text(encoding="utf-8")[:300]
    found = re.search(r"plotly\.js v(\S+) \(scatter, bar, heatmap\)", head)
    assert found and found.group(1) == get_plotlyjs_version()
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/plotly.js"]["version"] == get_plotlyjs_version()
    licences = (ASSET.parent / (ASSET.name + ".LICENSE.txt")).read_text(encoding="utf-8")
    assert licences.startswith("=" * 72 + f"\nplotly.js {get_plotlyjs_version()} (MIT)\n\nMIT License")
    assert "@plotly/d3 " in licences and "BSD" in licences


def test_the_regenerator_runtime_is_pinned_and_licensed():
    import json

    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/regenerator-runtime"]["version"] == "0.14.1"
    text = RUNTIME.read_text(encoding="utf-8")
    assert "regeneratorRuntime = runtime" in text and "function wrap(innerFn, outerFn, self, tryLocsList)" in text
    assert (RUNTIME.parent / (RUNTIME.name + ".LICENSE.txt")).read_text(encoding="utf-8").startswith("MIT License")


def test_dash_s_polyfill_address_serves_the_runtime_alone(env):
    """The page asks for Babel's polyfill where Dash put it, and gets the runtime, cached like Dash's scripts;
    the runtime is not also a script of its own."""
    import re

    from dashboard.app import create_app

    client = create_app().server.test_client()
    index = client.get("/").get_data(as_text=True)
    src = re.search(r'src="([^"]*/deps/polyfill@7[^"]*)"', index)
    assert src and "regenerator-runtime" not in index
    served = client.get(src.group(1))
    assert served.status_code == 200 and served.get_data() == RUNTIME.read_bytes()
    assert served.mimetype == "application/javascript" and served.cache_control.max_age == 31536000
    react = re.search(r'src="([^"]*/deps/react@[^"]*)"', index)
    assert react and b"createElement" in client.get(react.group(1)).get_data()  # the other scripts as they were


@pytest.mark.browser
def test_the_page_draws_with_the_partial_bundle_only(page, server_url):
    """Every figure of the page draws with it, and the full plotly.js is never fetched."""
    page.goto(server_url + "/?fact=offer&panels=network,timeline,matrix,log,compare,sweep&compare=alternatives/no_relay"
              "&sweep=50")
    page.wait_for_selector("#network .main-svg")
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 8", timeout=60000)
    names = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert any("plotly-partial.min.js" in n for n in names)
    assert not any(n.split("?")[0].endswith("/plotly.min.js") for n in names)
    assert page.evaluate("window.Plotly.version") and page.errors == []
    assert sorted(page.evaluate("Object.keys(window.Plotly.PlotSchema.get().traces)")) == ["bar", "heatmap", "scatter"]
    polyfill = page.evaluate("performance.getEntriesByType('resource').filter(e => e.name.includes('/polyfill@7'))"
                             ".map(e => e.decodedBodySize)")
    assert polyfill == [RUNTIME.stat().st_size]  # the runtime alone, and the page runs on it
    assert page.evaluate("typeof window.regeneratorRuntime.mark") == "function"


def test_the_grid_library_is_left_out_of_the_page_s_scripts(env):
    """dash-ag-grid's script is not one of the page's scripts: a prefetch hint names it for the stand-in
    that loads it when the event log's grid is first drawn."""
    from dashboard.app import create_app

    index = create_app().server.test_client().get("/").get_data(as_text=True)
    assert not re.search(r'<script src="[^"]*dash_ag_grid', index)
    hint = re.search(r'<link rel="prefetch" as="script" href="([^"]*/dash_ag_grid/dash_ag_grid[^"]*\.js)" '
                     r'data-library="dash_ag_grid">', index)
    assert hint and index.index(hint.group(0)) < index.index("firstvisit.js")  # there before the stand-in looks


@pytest.mark.browser
def test_the_grid_library_loads_when_the_grid_is_drawn(page, server_url):
    """At the first screen the grid's library has not run; scrolled to the event log, it loads and the grid
    shows its rows, with a clean console."""
    page.goto(server_url + "/")
    page.wait_for_selector("#answer .answer-head")
    scripts = ("() => performance.getEntriesByType('resource').filter(e => e.name.includes('/dash_ag_grid/dash_ag_grid')"
               " && e.initiatorType === 'script').length")
    assert page.evaluate(scripts) == 0 and page.evaluate("typeof window.dash_ag_grid.getApi") == "undefined"
    page.evaluate("document.getElementById('log').scrollIntoView()")
    page.wait_for_selector("#log .ag-row")
    assert page.evaluate(scripts) == 1 and page.evaluate("typeof window.dash_ag_grid.getApi") == "function"
    # what the library's later chunk adds to its global is kept, and Dash reads the grid's own flags
    assert page.evaluate("typeof window.dash_ag_grid.useGridFilter") == "function"
    assert page.evaluate("window.dash_ag_grid.AgGrid.dashRenderType") is True
    assert page.errors == []


@pytest.mark.browser
def test_a_grid_library_that_cannot_load_says_so(page, server_url):
    """When the grid's script cannot be fetched, the event log's place says the part could not be loaded,
    and the rest of the page works on."""
    page.route("**/dash_ag_grid/dash_ag_grid*.js", lambda route: route.abort())
    page.goto(server_url + "/")
    page.wait_for_selector("#answer .answer-head")
    page.evaluate("document.getElementById('log').scrollIntoView()")
    page.wait_for_selector("#log[role=alert]")
    assert "could not be loaded" in page.inner_text("#log")
    page.click("#step-back")
    page.wait_for_function("document.querySelector('#t-label').innerText !== ''")
    assert set(page.errors) == {"Failed to load resource: net::ERR_FAILED"}  # the refused fetches, nothing thrown
