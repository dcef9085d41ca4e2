"""No request can make our code answer 5xx: hostile URLs, hostile callback inputs posted to
``/_dash-update-component`` exactly as the browser posts them, oversized bodies, busy sweeps."""

from __future__ import annotations

import json
import random
import threading

import pytest

from dashboard import limits
from dashboard.serving import callback_body

HOSTILE = [None, "", True, 0, -1, 1e308, float("nan"), 2**70, "x" * 300, "../../etc/passwd", "a/" * 150 + "b",
           "\x00", "?" + "a=b&" * 2000, [], ["network", 5, None], {"t": "abc"}, {"t": float("inf")},
           {"search": 5}, {"search": "?t=99999-99-99"}, [[[[]]]], {"a": {"b": {"c": []}}}]


@pytest.fixture(scope="module")
def client(env):
    from dashboard.app import create_app

    app = create_app()
    return app.server.test_client()


@pytest.fixture(scope="module")
def callbacks(client):
    """The server-side callbacks as the page learns them from ``/_dash-dependencies``."""
    deps = client.get("/_dash-dependencies").get_json()
    return [d for d in deps if not d.get("clientside_function")]


def post(client, dep, values, state_values=None):
    text = json.dumps(callback_body(dep, values, state_values), allow_nan=True)  # a script can send NaN
    return client.post("/_dash-update-component", data=text, content_type="application/json")


def test_every_callback_survives_hostile_values_in_each_slot(client, callbacks):
    assert len(callbacks) >= 6  # sync, export, compare, sweep (two), what mattered
    for dep in callbacks:
        n_in, n_state = len(dep["inputs"]), len(dep["state"])
        for slot in range(n_in + n_state):
            for bad in HOSTILE:
                values = [None] * (n_in + n_state)
                values[slot] = bad
                r = post(client, dep, values[:n_in], values[n_in:])
                assert r.status_code < 500, (dep["output"], slot, bad, r.get_data(as_text=True)[:300])


def test_random_combinations_never_fail(client, callbacks):
    rng = random.Random(7)
    pool = HOSTILE + ["tiny", "alternatives/no_relay", "offer", "a", "slow_relay", "event", "calendar",
                      ["network", "compare", "sweep", "mattered"], {"t": 1746072000.0},
                      {"search": "?scenario=tiny&panels=compare,sweep,mattered&sweep=100&actor=c&remove=rule:relay",
                       "run": "x"}, 100, 3]
    for _ in range(150):
        dep = rng.choice(callbacks)
        values = [rng.choice(pool) for _ in dep["inputs"]]
        states = [rng.choice(pool) for _ in dep["state"]]
        r = post(client, dep, values, states)
        assert r.status_code < 500, (dep["output"], values, states, r.get_data(as_text=True)[:300])


def test_hostile_urls(client):
    for path in ("/?scenario=" + "a" * 300, "/?t=" + "9" * 400, "/%00", "/..%2f..%2fetc%2fpasswd",
                 "/?" + "&".join(f"k{i}=v" for i in range(500)), "/_dash-layout?x=\x7f", "/" + "a" * 5000,
                 "/?remove=" + ",".join(f"actor:a{i}" for i in range(100))):
        r = client.get(path)
        assert r.status_code < 500, path


def test_links_with_hostile_values_resolve_with_notices(client, callbacks):
    sync = next(d for d in callbacks if "url.search" in d["output"])
    for search in ("?scenario=" + "a" * 251, "?scenario=../../etc&compare=" + "b" * 300, "?t=nan&panels=x,y",
                   "?remove=tap:x/y,actor:" + "z" * 90, "?sweep=99999999999&seed=-1"):
        r = post(client, sync, [search] + [None] * (len(sync["inputs"]) - 1))
        assert r.status_code == 200, search
        assert "notice" in r.get_data(as_text=True)


def test_a_body_over_the_limit_is_refused(client, callbacks):
    dep = callbacks[0]
    big = json.dumps({"output": dep["output"], "inputs": [], "padding": "x" * (2 << 20)})
    r = client.post("/_dash-update-component", data=big, content_type="application/json")
    assert r.status_code == 413


