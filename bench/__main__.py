"""``make bench``: the summary page and downloads against consultations of 100, 10,000 and
100,000 submitted responses × 12 questions, on SQLite and on a throwaway PostgreSQL.

Environment: ``BENCH_SIZES`` (e.g. ``100,10000``; default ``100,10000,100000``) and
``BENCH_DATABASES`` (``sqlite``, ``postgresql`` or both, the default). Each size gets a
fresh database; each figure is measured in a process of its own (``bench.probe``).
Prints a table, then one ``BENCH`` line per figure; both are also written to
``bench-results/``.
"""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import data
from consult import migrate
from consult.db import make_engine
from consult.testing_pg import ThrowawayPostgres

RESULTS = Path("bench-results")
# Each figure with its bare-SQL baseline.
FIGURES = [
    ("page", "bare-groupby"),
    ("page-uncached", "bare-groupby"),
    ("csv", "bare-dump"),
    ("xlsx", "bare-dump"),
    ("docx", "bare-dump"),
]


@dataclass
class Figure:
    database: str
    what: str
    responses: int
    seconds: float
    bare_seconds: float | None
    peak_mb: float
    queries: int
    size: int

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.bare_seconds if self.bare_seconds else None

    def line(self) -> str:
        bare = f"{self.bare_seconds:.4f}" if self.bare_seconds is not None else "-"
        ratio = f"{self.ratio:.2f}" if self.ratio is not None else "-"
        return (
            f"BENCH {self.database} {self.what} {self.responses} {self.seconds:.4f} {bare} "
            f"{ratio} {self.peak_mb:.1f} {self.queries}"
        )


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _probe(url: str, what: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.probe", url, what],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _prepare(url: str, responses: int) -> None:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        started = time.perf_counter()
        data.generate(engine, responses)
        _say(f"  generated {responses:,} responses in {time.perf_counter() - started:.1f} s")
    finally:
        engine.dispose()


def _measure(database: str, url: str, responses: int) -> list[Figure]:
    _prepare(url, responses)
    baselines = {name: _probe(url, name) for name in {bare for _, bare in FIGURES}}
    figures = []
    for name in sorted(baselines):
        got = baselines[name]
        figures.append(
            Figure(
                database,
                name,
                responses,
                got["seconds"],
                None,
                got["peak_mb"],
                got["queries"],
                got["size"],
            )
        )
    for what, bare in FIGURES:
        got = _probe(url, what)
        figure = Figure(
            database,
            what,
            responses,
            got["seconds"],
            baselines[bare]["seconds"],
            got["peak_mb"],
            got["queries"],
            got["size"],
        )
        _say("  " + figure.line())
        figures.append(figure)
    return figures


def _sizes() -> list[int]:
    raw = os.environ.get("BENCH_SIZES", "100,10000,100000")
    return [int(part.replace("_", "")) for part in raw.split(",") if part.strip()]


def _databases() -> list[str]:
    raw = os.environ.get("BENCH_DATABASES", "sqlite,postgresql")
    return [part.strip() for part in raw.split(",") if part.strip()]


def run() -> list[Figure]:
    """Every size on every database."""
    RESULTS.mkdir(exist_ok=True)
    figures: list[Figure] = []
    for database in _databases():
        server = ThrowawayPostgres().start() if database == "postgresql" else None
        try:
            for responses in _sizes():
                _say(f"{database}: {responses:,} responses")
                if server is not None:
                    url = server.create_database(f"bench_{responses}")
                else:
                    path = RESULTS / f"bench-{responses}.sqlite"
                    for leftover in RESULTS.glob(f"bench-{responses}.sqlite*"):
                        leftover.unlink()
                    url = f"sqlite:///{path}"
                figures += _measure(database, url, responses)
        finally:
            if server is not None:
                server.stop()
    return figures


def table(figures: list[Figure]) -> str:
    """The figures as a Markdown table."""
    head = (
        "| database | what | responses | seconds | bare SQL seconds | ratio | peak MB "
        "| SQL queries | size |\n|---|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for f in figures:
        bare = f"{f.bare_seconds:.4f}" if f.bare_seconds is not None else "-"
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else "-"
        lines.append(
            f"| {f.database} | {f.what} | {f.responses:,} | {f.seconds:.4f} | {bare} | {ratio} "
            f"| {f.peak_mb:.1f} | {f.queries} | {f.size:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run, then print the table and the BENCH lines (and keep them in bench-results/)."""
    started = time.perf_counter()
    figures = run()
    report = table(figures) + "\n\n" + "\n".join(f.line() for f in figures) + "\n"
    report += f"\nTotal time: {time.perf_counter() - started:.0f} s\n"
    (RESULTS / "results.md").write_text(report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
