"""Dashboard fixtures: a scenario folder in tmp, the app served from a thread, headless Chromium; and how the
page applies a patch of its bundle (:func:`applied`)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest

from dashboard.serving import CHROMIUM, CHROMIUM_FLAGS, served

DATA = Path(__file__).parent.parent / "data"
ROOT = Path(__file__).parent.parent.parent
VARIANT = """extends: ../tiny.yaml
title: No relay
remove: ["rule:relay"]
"""


def make_scenarios(root: Path) -> Path:
    """tiny.yaml plus a variant file under alternatives/."""
    (root / "alternatives").mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "tiny.yaml", root / "tiny.yaml")
    (root / "alternatives" / "no_relay.yaml").write_text(VARIANT, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def scenario_dir(tmp_path_factory) -> Path:
    return make_scenarios(tmp_path_factory.mktemp("scenarios"))


@pytest.fixture(scope="session")
def env(scenario_dir, tmp_path_factory):
    """Point the dashboard at the tmp scenario folder for the whole session, with sweep slots of its own (not
    those of other servers of this user on the machine)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("BACKCHANNEL_SCENARIOS", str(scenario_dir))
    mp.setenv("BACKCHANNEL_DEFAULT_SCENARIO", "tiny")
    mp.setenv("BACKCHANNEL_LOCK_DIR", str(tmp_path_factory.mktemp("locks")))
    yield scenario_dir
    mp.undo()


@pytest.fixture(scope="session")
def server_url(env):
    """The app served on 127.0.0.1 from a thread, for the browser tests."""
    from dashboard.app import create_app

    with served(create_app().server) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (scripts/install-test-deps.sh installs it)")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def page(browser):
    """A fresh browser context (no shared storage) and page at 1280×800, collecting console errors."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(20000)
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    ctx.close()


@pytest.fixture
def documented(monkeypatch):
    """The repository's own scenario folder, for the views of the documented scenario."""
    if not (ROOT / "scenarios" / "alternatives" / "no_intercepts.yaml").exists():
        pytest.skip("the documented scenario and its variants are not there")
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(ROOT / "scenarios"))
    monkeypatch.setenv("BACKCHANNEL_DEFAULT_SCENARIO", "alexander_release")


def wait_drawn(page, graph: str) -> None:
    """Until the plot ``graph`` has its traces: a plot below the first screen holds an empty figure until it
    comes near the window or the page is idle (``drawLeft`` in dashboard/assets/backchannel.js)."""
    page.wait_for_function("g => ((document.querySelector('#' + g + ' .js-plotly-plot') || {})._fullData || [])"
                           ".length > 0", arg=graph, timeout=60000)


def applied(base, sent):
    """``sent`` (a bundle, or a patch as Dash sends it) applied to ``base`` as the page applies it."""
    if not (isinstance(sent, dict) and "__dash_patch_update" in sent):
        return sent
    out = copy.deepcopy(base)
    for op in sent["operations"]:
        *path, last = op["location"]
        target = out
        for key in path:
            target = target[key]
        if op["operation"] == "Assign":
            target[last] = op["params"]["value"]
        elif op["operation"] == "Delete":
            del target[last]
        else:
            raise AssertionError(f"unexpected operation {op['operation']}")
    return out
