"""Run the load benchmark: ``python -m loadtest [--seconds 10] [--users 8]``.

gunicorn (2 sync workers, 127.0.0.1) serves Consult on SQLite and on PostgreSQL (a
throwaway cluster), and a minimal Flask app as the ceiling; locust (headless, FastHttpUser)
drives one figure at a time for a fixed time. Prints a table, then one line per figure:
``LOAD <database> <page> <rps> <hello-rps> <ratio> <p50-ms> <p95-ms> <p99-ms> <errors>``.
Exits non-zero if any request failed.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from consult.testing_pg import ThrowawayPostgres
from consult.testing_server import GunicornServer
from loadtest import seed
from loadtest.run import Figure, Scenario, run_locust

WORKERS = 2
SCENARIOS = [
    Scenario("consultation-list", "ConsultationList", "consultation list", "read"),
    Scenario("consultation-page", "ConsultationPage", "consultation page", "read"),
    Scenario("question-page", "QuestionPage", "question page", "read"),
    Scenario("save-answer", "SaveAnswer", "saving an answer", "write"),
    Scenario("submit", "Submit", "submitting", "write"),
    Scenario("summary-1000", "SummaryPage", "summary page", "read"),
]
HELLO = Scenario("hello", "Hello", "hello", "read")
TARGETS = {"read": 0.5, "write": 0.25}
TAIL_LIMIT = 10  # p99 under 10 times p50


def main(argv: list[str] | None = None) -> int:
    """Measure everything, print the table and the LOAD lines; 1 if a request failed."""
    parser = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="per figure (default 10)")
    parser.add_argument("--users", type=int, default=8, help="simulated people (default 8)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="consult-loadtest-"))
    out = sys.stdout
    out.write(f"Load benchmark: gunicorn {WORKERS} sync workers, {args.users} locust users, ")
    out.write(f"{args.seconds} s per figure, 127.0.0.1; working files in {work}\n")
    with GunicornServer(app="loadtest.hello:app", workers=WORKERS, ready_path="/") as hello_server:
        hello = run_locust(HELLO, hello_server.url, work / "hello", args, data=None)
    out.write(f"ceiling (Flask hello): {hello.rps:.0f} requests/s\n")
    figures: list[tuple[str, Figure]] = []
    for database in args.databases.split(","):
        figures += [(database, f) for f in measure(database, work / database, args)]
    report(figures, hello)
    return 1 if any(f.errors for _, f in figures) or hello.errors else 0


def measure(database: str, work: Path, args: argparse.Namespace) -> list[Figure]:
    """Every scenario against Consult on one database."""
    work.mkdir(parents=True)
    cluster = ThrowawayPostgres().start() if database == "postgresql" else None
    try:
        url = cluster.create_database("consult_load") if cluster else f"sqlite:///{work}/db.sqlite"
        data = seed.seed(url, respondents=args.users * len(SCENARIOS))
        data_file = work / "data.json"
        data_file.write_text(json.dumps(data.as_dict()))
        with GunicornServer(url, workers=WORKERS, log_path=work / "gunicorn.log") as server:
            return [
                run_locust(s, server.url, work / s.slug, args, data=data_file, first=i * args.users)
                for i, s in enumerate(SCENARIOS)
            ]
    finally:
        if cluster:
            cluster.stop()


def report(figures: list[tuple[str, Figure]], hello: Figure) -> None:
    """The table, then one LOAD line per figure."""
    out = sys.stdout
    header = ("database", "page", "req/s", "of hello", "p50 ms", "p95 ms", "p99 ms", "errors")
    rows = [header]
    for database, f in figures:
        ratio = f.rps / hello.rps if hello.rps else 0.0
        verdict = _verdict(f, ratio)
        rows.append(
            (database, f.slug, f"{f.rps:.0f}", f"{ratio:.0%}{verdict}", f"{f.p50:g}",
             f"{f.p95:g}", f"{f.p99:g}", str(f.errors))
        )  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        out.write("\n")
    out.write(f"targets: reads >= {TARGETS['read']:.0%} of hello, saves and submits >= ")
    out.write(f"{TARGETS['write']:.0%}, p99 < {TAIL_LIMIT}x p50, no errors; * marks a miss\n")
    for database, f in figures:
        ratio = f.rps / hello.rps if hello.rps else 0.0
        out.write(
            f"LOAD {database} {f.slug} {f.rps:.1f} {hello.rps:.1f} {ratio:.2f} "
            f"{f.p50:g} {f.p95:g} {f.p99:g} {f.errors}\n"
        )


def _verdict(figure: Figure, ratio: float) -> str:
    met = (
        ratio >= TARGETS[figure.kind]
        and figure.p99 < TAIL_LIMIT * max(figure.p50, 1)
        and figure.errors == 0
    )
    return "" if met else " *"


if __name__ == "__main__":
    sys.exit(main())