def test_sweeps_are_limited_per_client_and_in_total(tmp_path, monkeypatch):
    monkeypatch.setenv(limits.ENV_LOCKS, str(tmp_path))
    monkeypatch.setenv(limits.ENV_SLOTS, "1")
    started, release = threading.Event(), threading.Event()

    def hold():
        with limits.same_work("run-a"), limits.slot("10.0.0.1"):
            started.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    started.wait(10)
    try:
        with pytest.raises(limits.Busy, match="Another sweep of yours"):
            with limits.slot("10.0.0.1"):
                pass
        with pytest.raises(limits.Busy, match="busy with other sweeps; try again"):
            with limits.slot("10.0.0.2"):
                pass
        with pytest.raises(limits.Busy, match="busy with other sweeps and analyses; try again"):
            with limits.slot("10.0.0.1", "explain"):  # another kind of work of the same client: only the total
                pass
    finally:
        release.set()
        t.join(10)
    with limits.slot("10.0.0.2"):  # free again
        pass


def test_the_same_sweep_asked_twice_waits_for_the_first(tmp_path, monkeypatch):
    monkeypatch.setenv(limits.ENV_LOCKS, str(tmp_path))
    monkeypatch.setenv(limits.ENV_SLOTS, "1")
    order = []
    started = threading.Event()

    def first():
        with limits.same_work("run-a"), limits.slot("10.0.0.1"):
            started.set()
            threading.Event().wait(0.3)
            order.append("first done")

    t = threading.Thread(target=first)
    t.start()
    started.wait(10)
    with limits.same_work("run-a"), limits.slot("10.0.0.1"):  # waits instead of failing
        order.append("second ran")
    t.join(10)
    assert order == ["first done", "second ran"]


def test_sweep_panel_says_try_again_when_busy(env, tmp_path, monkeypatch):
    from dashboard.callbacks import sweep_panel

    monkeypatch.setenv(limits.ENV_LOCKS, str(tmp_path))
    monkeypatch.setenv(limits.ENV_SLOTS, "1")
    view = {"search": "?scenario=tiny&fact=offer&panels=sweep&sweep=50&seed=3", "run": ""}
    with limits.slot("someone else"):
        text, cdf, sources = sweep_panel(view)
    assert text == limits.BUSY and cdf == {} and sources == {}
    text, _, _ = sweep_panel(view)
    assert "50 times" in text
    monkeypatch.setenv(limits.ENV_MAX_RUNS, "20")
    assert sweep_panel(view)[0] == "This server runs sweeps of at most 20 replays; choose fewer."


def test_serve_runs_a_production_server_on_loopback(env, tmp_path):
    """``backchannel serve --workers 2``: gunicorn on 127.0.0.1, the page served, big bodies refused."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from dashboard.serving import gunicorn_available, gunicorn_options

    if not gunicorn_available():
        pytest.skip("gunicorn is not installed (pip install 'backchannel[deploy]')")
    opts = gunicorn_options("127.0.0.1", 8050, 2, 4)
    assert opts["bind"] == "127.0.0.1:8050" and opts["control_socket_disable"] and opts["workers"] == 2
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from .conftest import ROOT

    proc = subprocess.Popen([sys.executable, "-c", "from dashboard.cli import main; main()", "serve", "--port", str(port),
                             "--workers", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                page = urllib.request.urlopen(url + "/", timeout=30).read().decode()
                break
            except OSError:  # not listening yet, or a worker still starting
                time.sleep(0.5)
        else:
            pytest.fail("the server did not answer")
        assert "_dash-config" in page and "Backchannel" in page
        req = urllib.request.Request(url + "/_dash-update-component", data=b"x" * (2 << 20),
                                     headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=30)
        assert e.value.code == 413
        for _ in range(240):  # each worker starts its fork helper as it starts, not at its first sweep
            workers = _children(proc.pid)
            helpers = [c for w in workers for c in _children(w) if "dashboard.editor_forks" in _cmdline(c)]
            if len(workers) == 2 and len(helpers) == 2:
                break
            time.sleep(0.5)
        assert len(workers) == 2 and len(helpers) == 2
    finally:
        proc.terminate()
        proc.wait(20)


def _children(pid: int) -> list[int]:
    from pathlib import Path

    try:
        return [int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]
    except OSError:
        return []


def _cmdline(pid: int) -> str:
    from pathlib import Path

    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
