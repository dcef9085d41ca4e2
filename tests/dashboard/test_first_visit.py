"""The event log's grid is mounted after the first screen (dashboard/layout.py ``Deferred``): it is not there
when the answer is first drawn, it fills and follows the moment shown once mounted (also with what was set
while it waited), and a click on a row still moves the slider."""

from __future__ import annotations

from sim.timeparse import parse_instant

# Notes, in the page, whether the event log's grid was mounted when the answer's heading first appeared.
WATCH_FIRST_SCREEN = """
window.__logAtFirstScreen = null;
new MutationObserver(function (_, obs) {
  if (document.querySelector('#answer .answer-head')) {
    window.__logAtFirstScreen = !!document.querySelector('#log .ag-root');
    obs.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def wait_ready(page) -> None:
    page.wait_for_selector("#network .main-svg")
    page.wait_for_function("document.querySelector('#t-label').innerText.match(/\\d{4}/)")
    page.wait_for_selector("#answer .answer-head")


def latest(run, local: str) -> str:
    """The id of the latest event at or before ``local`` (Nairobi time, as the tiny scenario's clock)."""
    t = parse_instant(f"2025-05-01T{local}+03:00").timestamp()
    return str(max(e.id for e in run.events if e.time <= t))


def test_log_is_mounted_after_the_first_screen_and_follows_what_was_set_meanwhile(page, server_url, tiny_run):
    page.add_init_script(WATCH_FIRST_SCREEN)
    page.goto(server_url + "/?t=2025-05-01T06:00:00Z")
    wait_ready(page)
    assert page.evaluate("window.__logAtFirstScreen") is False  # no grid yet (its empty box may hold the id)
    page.click("#step-forward")  # the log's selection is set while it may still wait to be mounted
    page.wait_for_function("document.querySelector('#t-label').innerText.endsWith('10:00')")
    page.evaluate("document.getElementById('panel-log').scrollIntoView({block: 'center'})")
    page.wait_for_selector(f"#log .ag-row-selected[row-id='{latest(tiny_run, '10:00')}']")
    assert page.locator("#log .ag-center-cols-container .ag-row-selected").count() == 1
    page.click("#log .ag-row[row-id='5'] .ag-cell[col-id='kind']")  # the intercept at 11:00 local
    page.wait_for_function("document.querySelector('#t-label').innerText.endsWith('11:00')")
    page.wait_for_selector("#log .ag-row-selected[row-id='5']")
    assert page.errors == []


def test_log_is_mounted_without_scrolling_once_the_moment_holds_still(page, server_url, tiny_run):
    page.goto(server_url + "/?t=2025-05-01T06:00:00Z")
    wait_ready(page)
    assert page.evaluate("window.scrollY") == 0
    page.wait_for_selector(f"#log .ag-row-selected[row-id='{latest(tiny_run, '09:00')}']")
    assert page.locator("#log .ag-row").count() > 3
    assert page.errors == []
