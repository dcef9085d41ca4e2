"""The page's own copy of plotly.js: the cartesian partial bundle, of the plotly package's version, used
instead of the full bundle."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ASSET = Path(__file__).parent.parent.parent / "dashboard" / "assets" / "plotly-cartesian.min.js"


def test_the_partial_bundle_is_the_plotly_packages_version():
    """scripts/build-plotly.sh must be run again (with the pin in plotlyjs/package.json) when plotly changes."""
    from plotly.offline import get_plotlyjs_version

    head = ASSET.read_text(encoding="utf-8")[:300]
    found = re.search(r"plotly\.js \(cartesian - minified\) v(\S+)", head)
    assert found and found.group(1) == get_plotlyjs_version()
    assert (ASSET.parent / (ASSET.name + ".LICENSE.txt")).read_text(encoding="utf-8").startswith("MIT License")


@pytest.mark.browser
def test_the_page_draws_with_the_partial_bundle_only(page, server_url):
    """Every figure of the page draws with it, and the full plotly.js is never fetched."""
    page.goto(server_url + "/?fact=offer&panels=network,timeline,matrix,log,compare,sweep&compare=alternatives/no_relay"
              "&sweep=50")
    page.wait_for_selector("#network .main-svg")
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 8", timeout=60000)
    names = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert any("plotly-cartesian.min.js" in n for n in names)
    assert not any(n.split("?")[0].endswith("/plotly.min.js") for n in names)
    assert page.evaluate("window.Plotly.version") and page.errors == []
