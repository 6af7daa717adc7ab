"""Running locust headless for one figure and reading its CSV statistics."""

import argparse
import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from consult.testing_server import ROOT

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


@dataclass(frozen=True)
class Scenario:
    """One figure: the locust user class that makes it and the request name it counts."""

    slug: str
    user_class: str
    request_name: str
    kind: str  # "read" or "write": which target applies


@dataclass(frozen=True)
class Figure:
    """What one run measured for its request (errors count every request of the run)."""

    slug: str
    kind: str
    requests: int
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    failures: str = ""


def run_locust(
    scenario: Scenario,
    host: str,
    prefix: Path,
    args: argparse.Namespace,
    *,
    data: Path | None,
    first: int = 0,
) -> Figure:
    """Run ``scenario`` for ``args.seconds`` with ``args.users`` users against ``host``."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f", str(LOCUSTFILE),
        "--headless",
        "-u", str(args.users),
        "-r", str(args.users),
        "-t", f"{args.seconds}s",
        "--stop-timeout", "5",
        "--csv", str(prefix),
        "--host", host,
        "--only-summary",
        "--loglevel", "WARNING",
        "--exit-code-on-error", "0",
        scenario.user_class,
    ]  # fmt: skip
    env = {**os.environ, "LOADTEST_FIRST": str(first)}
    if data is not None:
        env["LOADTEST_DATA"] = str(data)
    else:
        env["LOADTEST_DATA"] = str(_empty_data(prefix))
    with open(f"{prefix}.log", "w") as log:
        subprocess.run(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, check=True,
            timeout=args.seconds + 60,
        )  # fmt: skip
    return read_figure(scenario, prefix)


def _empty_data(prefix: Path) -> Path:
    """The hello app needs no people, but the locustfile reads a data file."""
    path = Path(f"{prefix}-data.json")
    path.write_text(
        '{"open_reference": "", "summary_reference": "", "respondents": [], "panel": "",'
        ' "password": ""}'
    )
    return path


def read_figure(scenario: Scenario, prefix: Path) -> Figure:
    """The scenario's figure from locust's ``<prefix>_stats.csv``."""
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    mine = next((r for r in rows if r["Name"] == scenario.request_name), None)
    total = next(r for r in rows if r["Name"] == "Aggregated")
    if mine is None:
        raise RuntimeError(f"{scenario.slug}: no '{scenario.request_name}' requests; see {prefix}")
    return Figure(
        slug=scenario.slug,
        kind=scenario.kind,
        requests=int(mine["Request Count"]),
        rps=float(mine["Requests/s"]),
        p50=float(mine["50%"]),
        p95=float(mine["95%"]),
        p99=float(mine["99%"]),
        errors=int(total["Failure Count"]),
        failures=_failures(prefix),
    )


def _failures(prefix: Path) -> str:
    """Locust's failure messages, one per line, for the report."""
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return ""
    with open(path, newline="") as handle:
        return "\n".join(
            f"{r['Name']}: {r['Error']} ({r['Occurrences']})" for r in csv.DictReader(handle)
        )
