"""A throwaway PostgreSQL cluster for tests and benchmarks.

PostgreSQL refuses to run as root, so when we are root the cluster is created and run
as the ``postgres`` user (``runuser``) in a temporary directory on a free port.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class ThrowawayPostgres:
    """Start with ``start()``, use ``url(dbname)``, stop with ``stop()``."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="consult-pg-"))
        self.port = _free_port()
        self.data = self.directory / "data"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> "ThrowawayPostgres":
        """Create the cluster and start the server; raises if PostgreSQL is missing."""
        for tool in ("initdb", "pg_ctl"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is not on PATH: install the PostgreSQL server")
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.directory / "log"),
            "start",
        )
        return self

    def create_database(self, name: str, locale: str = "C.UTF-8") -> str:
        """Create a database and return its SQLAlchemy URL. Its locale is a UTF-8 one, as
        production's should be (PostgreSQL's lower() follows it), unless told otherwise."""
        self._run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-c",
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LOCALE '{locale}'",
        )
        return self.url(name)

    def url(self, name: str) -> str:
        """The SQLAlchemy URL of a database in this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server and remove the cluster."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
