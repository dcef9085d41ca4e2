"""Load and faults on loopback: simulated users against ``backchannel serve --workers 2`` (gunicorn).

``python -m benchmarks.load_bench [--users 8] [--seconds 60] [--fault]`` starts the server on a free
127.0.0.1 port with the repository's scenarios, and has each user loop, as the page does, over
view changes (a new fact, moment or actor in focus), named alternatives, comparisons with a variant
file, and small sweeps (100 replays, a few seeds, so some are cached), posting to
``/_dash-update-component`` what the browser posts. It reports requests, errors (5xx, refused or
broken connections), "try again" answers and p50/p95 latency per kind of request.

``--fault`` kills one gunicorn worker (SIGKILL, by its process id) halfway through: only the
requests in flight in that worker may fail; the master starts a new worker and the load goes on.
The report says how many failed and whether every request in the last quarter succeeded.

Not part of the test run: it takes a minute and both cores. The figures are in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
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
TRY_AGAIN = "try again"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int = 2) -> subprocess.Popen[bytes]:
    env = dict(os.environ, BACKCHANNEL_SCENARIOS=str(ROOT / "scenarios"),
               BACKCHANNEL_DEFAULT_SCENARIO="alexander_release")
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
    """Process ids of the gunicorn master's children (its workers)."""
    out = []
    for task in Path(f"/proc/{master}/task").iterdir():
        children = (task / "children").read_text().split()
        out += [int(c) for c in children]
    return out


class Client:
    """One simulated user: the callbacks learnt from ``/_dash-dependencies``, posted as the page posts them."""

    def __init__(self, url: str, rng: random.Random):
        from dashboard.serving import callback_body

        self.url, self.rng, self.body = url, rng, callback_body
        deps = json.loads(urllib.request.urlopen(url + "/_dash-dependencies", timeout=30).read())
        server = [d for d in deps if not d.get("clientside_function")]
        self.sync = next(d for d in server if "url.search" in d["output"])
        self.compare = next(d for d in server if "compare-text.children" in d["output"])
        self.sweep = next(d for d in server if "sweep-text.children" in d["output"])

    def post(self, dep: dict[str, Any], inputs: list[Any], state: list[Any] | None = None) -> dict[str, Any]:
        data = json.dumps(self.body(dep, inputs, state)).encode()
        req = urllib.request.Request(self.url + "/_dash-update-component", data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"{}")

    def view(self, search: str) -> str:
        """Load a view from a link; return the resolved query string the page stores."""
        out = self.post(self.sync, [search] + [None] * (len(self.sync["inputs"]) - 1))
        return out["response"]["view"]["data"]["search"]

    def action(self) -> str:
        rng = self.rng
        base = f"?fact={rng.choice(FACTS)}&t={rng.choice(TIMES).replace('+', '%2B')}"
        actor = rng.choice(ACTORS)
        base += f"&actor={actor}" if actor else ""
        kind = rng.choices(("view", "alternative", "compare", "sweep"), weights=(5, 2, 2, 1))[0]
        if kind == "view":
            self.view(base)
        elif kind == "alternative":
            self.view(base + f"&alt={rng.choice(ALTS)}")
        elif kind == "compare":
            search = self.view(base + f"&compare={rng.choice(VARIANTS)}")
            self.post(self.compare, [{"search": search, "run": ""}])
        else:
            search = self.view(base + f"&sweep=100&seed={rng.randrange(4)}")
            out = self.post(self.sweep, [{"search": search, "run": ""}])
            text = json.dumps(out)
            if TRY_AGAIN in text:
                return "sweep (try again)"
        return kind


def load(url: str, users: int, seconds: float, fault: Any = None) -> dict[str, Any]:
    """Run ``users`` simulated users for ``seconds``; ``fault(t0)`` runs in a thread if given."""
    records: list[tuple[float, str, float, bool]] = []  # (start, kind, seconds, ok)
    lock = threading.Lock()
    t0 = time.monotonic()
    stop = t0 + seconds

    def user(i: int) -> None:
        rng = random.Random(i)
        client = Client(url, rng)
        while time.monotonic() < stop:
            start = time.monotonic()
            try:
                kind, ok = client.action(), True
            except (OSError, HTTPException, KeyError, ValueError) as e:  # 5xx, refused or broken connection, bad answer
                kind, ok = f"error: {type(e).__name__}", False
            with lock:
                records.append((start - t0, kind, time.monotonic() - start, ok))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
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
    return out


def _ms(xs: list[float], q: float) -> float:
    return round(statistics.quantiles(xs, n=100)[int(q) - 1] * 1e3, 1) if len(xs) >= 2 else round(xs[0] * 1e3, 1)


def summarize(records: list[tuple[float, str, float, bool]], seconds: float) -> dict[str, Any]:
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


def measure(users: int = 8, seconds: float = 60.0, fault: bool = False) -> dict[str, Any]:
    port = free_port()
    proc = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url)
        out = load(url, users, seconds, kill_one_worker(proc.pid, seconds / 2) if fault else None)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return {"users": users, "seconds": seconds, "workers": 2, "kill_worker": fault} | out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load_bench", description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--fault", action="store_true", help="kill one worker halfway through")
    args = ap.parse_args(argv)
    print(json.dumps(measure(args.users, args.seconds, args.fault), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
