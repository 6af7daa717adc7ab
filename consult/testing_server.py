"""A real gunicorn server on loopback, for the load, race and fault tests and the load
benchmark.

``GunicornServer(database_url, workers=4).start()`` runs ``gunicorn 'consult:create_app()'``
bound to 127.0.0.1 on a free port, with the database and secret key given through the
environment as an operator would, and waits for ``/readyz``. ``stop()`` ends it.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "testing-server-secret-key"


class GunicornServer:
    """One gunicorn master and its workers, serving ``app`` on ``self.url``."""

    def __init__(
        self,
        database_url: str | None = None,
        *,
        workers: int = 4,
        app: str = "consult:create_app()",
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        ready_path: str = "/readyz",
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.app = app
        self.ready_path = ready_path
        self.directory = Path(tempfile.mkdtemp(prefix="consult-gunicorn-"))
        self.log_path = log_path or self.directory / "gunicorn.log"
        self.env = {
            **os.environ,
            "CONSULT_SECRET_KEY": SECRET_KEY,
            "CONSULT_UPLOAD_FOLDER": str(self.directory / "uploads"),
            # Hundreds of sign-ins from one loopback address are the point here.
            "CONSULT_RATELIMIT_ENABLED": "false",
            **(env or {}),
        }
        if database_url is not None:
            self.env["CONSULT_DATABASE_URL"] = database_url
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "GunicornServer":
        """Start gunicorn and wait until its ``ready_path`` answers 200."""
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "5",
            "--backlog",
            "2048",
            self.app,
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        self.wait_until(self.ready_path, 200, timeout)
        return self

    def wait_until(self, path: str, status: int, timeout: float = 30) -> None:
        """Poll ``path`` until it answers ``status``; raise with the server's log if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_tail()}")
            if http_status(self.url + path) == status:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{path} did not answer {status} within {timeout}s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers (the master's children)."""
        if self.process is None:
            return []
        try:
            children = psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []
        return [child.pid for child in children if child.status() != psutil.STATUS_ZOMBIE]

    def wait_for_workers(self, count: int | None = None, timeout: float = 20) -> list[int]:
        """Wait until ``count`` (default: all) workers are alive; return their ids."""
        wanted = self.workers if count is None else count
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) >= wanted:
                return pids
            time.sleep(0.1)
        raise RuntimeError(f"only {len(self.worker_pids())} of {wanted} workers came up")

    def reload(self) -> None:
        """Replace every worker with a fresh one (gunicorn's SIGHUP), so none keeps a
        database connection opened before now."""
        before = set(self.worker_pids())
        assert self.process is not None
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            now = set(self.worker_pids())
            if len(now) >= self.workers and not now & before:
                return
            time.sleep(0.1)
        raise RuntimeError(f"workers were not replaced after SIGHUP:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for error messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop gunicorn (TERM, then KILL after a few seconds) and remove its directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "GunicornServer":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_status(url: str, timeout: float = 5) -> int | None:
    """The status ``url`` answers with, or None when nothing answers (never via a proxy)."""
    try:
        with _DIRECT.open(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
