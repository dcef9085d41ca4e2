"""Dashboard benchmark: view-change callback latency, payload and export size on the documented scenario.

``measure()`` posts the page's URL/controls callback to Dash's ``/_dash-update-component`` through
Flask's test client, as a browser would, for a round of typical view changes (fact, actor, mode,
alternative, time), and builds the exported HTML once. Nothing is timed against a threshold here.
"""

from __future__ import annotations

import json
import os
import statistics
import time
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


def page_interactive_ms(sizes: dict[str, int] | None = None) -> float | None:
    """Milliseconds from opening the page in headless Chromium until the figures are drawn (None if unavailable);
    ``sizes`` gets ``first_load_bytes``: what a first visit transfers (compressed, headers included)."""
    if not Path("/usr/bin/chromium").exists():
        return None
    try:
        from playwright.sync_api import sync_playwright

        from dashboard.app import create_app
        from dashboard.serving import CHROMIUM, CHROMIUM_FLAGS, served
    except ImportError:
        return None

    try:
        with served(create_app().server) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            url = f"{base}/?scenario={SCENARIO}"
            done: list[Any] = []
            page.on("requestfinished", done.append)
            page.goto(url)  # warm the server-side cache and the browser's
            page.wait_for_selector("#network .main-svg", timeout=30000)
            page.wait_for_selector("#answer .answer-head", timeout=30000)
            page.wait_for_timeout(500)
            if sizes is not None:
                sizes["first_load_bytes"] = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]
                                                for r in done)
            t0 = time.perf_counter()
            page.goto(url + "&mode=event")
            page.wait_for_selector("#network .main-svg", timeout=30000)
            page.wait_for_function("document.querySelector('#t-label').innerText.match(/\\d{4}/)")
            ms = (time.perf_counter() - t0) * 1000.0
            browser.close()
            return ms
    except Exception:  # no usable browser here: the figure is optional
        return None


def playback(seconds: float = 4.0) -> dict[str, float] | None:
    """Play the documented scenario at 8 steps/s for ``seconds`` in headless Chromium: the steps moved on
    per second (the wall-clock rate the speed menu promises) and the timeline redraws per second."""
    if not Path("/usr/bin/chromium").exists():
        return None
    try:
        from playwright.sync_api import sync_playwright

        from dashboard.app import create_app
        from dashboard.serving import CHROMIUM, CHROMIUM_FLAGS, served
    except ImportError:
        return None
    step = "() => Number(document.querySelector('.dash-slider-thumb').getAttribute('aria-valuenow'))"
    try:
        with served(create_app().server) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{base}/?scenario={SCENARIO}&t=2025-03-02T17:00:00Z")
            page.wait_for_selector("#timeline .main-svg", timeout=30000)
            page.click("#speed")
            page.get_by_text("8 steps/s").click()
            page.evaluate("""() => { window.__draws = 0;
              document.querySelector('#timeline .js-plotly-plot').on('plotly_afterplot', () => window.__draws++); }""")
            first = page.evaluate(step)
            page.click("#play")
            t0 = time.perf_counter()
            page.wait_for_timeout(seconds * 1000)
            moved, draws = page.evaluate(step) - first, page.evaluate("window.__draws")
            dt = time.perf_counter() - t0
            t1 = time.perf_counter()
            page.click("#play")  # pause: until the step stops moving
            page.wait_for_function("document.querySelector('#play').innerText.includes('Play')")
            stopped = page.evaluate(step)
            pause_ms = (time.perf_counter() - t1) * 1000.0
            page.wait_for_timeout(400)
            held = page.evaluate(step) == stopped
            browser.close()
            return {"playback_steps_per_s_at_8": round(moved / dt, 2), "playback_draws_per_s": round(draws / dt, 2),
                    "pause_ms": round(pause_ms, 1) if held else None}
    except Exception:  # no usable browser here: the figure is optional
        return None


def measure(rounds: int = 3, page: bool = True) -> dict[str, Any]:
    """View-change callback p50/p95 (ms), response size, cold first load and export size on the documented
    scenario; with ``page``, also the time until the page is interactive in headless Chromium."""
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
    t0 = time.perf_counter()
    html = export_html(load_run(SCENARIO))
    export_ms = (time.perf_counter() - t0) * 1000.0
    sizes: dict[str, int] = {}
    interactive = page_interactive_ms(sizes) if page else None
    played = (playback() if page else None) or {}
    return {
        **played,
        **sizes,
        "page_interactive_ms": None if interactive is None else round(interactive, 1),
        "view_change_p50_ms": round(statistics.median(times), 1),
        "view_change_p95_ms": round(_percentile(times, 0.95), 1),
        "view_changes": len(times),
        "cold_first_load_ms": round(cold_ms, 1),
        "response_kib_p50": round(statistics.median(sizes) / 1024, 1),
        "export_bytes": len(html.encode("utf-8")),
        "export_ms": round(export_ms, 1),
        "steps_event_mode": len(data["steps"]),
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=1))
