"""A small fork server for the editor's checks and runs, and the server's heavy work (sweeps, "what
mattered"): each job runs in its own child process.

The web worker never forks itself (it has threads, and forking a threaded process can leave a child
stuck on a lock another thread held). Instead each web worker process starts one helper,
``python -m dashboard.editor_forks SOCKET``, which imports the library once and, for every connection on
its Unix socket, forks a child that reads one job, sends back ``("ready", pid)`` and then its answer.
Forking an idle, single-threaded helper takes milliseconds; the caller can kill a child by its pid.
The helper exits when the web worker that started it goes away (its standard input closes).
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

READY = b"ready\n"


class Helper:
    """The helper process of this web worker process, started on first use."""

    def __init__(self, startup_seconds: float) -> None:
        self.folder = tempfile.mkdtemp(prefix="backchannel-editor-")  # private: mode 0700
        self.path = os.path.join(self.folder, "forks.sock")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.proc = subprocess.Popen([sys.executable, "-m", "dashboard.editor_forks", self.path], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], startup_seconds)
        if not ready or self.proc.stdout.readline() != READY:
            self.proc.kill()
            raise OSError("the editor's worker process did not start")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def connect(self) -> Connection:
        """A connection to a fresh child process of the helper."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.path)
        return Connection(s.detach())


_helpers: dict[int, Helper] = {}  # one per process (keyed by pid, so a forked web worker starts its own)
_lock = threading.Lock()


def helper(startup_seconds: float) -> Helper:
    """This process's helper, (re)started when needed."""
    with _lock:
        h = _helpers.get(os.getpid())
        if h is None or not h.alive():
            h = _helpers[os.getpid()] = Helper(startup_seconds)
        return h


def kill(pid: int) -> None:
    """Stop a child of the helper that is still working."""
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def serve(path: str, handle: Callable[[Connection], Any]) -> None:
    """The helper's loop: fork a child for each connection until standard input closes."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout.buffer.write(READY)
    sys.stdout.flush()
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1024):
            break  # the web worker is gone
        if listener in ready:
            conn, _ = listener.accept()
            if os.fork() == 0:
                listener.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                code = 0
                try:
                    handle(Connection(conn.detach()))
                except BaseException:
                    code = 1
                os._exit(code)
            conn.close()
    listener.close()
    try:
        os.unlink(path)
        os.rmdir(os.path.dirname(path))
    except OSError:
        pass


def main() -> None:
    """``python -m dashboard.editor_forks SOCKET``: import the library, then serve."""
    from . import editor_worker

    editor_worker.preload()
    serve(sys.argv[1], editor_worker.serve_one)


if __name__ == "__main__":
    main()
