"""One measurement in a process of its own: ``python -m bench.probe URL WHAT``.

Prints one JSON object: seconds, peak memory growth (MB), SQL statements and bytes.
The same request is made several times in a fresh process. Peak memory is the first
request's: the growth of the process's peak resident size (VmHWM, reset just before
through /proc/self/clear_refs) over its resident size just before. Seconds are the median
of up to fifteen requests after up to thirty untimed ones (while they take under a second in
all), as on a server that has been running; statements are the last one's.
"""

import csv
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import Engine, event, text

from bench.data import PANEL_EMAIL, PASSWORD, REFERENCE
from consult import create_app

SUMMARY = f"/panel/consultations/{REFERENCE}/summary"

BARE_GROUP_BY = """
SELECT ra.question_id, rc.option, o.category, count(*)
FROM revision_choice rc
JOIN revision_answer ra ON ra.id = rc.revision_answer_id
JOIN response s ON s.current_revision_id = ra.revision_id
JOIN organisation o ON o.id = s.organisation_id
WHERE s.consultation_id = 1 AND s.status = 'submitted'
GROUP BY ra.question_id, rc.option, o.category
"""

BARE_DUMP = """
SELECT s.id, s.receipt_number, o.name, o.category, r.confidential, r.late, r.submitted_at,
       r.number, ra.question_id, ra.text, ra.rationale, rc.option
FROM response s
JOIN revision r ON r.id = s.current_revision_id
JOIN organisation o ON o.id = s.organisation_id
LEFT JOIN revision_answer ra ON ra.revision_id = r.id
LEFT JOIN revision_choice rc ON rc.revision_answer_id = ra.id
WHERE s.consultation_id = 1 AND s.status = 'submitted'
ORDER BY s.receipt_number, s.id, ra.question_id
"""


def _download(suffix: str) -> Callable[[FlaskClient, Engine], int]:
    def fetch(client: FlaskClient, _engine: Engine) -> int:
        response = client.get(SUMMARY + suffix)
        assert response.status_code == 200, response.status_code
        size = 0
        for chunk in response.response:  # the body as it streams, never held whole
            size += len(chunk)
        response.close()
        return size

    return fetch


def _bare_group_by(_client: FlaskClient, engine: Engine) -> int:
    with engine.connect() as connection:
        return len(connection.execute(text(BARE_GROUP_BY)).all())


def _bare_dump(_client: FlaskClient, engine: Engine) -> int:
    rows = 0
    with engine.connect() as connection, open(os.devnull, "w", newline="") as sink:
        writer = csv.writer(sink)
        result = connection.execution_options(stream_results=True, yield_per=500).execute(
            text(BARE_DUMP)
        )
        for row in result:
            writer.writerow(row)
            rows += 1
    return rows


MEASURES: dict[str, Callable[[FlaskClient, Engine], int]] = {
    "page": _download(""),
    "page-uncached": _download(""),
    "csv": _download(".csv"),
    "xlsx": _download(".xlsx"),
    "docx": _download(".docx"),
    "bare-groupby": _bare_group_by,
    "bare-dump": _bare_dump,
}


# "page" is the summary seen again, as kept by the process that rendered it (the second
# request); "page-uncached" is the same page rendered afresh, as on the first view after
# any change.
SETTINGS = {"page-uncached": {"SUMMARY_CACHE_SECONDS": 0}}
REPEATS = 15
WARM_UPS = 30
REPEAT_SECONDS = 1.0


def _status(field: str) -> float:
    """A memory figure from /proc/self/status, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def measure(url: str, what: str) -> dict:
    """Run one measurement against the database at ``url``."""
    with tempfile.TemporaryDirectory(prefix="consult-bench-") as folder:
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "UPLOAD_FOLDER": folder,
                **SETTINGS.get(what, {}),
            }
        )
        client = app.test_client()
        signed_in = client.post("/auth/login", data={"email": PANEL_EMAIL, "password": PASSWORD})
        assert signed_in.status_code == 302, "bench sign-in failed"
        engine = app.extensions["consult.engine"]
        # Memory: the first request's growth (VmHWM over VmRSS just before), before any
        # warm-up could leave freed memory behind for the measured request to reuse.
        gc.collect()
        _reset_peak()
        before = _status("VmRSS")
        first = time.perf_counter()
        MEASURES[what](client, engine)
        peak = _status("VmHWM") - before
        # Time and queries: the requests after the first, as on a server that has been
        # running: the app has compiled its templates and SQL, the interpreter has
        # specialised the code they run (Python 3.11 does so after a few calls), and the
        # app and the bare SQL both find the tables in the database's cache. So while a
        # request is cheap, up to WARM_UPS more run untimed (for at most REPEAT_SECONDS in
        # all); then the median of up to REPEATS timed ones, while
        # they add up to less than REPEAT_SECONDS (a slow figure is timed once), so one
        # request that met a collection pause or a noisy neighbour does not make the
        # figure. No collection is forced between them: the requests after one run
        # slower for a dozen or so, as no request on a running server does.
        # Each warm-up is timed as it goes: the first request is no guide to the next ones
        # (a summary's first is rendered, the rest are kept).
        warming = time.perf_counter()
        if warming - first < REPEAT_SECONDS:
            for _ in range(WARM_UPS):
                MEASURES[what](client, engine)
                if time.perf_counter() - warming >= REPEAT_SECONDS:
                    break
        statements: list[int] = []
        event.listen(engine, "before_cursor_execute", lambda *_: statements.append(1))
        times: list[float] = []
        while not times or (len(times) < REPEATS and sum(times) < REPEAT_SECONDS):
            statements.clear()
            start = time.perf_counter()
            size = MEASURES[what](client, engine)
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        engine.dispose()
    return {
        "seconds": seconds,
        "repeats": len(times),
        "peak_mb": max(peak, 0.0),
        "queries": len(statements),
        "size": size,
    }


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], sys.argv[2])))  # noqa: T201 - the probe's output
