"""Dashboard benchmark: view-change callback latency, payload and export size on the documented scenario.

``measure()`` posts the page's URL/controls callback to Dash's ``/_dash-update-component`` through
Flask's test client, as a browser would, for a round of typical view changes (fact, actor, mode,
alternative, time), and builds the exported HTML once; in headless Chromium at 1280×800 it opens the
page in fresh profiles (bytes on the wire, time until the first screen can be used) and plays it at 8
steps/s (steps painted per second, time for a pause to hold). Nothing is timed against a threshold here:
``python -m benchmarks`` compares the figures with its targets.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "alexander_release"


def _percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _sync_body(deps: list[dict], search: str, controls: dict[str, Any], current: Any, changed: str,
               view: Any = None) -> str:
    """The request a browser sends for the URL/controls callback (``view``: what the page stored last)."""
    dep = next(d for d in deps if d["output"].startswith("..url.search"))
    values = {"url.search": search, "current.data": current, "view.data": view} | controls
    return json.dumps({
        "output": dep["output"],
        "outputs": [dict(zip(("id", "property"), o.split("."))) for o in dep["output"].strip(".").split("...")],
        "inputs": [dict(i, value=values.get(f"{i['id']}.{i['property']}")) for i in dep["inputs"]],
        "state": [dict(s, value=values.get(f"{s['id']}.{s['property']}")) for s in dep["state"]],
        "changedPropIds": [changed],
    })


@contextmanager
def _browser() -> Iterator[tuple[Any, str] | None]:
    """The app served on 127.0.0.1 (its runs cached by one visit) and headless Chromium: ``(browser, base
    URL)``, or None where Chromium or Playwright is missing."""
    if not Path("/usr/bin/chromium").exists():
        yield None
        return
    try:
        from playwright.sync_api import sync_playwright

        from dashboard.app import create_app
        from dashboard.serving import CHROMIUM, CHROMIUM_FLAGS, served
    except ImportError:
        yield None
        return
    with served(create_app().server) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(f"{base}/?scenario={SCENARIO}")  # the server computes and caches the run once
            _ready(page)
            page.close()
            yield browser, base
        finally:
            browser.close()


VIEWPORT = {"width": 1280, "height": 800}


def _ready(page: Any) -> None:
    """Until the first screen is drawn and can be used: the network, the moment shown and the answer."""
    page.wait_for_selector("#network .main-svg", timeout=60000)
    page.wait_for_function("document.querySelector('#t-label').innerText.match(/\\d{4}/)", timeout=60000)
    page.wait_for_selector("#answer .answer-head", timeout=60000)


# In the page, from its first script on: the moment (ms since navigation began, the page's own clock) of the
# first animation frame at which the network, the moment shown and the answer are all there.
DRAWN = """(() => {
  const poll = () => {
    const label = document.querySelector('#t-label');
    if (document.querySelector('#network .main-svg') && label && /\\d{4}/.test(label.innerText)
        && document.querySelector('#answer .answer-head')) { window.__drawn = performance.now(); return; }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
})();"""


def first_visit(browser: Any, base: str, visits: int = 3) -> dict[str, Any]:
    """A first visit in a fresh browser profile (nothing cached), ``visits`` times: the median milliseconds
    until the first screen is drawn and can be used (from the request for the page until Playwright's waits
    for it return: each needs a turn of the page's main thread, so they end once the work the drawing
    started has let go of it), the median moment the page itself saw it drawn (its clock, from navigation
    start, sampled at every animation frame), and the bytes the first visit transferred for every request
    the page made until it went quiet (as they came over the wire: compressed bodies and headers, Chrome's
    ``encodedDataLength``), with the count of responses that came uncompressed and weigh over 1 KB."""
    times: list[float] = []
    drawn: list[float] = []
    out: dict[str, Any] = {}
    for i in range(visits):
        ctx = browser.new_context(viewport=VIEWPORT)
        try:
            page = ctx.new_page()
            cdp = ctx.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            wire: dict[str, int] = {}
            plain: dict[str, bool] = {}

            def finished(e: dict) -> None:
                wire[e["requestId"]] = int(e["encodedDataLength"])

            def received(e: dict) -> None:
                headers = {k.lower(): v for k, v in e["response"]["headers"].items()}
                plain[e["requestId"]] = (e["response"]["url"].startswith("http") and not headers.get("content-encoding")
                                         and int(headers.get("content-length", "0") or 0) > 1024)

            cdp.on("Network.loadingFinished", finished)
            cdp.on("Network.responseReceived", received)
            page.add_init_script(DRAWN)
            t0 = time.perf_counter()
            page.goto(f"{base}/?scenario={SCENARIO}")
            _ready(page)
            times.append((time.perf_counter() - t0) * 1000.0)
            page.wait_for_function("window.__drawn !== undefined", timeout=60000)  # the next frame at the latest
            drawn.append(page.evaluate("window.__drawn"))
            if i == 0:
                page.wait_for_load_state("networkidle")
                out = {"first_load_bytes": sum(wire.values()), "first_load_requests": len(wire),
                       "first_load_uncompressed": sum(plain.get(r, False) for r in wire)}
        finally:
            ctx.close()
    return out | {"page_interactive_ms": round(statistics.median(times), 1),
                  "page_interactive_runs_ms": [round(t, 1) for t in times],
                  "page_drawn_in_page_ms": round(statistics.median(drawn), 1)}


# In the page: the moments (epoch milliseconds, as Python's clock reads them) at which the big date and the
# timeline's cursor were painted with a new value, sampled at every animation frame, and the slider's moves
# ([moment, step]).
WATCH = """() => {
  const w = window.__bench = {label: [], cursor: [], slider: []};
  const cursor = () => { const p = Array.from(document.querySelectorAll('#timeline .layer-above .shapelayer path')).pop();
                         return p ? p.getAttribute('d') : null; };
  const thumb = document.querySelector('.dash-slider-thumb');
  let label = document.querySelector('#t-label').innerText, at = cursor();
  const frame = () => {
    const l = document.querySelector('#t-label').innerText, c = cursor();
    if (l !== label) { label = l; w.label.push(Date.now()); }
    if (c !== at) { at = c; w.cursor.push(Date.now()); }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new MutationObserver(() => w.slider.push([Date.now(), Number(thumb.getAttribute('aria-valuenow'))]))
    .observe(thumb, {attributes: true, attributeFilter: ['aria-valuenow']});
  document.activeElement && document.activeElement.blur();
}"""
START = "2025-03-02T17:00:00Z"  # the documented scenario's busiest weeks lie after this
STEP = "() => Number(document.querySelector('.dash-slider-thumb').getAttribute('aria-valuenow'))"


def _play(browser: Any, base: str, seconds: float, scrolled: bool) -> dict[str, float]:
    """Open the documented scenario, play it at 8 steps/s for ``seconds`` (scrolled down to the timeline,
    or at the top of the page), then pause, both with the space bar as a reader would: the steps moved on
    per second, the new moments painted per second (the big date; the timeline's cursor), and how long
    after the key was pressed for pause the slider still moved (0 if it did not)."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(f"{base}/?scenario={SCENARIO}&t={START}")
        _ready(page)
        page.wait_for_selector("#timeline .main-svg", timeout=60000)
        page.click("#speed")
        page.get_by_text("8 steps/s").click()
        if scrolled:
            page.evaluate("document.getElementById('panel-timeline').scrollIntoView({block: 'start'})")
        page.evaluate(WATCH)
        first = page.evaluate(STEP)
        start = time.time() * 1000.0
        page.keyboard.press(" ")
        page.wait_for_timeout(seconds * 1000)
        stop = time.time() * 1000.0
        page.keyboard.press(" ")
        page.wait_for_function("document.querySelector('#play').innerText.includes('Play')")
        page.wait_for_timeout(1000)  # a step still to come after the pause would have come by now
        w = page.evaluate("window.__bench")
    finally:
        page.close()
    span = (stop - start) / 1000.0
    during = [v for t, v in w["slider"] if start <= t <= stop]
    after = [t for t, _ in w["slider"] if t > stop]
    return {"steps_per_s": round(((during[-1] if during else first) - first) / span, 2),
            "painted_per_s": round(sum(1 for t in w["cursor" if scrolled else "label"] if start <= t <= stop) / span, 2),
            "pause_ms": round(max(after) - stop, 1) if after else 0.0}


def playback(browser: Any, base: str, seconds: float = 4.0, rounds: int = 3) -> dict[str, Any]:
    """Play the documented scenario at 8 steps/s in headless Chromium at 1280×800, ``rounds`` times at the
    top of the page and as many scrolled down to the timeline: the steps the slider moved on per second
    (the clock the speed menu sets), the new moments painted per second (the big date above the network;
    the timeline's cursor), medians, and the slowest pause."""
    top = [_play(browser, base, seconds, False) for _ in range(rounds)]
    low = [_play(browser, base, seconds, True) for _ in range(rounds)]
    return {"playback_steps_per_s_at_8": round(statistics.median(r["steps_per_s"] for r in top + low), 2),
            "playback_drawn_per_s": round(statistics.median(r["painted_per_s"] for r in top), 2),
            "playback_timeline_drawn_per_s": round(statistics.median(r["painted_per_s"] for r in low), 2),
            "pause_ms": max(r["pause_ms"] for r in top + low)}


def measure(rounds: int = 3, page: bool = True) -> dict[str, Any]:
    """View-change callback p50/p95 (ms), response size, cold first load and export size on the documented
    scenario; with ``page``, also in headless Chromium: what a first visit transfers and how long until the
    page can be used (:func:`first_visit`), and playback and pause (:func:`playback`)."""
    os.environ.setdefault("BACKCHANNEL_SCENARIOS", str(ROOT / "scenarios"))
    from dashboard.app import create_app
    from dashboard.data import load_run
    from dashboard.figures.export import export_html

    client = create_app().server.test_client()
    deps = client.get("/_dash-dependencies").get_json()

    view: list[Any] = [None]  # what the page holds, as the browser would send it back

    def post(search: str, controls: dict[str, Any] | None = None, current: Any = None,
             changed: str = "url.search") -> tuple[float, dict]:
        body = _sync_body(deps, search, controls or {}, current, changed, view[0])
        t0 = time.perf_counter()
        r = client.post("/_dash-update-component", data=body, content_type="application/json")
        dt = (time.perf_counter() - t0) * 1000.0
        if r.status_code != 200:
            raise RuntimeError(f"callback failed with HTTP {r.status_code}")
        out = r.get_json()["response"]
        view[0] = out.get("view", {}).get("data", view[0])
        return dt, out

    cold_ms, first = post(f"?scenario={SCENARIO}")
    data = first["bundle"]["data"]
    base = {"scenario.value": SCENARIO, "alternative.value": "", "mode.value": "event",
            "fact.value": first["fact"]["value"], "actor.value": None,
            "panels.value": ["network", "timeline", "matrix", "log"], "group.value": "actors"}
    facts = [o["value"] for o in first["fact"]["options"]][:6]
    actors = [o["value"] for o in first["actor"]["options"]][:4]
    alts = [o["value"] for o in first["alternative"]["options"] if o["value"]][:2]
    changes: list[tuple[str, dict[str, Any]]] = []
    changes += [("fact.value", {"fact.value": f}) for f in facts]
    changes += [("actor.value", {"actor.value": a}) for a in actors]
    changes += [("mode.value", {"mode.value": m}) for m in ("calendar", "event")]
    changes += [("group.value", {"group.value": g}) for g in ("affiliations", "actors")]
    changes += [("alternative.value", {"alternative.value": a}) for a in alts + [""]]
    times: list[float] = []
    sizes: list[int] = []
    current = {"t": data["steps"][len(data["steps"]) // 2]}
    for _ in range(rounds):
        for prop, change in changes:
            dt, out = post("", base | change, current, prop)
            times.append(dt)
            sizes.append(len(json.dumps(out)))
        times.append(post(first["url"]["search"])[0])  # a shared link opened again
    fresh = times[:len(changes) + 1]  # the first round: most views new to the server's caches
    t0 = time.perf_counter()
    html = export_html(load_run(SCENARIO))
    export_ms = (time.perf_counter() - t0) * 1000.0
    in_browser: dict[str, Any] = {}
    if page:
        with _browser() as got:
            if got is not None:
                in_browser = first_visit(*got) | playback(*got)
    return {
        **in_browser,
        "view_change_p50_ms": round(statistics.median(times), 1),
        "view_change_p95_ms": round(_percentile(times, 0.95), 1),
        "view_change_first_round_p50_ms": round(statistics.median(fresh), 1),
        "view_change_first_round_max_ms": round(max(fresh), 1),
        "view_changes": len(times),
        "cold_first_load_ms": round(cold_ms, 1),
        "response_kib_p50": round(statistics.median(sizes) / 1024, 1),
        "export_bytes": len(html.encode("utf-8")),
        "export_ms": round(export_ms, 1),
        "steps_event_mode": len(data["steps"]),
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=1))
