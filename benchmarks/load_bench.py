"""Load and faults on loopback: simulated users against ``backchannel serve --workers 2`` (gunicorn).

``python -m benchmarks.load_bench [--users 8] [--seconds 60] [--fault]`` starts the server on a free
127.0.0.1 port with the repository's scenarios and a fresh scenario store, and has each user loop, as
the page does, over view changes (a new fact, moment or actor in focus), named alternatives,
comparisons with a variant file, small sweeps (100 replays, a few seeds, so some are cached) and
"Save & share" of an edited copy of the documented scenario, posting to ``/_dash-update-component``
and ``/editor/save`` what the browser posts. It reports requests, errors (5xx, refused or broken
connections), "try again" answers and p50/p95 latency per kind of request. After the load it checks
the store: SQLite's ``PRAGMA integrity_check``, and every saved scenario read back with the text
and content hash it was saved with.

``--fault`` kills one gunicorn worker (SIGKILL, by its process id) halfway through: only the
requests in flight in that worker may fail; the master starts a new worker and the load goes on.
The report says how many failed and whether every request in the last quarter succeeded.

``--contention`` measures what sweeps cost everyone else: one user changes the view, one request
at a time, for ``--seconds`` alone, then as long again while two other users (from 127.0.0.2 and
127.0.0.3, so the per-client limit lets both run) ask for sweeps of the most replays the server
allows, each with a new seed so that none is cached, then alone again (on a shared machine the
other load moves; the two phases alone bracket it). It reports the view changes' p50/p95 in each
phase.

Not part of the test run: it takes minutes and both cores. The figures are in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FACTS = ("hamas_agrees_release", "backchannel_exists", "agreement_in_principle", "free_release_pitch",
         "alexander_released")
ACTORS = ("", "witkoff", "dermer", "netanyahu", "bahbah", "qatar_pm")
TIMES = ("2025-05-11T22:30+03:00", "2025-05-08T12:00-04:00", "2025-04-28T12:00+03:00", "2025-05-12T12:00+03:00")
ALTS = ("witkoff_presses_via_qatar", "bahbah_tangential", "march_leak")
VARIANTS = ("alternatives/no_intercepts", "alternatives/no_bahbah_channel", "alternatives/us_tells_israel_day_one")
DOCUMENTED = ROOT / "scenarios" / "alexander_release.yaml"
TRY_AGAIN = "try again"
SWEEPERS = ("127.0.0.2", "127.0.0.3")  # other clients' addresses on loopback, for --contention


class BadStatus(HTTPException):
    """The server answered with an error status."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, folder: Path, workers: int = 2) -> subprocess.Popen[bytes]:
    """``backchannel serve`` with the repository's scenarios, its store and its sweep locks in ``folder``."""
    env = dict(os.environ, BACKCHANNEL_SCENARIOS=str(ROOT / "scenarios"),
               BACKCHANNEL_DEFAULT_SCENARIO="alexander_release", BACKCHANNEL_STORE=str(folder / "store.sqlite3"),
               BACKCHANNEL_LOCK_DIR=str(folder / "locks"))
    return subprocess.Popen([sys.executable, "-c", "from dashboard.cli import main; main()", "serve", "--port", str(port),
                             "--workers", str(workers)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def wait_ready(url: str, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url + "/", timeout=30).read()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not start")


def workers_of(master: int) -> list[int]:
    """Process ids of the children of ``master`` (of the gunicorn master: its workers)."""
    out = []
    try:
        for task in Path(f"/proc/{master}/task").iterdir():
            out += [int(c) for c in (task / "children").read_text().split()]
    except OSError:  # it has just exited
        pass
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_for_helpers(master: int, workers: int = 2, timeout: float = 120.0) -> None:
    """Wait until every worker has started its fork helper (which it does as it starts): its imports are not
    part of what is measured."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = [w for w in workers_of(master) if any("dashboard.editor_forks" in _cmdline(c) for c in workers_of(w))]
        if len(found) == workers:
            return
        time.sleep(0.5)
    raise RuntimeError("the workers did not start their fork helpers")


class Client:
    """One simulated user from the address ``source``: the callbacks learnt from ``/_dash-dependencies``,
    posted as the page posts them; the scenarios it saved (id → text) in ``saved``."""

    def __init__(self, url: str, rng: random.Random, source: str = "127.0.0.1", name: str = "user"):
        from dashboard.serving import callback_body

        self.host, self.port = url.removeprefix("http://").split(":")
        self.rng, self.body, self.source, self.name = rng, callback_body, source, name
        self.saved: dict[str, str] = {}
        self.saves = 0
        deps = json.loads(self.request("GET", "/_dash-dependencies"))
        server = [d for d in deps if not d.get("clientside_function")]
        self.sync = next(d for d in server if "url.search" in d["output"])
        self.compare = next(d for d in server if "compare-text.children" in d["output"])
        self.sweep = next(d for d in server if "sweep-text.children" in d["output"])

    def request(self, method: str, path: str, payload: Any = None) -> bytes:
        """One request from this client's address; :class:`BadStatus` for an error status."""
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=120, source_address=(self.source, 0))
        try:
            body = json.dumps(payload).encode() if payload is not None else None
            conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        if r.status >= 400:
            raise BadStatus(f"{r.status} from {path}")
        return data

    def post(self, dep: dict[str, Any], inputs: list[Any], state: list[Any] | None = None) -> dict[str, Any]:
        return json.loads(self.request("POST", "/_dash-update-component", self.body(dep, inputs, state)) or b"{}")

    def view(self, search: str) -> str:
        """Load a view from a link; return the resolved query string the page stores."""
        out = self.post(self.sync, [search] + [None] * (len(self.sync["inputs"]) - 1))
        return out["response"]["view"]["data"]["search"]

    def random_view(self) -> str:
        rng = self.rng
        base = f"?fact={rng.choice(FACTS)}&t={rng.choice(TIMES).replace('+', '%2B')}"
        actor = rng.choice(ACTORS)
        return base + (f"&actor={actor}" if actor else "")

    def change_view(self) -> str:
        """A view change: another fact, moment or actor in focus."""
        self.view(self.random_view())
        return "view"

    def sweep_panel(self, search: str) -> str:
        """The sweep panel of the view ``search`` asks for: ``sweep`` or ``sweep (try again)``."""
        out = self.post(self.sweep, [{"search": self.view(search), "run": ""}])
        return "sweep (try again)" if TRY_AGAIN in json.dumps(out) else "sweep"

    def save(self) -> str:
        """Save & share an edited copy of the documented scenario, as the editor posts it."""
        self.saves += 1
        text = DOCUMENTED.read_text(encoding="utf-8").replace(
            "\nmeta:\n", f"\n# saved under load by {self.name}, #{self.saves}\nmeta:\n", 1)
        out = json.loads(self.request("POST", "/editor/save", {"text": text, "base": "alexander_release",
                                                               "search": self.random_view()}))
        if out.get("problems"):
            raise ValueError(f"the save was refused: {out['problems'][0]['message']}")
        self.saved[out["id"]] = text
        return "save"

    def action(self) -> str:
        rng = self.rng
        base = self.random_view()
        kind = rng.choices(("view", "alternative", "compare", "sweep", "save"), weights=(5, 2, 2, 1, 1))[0]
        if kind == "view":
            return self.change_view()
        if kind == "alternative":
            self.view(base + f"&alt={rng.choice(ALTS)}")
        elif kind == "compare":
            search = self.view(base + f"&compare={rng.choice(VARIANTS)}")
            self.post(self.compare, [{"search": search, "run": ""}])
        elif kind == "sweep":
            return self.sweep_panel(base + f"&sweep=100&seed={rng.randrange(4)}")
        else:
            return self.save()
        return kind


Record = tuple[float, str, float, bool]  # (start, kind, seconds, ok)


def timed(records: list[Record], lock: threading.Lock, t0: float, action: Callable[[], str]) -> None:
    """Run ``action`` once and record it; a failure is recorded as ``error: TYPE``."""
    start = time.monotonic()
    try:
        kind, ok = action(), True
    except (OSError, HTTPException, KeyError, ValueError) as e:  # 5xx, refused or broken connection, bad answer
        kind, ok = f"error: {type(e).__name__}", False
    with lock:
        records.append((start - t0, kind, time.monotonic() - start, ok))


def load(url: str, users: int, seconds: float, fault: Any = None) -> tuple[dict[str, Any], list[Client]]:
    """Run ``users`` simulated users for ``seconds``; ``fault(t0)`` runs in a thread if given."""
    records: list[Record] = []
    lock = threading.Lock()
    t0 = time.monotonic()
    stop = t0 + seconds
    clients = [Client(url, random.Random(i), name=f"user {i}") for i in range(users)]

    def user(client: Client) -> None:
        while time.monotonic() < stop:
            timed(records, lock, t0, client.action)

    threads = [threading.Thread(target=user, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    fault_info: dict[str, Any] = {}
    if fault is not None:
        fault_info = fault(t0)
    for t in threads:
        t.join()
    out = summarize(records, seconds)
    if fault_info:
        at = fault_info["at_s"]
        failed = [r for r in records if not r[3]]
        fault_info["failed_in_flight"] = sum(1 for r in failed if r[0] <= at <= r[0] + r[2] + 0.5)
        fault_info["failed_started_after_kill"] = sum(1 for r in failed if r[0] > at + 0.5)
        out["fault"] = fault_info
    return out, clients


def _ms(xs: list[float], q: float) -> float:
    return round(statistics.quantiles(xs, n=100)[int(q) - 1] * 1e3, 1) if len(xs) >= 2 else round(xs[0] * 1e3, 1)


def summarize(records: list[Record], seconds: float) -> dict[str, Any]:
    ok = [r for r in records if r[3]]
    out: dict[str, Any] = {"requests": len(records), "errors": len(records) - len(ok),
                           "try_again": sum(1 for r in ok if "try again" in r[1])}
    if ok:
        out["p50_ms"], out["p95_ms"] = _ms([r[2] for r in ok], 50), _ms([r[2] for r in ok], 95)
    for kind in sorted({r[1] for r in ok}):
        xs = [r[2] for r in ok if r[1] == kind]
        out[kind] = {"n": len(xs), "p50_ms": _ms(xs, 50), "p95_ms": _ms(xs, 95)}
    out["last_quarter_errors"] = sum(1 for r in records if not r[3] and r[0] >= 0.75 * seconds)
    out["error_kinds"] = sorted({r[1] for r in records if not r[3]})
    return out


def check_store(path: Path, clients: list[Client]) -> dict[str, Any]:
    """The store after the load: ``PRAGMA integrity_check``, and every scenario a client was told was saved
    read back with the text and content hash it was saved with; every row's text matches its id."""
    from sim.store import Store, normalise, text_id

    store = Store(path)
    saved = {sid: text for c in clients for sid, text in c.saved.items()}
    bad = []
    for sid, text in saved.items():
        row = store.get(sid)
        if row is None or row.text != normalise(text) or text_id(row.text) != sid:
            bad.append(sid)
    rows = store.list("saved") + store.list("draft")
    return {"integrity_check": store.integrity(), "saves_answered": len(saved),
            "saves_read_back_intact": len(saved) - len(bad), "saves_missing_or_changed": bad,
            "rows": len(rows), "rows_whose_text_matches_id": sum(1 for r in rows if text_id(r.text) == r.id)}


def kill_one_worker(master: int, at: float) -> Any:
    def fault(t0: float) -> dict[str, Any]:
        time.sleep(max(0.0, t0 + at - time.monotonic()))
        before = workers_of(master)
        victim = before[0]
        os.kill(victim, signal.SIGKILL)
        for _ in range(120):
            time.sleep(0.5)
            now = workers_of(master)
            if len(now) == len(before) and victim not in now:
                return {"killed_pid": victim, "at_s": at, "workers_after": len(now)}
        return {"killed_pid": victim, "at_s": at, "workers_after": len(workers_of(master))}

    return fault


def contention(url: str, seconds: float) -> dict[str, Any]:
    """View changes alone, then beside two clients asking for uncached sweeps of the most replays allowed."""
    from dashboard.limits import max_runs

    lock = threading.Lock()
    viewer = Client(url, random.Random(0), name="viewer")
    sweepers = [Client(url, random.Random(10 + i), source, name=f"sweeper {i}") for i, source in enumerate(SWEEPERS)]
    seeds = iter(range(1000, 10**6))
    for _ in range(20):  # every run the views need, cached in both workers
        viewer.change_view()

    def phase(busy: bool) -> dict[str, Any]:
        views: list[Record] = []
        sweeps: list[Record] = []
        t0 = time.monotonic()
        stop = t0 + seconds

        def sweeper(c: Client) -> None:
            while time.monotonic() < stop:
                timed(sweeps, lock, t0, lambda: c.sweep_panel(c.random_view() + f"&sweep={max_runs()}&seed={next(seeds)}"))

        threads = [threading.Thread(target=sweeper, args=(c,)) for c in sweepers] if busy else []
        for t in threads:
            t.start()
        while time.monotonic() < stop:
            timed(views, lock, t0, viewer.change_view)
        for t in threads:
            t.join()
        out = {"view_changes": summarize(views, seconds)}
        if busy:
            out["sweeps"] = summarize(sweeps, seconds)
        return out

    return {"alone": phase(False), f"beside two clients sweeping {max_runs():,} replays": phase(True),
            "alone again": phase(False)}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def measure(users: int = 8, seconds: float = 60.0, fault: bool = False, contend: bool = False) -> dict[str, Any]:
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="backchannel-load-"))
    proc = start_server(port, folder)
    url = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {"load_average_before": load_average()}
    try:
        wait_ready(url)
        wait_for_helpers(proc.pid)
        if contend:
            out |= {"seconds_per_phase": seconds, "workers": 2} | contention(url, seconds)
        else:
            result, clients = load(url, users, seconds, kill_one_worker(proc.pid, seconds / 2) if fault else None)
            out |= {"users": users, "seconds": seconds, "workers": 2, "kill_worker": fault} | result
    finally:
        out["load_average_after"] = load_average()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    if not contend:
        out["store"] = check_store(folder / "store.sqlite3", clients)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load_bench", description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--fault", action="store_true", help="kill one worker halfway through")
    ap.add_argument("--contention", action="store_true",
                    help="view changes alone, then beside two clients sweeping (--seconds each)")
    args = ap.parse_args(argv)
    print(json.dumps(measure(args.users, args.seconds, args.fault, args.contention), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
