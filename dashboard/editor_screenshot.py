"""The editor's picture in the docs: ``python -m dashboard.editor_screenshot [--out PNG]``.

Serves the app on 127.0.0.1 from a thread (the repository's scenarios, a scenario store in a
temporary folder), opens the editor on the documented scenario at 1280×800, misspells an actor
in an event (``witkoff`` → ``witkof``) and waits until the loader's problem is listed and marked at its
line, then writes docs/screenshots/editor.png.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = "?scenario=alexander_release&fact=hamas_agrees_release&panels=network,timeline,matrix,log,editor"
TYPO = ("    actor: witkoff\n", "    actor: witkof\n")


def screenshot(out: Path, browser=None) -> list[str]:
    """Write the PNG; return the page's console errors. ``browser``: a Playwright browser to reuse."""
    from playwright.sync_api import sync_playwright

    from .app import create_app
    from .serving import CHROMIUM, CHROMIUM_FLAGS, served

    saved = {k: os.environ.get(k) for k in ("BACKCHANNEL_SCENARIOS", "BACKCHANNEL_STORE")}
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BACKCHANNEL_SCENARIOS"] = str(ROOT / "scenarios")
        os.environ["BACKCHANNEL_STORE"] = str(Path(tmp) / "store.sqlite3")
        try:
            with served(create_app().server) as base:
                if browser is not None:
                    _shoot(browser, base + "/" + QUERY, out, errors)
                else:
                    with sync_playwright() as pw:
                        own = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
                        try:
                            _shoot(own, base + "/" + QUERY, out, errors)
                        finally:
                            own.close()
        finally:
            for k, v in saved.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return errors


def _shoot(browser, url: str, out: Path, errors: list[str]) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(90000)
    try:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        page.wait_for_function("window.backchannelEditor && window.backchannelEditor.view.state.doc.length > 0")
        page.wait_for_function("document.querySelector('#editor-status').innerText === 'No problems'")
        page.evaluate("""([was, now]) => {
          const v = window.backchannelEditor.view, at = v.state.doc.toString().indexOf(was);
          v.dispatch({changes: {from: at, to: at + was.length, insert: now}});
        }""", list(TYPO))
        page.wait_for_selector("#editor-problems .editor-problem")
        page.click("#editor-problems .editor-problem")
        page.wait_for_selector(".cm-lintRange-error")
        page.evaluate("window.scrollTo(0, 0)")
        page.evaluate("document.fonts.ready")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
    finally:
        page.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "editor.png")
    args = ap.parse_args()
    errors = screenshot(args.out)
    print(f"wrote {args.out}" + (f"; console errors: {errors}" if errors else ""))


if __name__ == "__main__":
    main()
