"""Screenshot the dashboard in headless Chromium: ``python scripts/screenshot.py [--view V | --query Q] [--out PNG]``.

Serves the app on 127.0.0.1 from a thread, opens a view at 1280×800, waits until the figures are
drawn and writes the PNG (``--full`` for the whole page). The views (``--view``, default ``main``):

- ``main``: the documented scenario at Sunday 11 May 2025, 22:30 Doha, following hamas_agrees_release
  (docs/screenshots/main-view.png);
- ``compare``: the same against the variant without Israeli intercepts, following backchannel_exists,
  scrolled to the compare panel (docs/screenshots/compare-view.png);
- ``sweep``: a sweep of 500 replays, following backchannel_exists, scrolled to the sweep panel
  (docs/screenshots/sweep-view.png);
- ``focus``: the main view with Ron Dermer in focus: what he knew of the agreement at that moment, and how
  (docs/screenshots/focus-view.png);
- ``story``: story mode at the scenario's opening key moment (docs/screenshots/story-view.png);
- ``all``: all of them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_QUERY = "?scenario=alexander_release&t=2025-05-11T19:30:00Z&mode=event&fact=hamas_agrees_release"
# name: (query, panel to scroll to and wait for, or None, default output file)
VIEWS = {
    "main": (DEFAULT_QUERY, None, "main-view.png"),
    "focus": (DEFAULT_QUERY.replace("19:30", "20:30") + "&actor=dermer", None, "focus-view.png"),
    "story": ("?scenario=alexander_release&mode=event&story=1", None, "story-view.png"),
    "compare": ("?scenario=alexander_release&t=2025-05-11T19:30:00Z&mode=event&fact=backchannel_exists"
                "&compare=alternatives/no_intercepts", "panel-compare", "compare-view.png"),
    "sweep": ("?scenario=alexander_release&t=2025-05-11T19:30:00Z&mode=event&fact=backchannel_exists"
              "&sweep=500&seed=1", "panel-sweep", "sweep-view.png"),
}


def screenshot(out: Path, query: str = DEFAULT_QUERY, full: bool = False, width: int = 1280,
               height: int = 800, browser=None, panel: str | None = None) -> list[str]:
    """Write the PNG; return the page's console errors. ``browser``: a Playwright browser to reuse;
    ``panel``: the id of a panel to wait for and scroll to the top of the picture."""
    from playwright.sync_api import sync_playwright

    from dashboard.app import create_app
    from dashboard.serving import CHROMIUM, CHROMIUM_FLAGS, served

    errors: list[str] = []
    with served(create_app().server) as base:
        if browser is not None:
            _shoot(browser, f"{base}/{query}", out, full, width, height, errors, panel)
        else:
            with sync_playwright() as pw:
                own = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
                try:
                    _shoot(own, f"{base}/{query}", out, full, width, height, errors, panel)
                finally:
                    own.close()
    return errors


def _shoot(browser, url: str, out: Path, full: bool, width: int, height: int, errors: list[str],
           panel: str | None = None) -> None:
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        page.wait_for_selector("#network .main-svg", state="attached", timeout=30000)
        page.wait_for_selector("#timeline .main-svg", state="attached", timeout=30000)
        page.wait_for_function("document.querySelector('#t-label').innerText.match(/\\d{4}/)")
        page.wait_for_selector("#answer .answer-head", timeout=30000)
        if panel:
            page.wait_for_selector(f"#{panel} .js-plotly-plot .main-svg", timeout=60000)
            page.wait_for_function("id => !document.querySelector('#' + id + ' [data-dash-is-loading]')", arg=panel)
            page.evaluate("id => document.getElementById(id).scrollIntoView({block: 'start'})", panel)
        page.evaluate("document.fonts.ready")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=full)
    finally:
        page.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--view", choices=[*VIEWS, "all"], default="main", help="a documented view (default: main)")
    ap.add_argument("--out", type=Path, help="the PNG (default: docs/screenshots/<view>-view.png)")
    ap.add_argument("--query", help="URL query string of another view")
    ap.add_argument("--full", action="store_true", help="the whole page, not just the first screen")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=800)
    args = ap.parse_args()
    errors: list[str] = []
    for name in (list(VIEWS) if args.view == "all" else [args.view]):
        query, panel, file = VIEWS[name]
        out = args.out or ROOT / "docs" / "screenshots" / file
        errors += screenshot(out, args.query or query, args.full, args.width, args.height, panel=panel)
        print(f"wrote {out}")
    for e in errors:
        print(f"console error: {e}", file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
