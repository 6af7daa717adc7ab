"""``kill -9`` of gunicorn workers in the middle of a burst of submissions, on SQLite
(WAL) and on PostgreSQL: every response is afterwards either fully stored (its revision
with every answer, its receipt, its receipt e-mail) or not at all; every client that saw
a receipt has it stored; receipts stay gapless; and a client whose request died with the
worker can submit again and gets a receipt."""

import os
import signal
import threading
import time

import pytest
from sqlalchemy import select

from consult.models import Response, ResponseStatus, Revision, receipt_reference
from consult.testing_server import GunicornServer
from tests import factories
from tests.server_helpers import (
    Outcome,
    Submitter,
    Visitor,
    forget,
    in_parallel,
    inconsistencies,
    make_drafts,
    receipt_emails,
)

ORGANISATIONS = 120
THREADS = 12
KILLS = 2


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017")


@pytest.fixture
def server(database_url, db, consultation):
    with GunicornServer(database_url, workers=4) as running:
        yield running


@pytest.fixture
def check(consultation) -> str:
    return f"/consultations/{consultation.reference}/respond/check"


@pytest.fixture
def submitters(db, consultation, server, check):
    users = make_drafts(db, consultation, ORGANISATIONS)
    people = [Submitter(u.organisation_id, u, Visitor(server.url)) for u in users]
    in_parallel([lambda s=s: s.prepare(check) for s in people], THREADS)
    yield people
    for person in people:
        person.visitor.close()


def killer(server: GunicornServer, done: list, killed: list) -> threading.Thread:
    """A thread that SIGKILLs one busy worker each time another sixth of the burst is done."""

    def run() -> None:
        for k in range(1, KILLS + 1):
            while len(done) < ORGANISATIONS * k // (KILLS + 2):
                time.sleep(0.005)
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    return threading.Thread(target=run)


@pytest.fixture
def burst(submitters, server, check) -> tuple[dict[int, Outcome], list[int]]:
    done: list[Outcome] = []
    killed: list[int] = []
    thread = killer(server, done, killed)
    thread.start()

    def fire(person: Submitter) -> Outcome:
        outcome = person.submit(check)
        done.append(outcome)
        return outcome

    outcomes = in_parallel([lambda p=p: fire(p) for p in submitters], THREADS)
    thread.join(timeout=30)
    return {o.organisation_id: o for o in outcomes}, killed


def test_killed_workers_leave_every_response_whole_or_absent_and_lost_clients_can_resubmit(
    db, consultation, server, submitters, burst, check
):
    # One burst, checked twice: a burst per check would take twice as long.
    check_every_response_is_whole_or_absent(db, consultation, burst)
    check_a_client_whose_worker_died_can_submit_again(
        db, consultation, server, submitters, burst, check
    )


def check_every_response_is_whole_or_absent(db, consultation, burst) -> None:
    outcomes, killed = burst
    assert any(o.error for o in outcomes.values()), "no kill caught a request in flight"
    assert len(killed) == KILLS
    assert not [o for o in outcomes.values() if any(s >= 500 for s in o.statuses)]
    assert not [o for o in outcomes.values() if o.status is not None and not o.receipt]
    assert inconsistencies(db, consultation) == []
    forget(db)
    stored = {
        r.organisation_id: r
        for r in db.scalars(select(Response).where(Response.consultation_id == consultation.id))
    }
    for outcome in outcomes.values():
        if outcome.receipt:
            response = stored[outcome.organisation_id]
            assert response.status is ResponseStatus.submitted
            assert receipt_reference(consultation.reference, response.receipt_number) == (
                outcome.receipt
            )
    numbers = sorted(r.receipt_number for r in stored.values() if r.receipt_number)
    assert numbers == list(range(1, len(numbers) + 1))
    assert receipt_emails(db, consultation) == len(numbers)


def check_a_client_whose_worker_died_can_submit_again(
    db, consultation, server, submitters, burst, check
) -> None:
    outcomes, _killed = burst
    server.wait_for_workers()
    lost = [s for s in submitters if outcomes[s.organisation_id].error]
    for person in lost:
        page = person.visitor.page(check)
        person.form["version"] = page.select_one("input[name=version]")["value"]
        person.form["csrf_token"] = page.select_one("input[name=csrf_token]")["value"]
        assert person.submit(check).receipt
    assert inconsistencies(db, consultation) == []
    forget(db)
    submitted = db.scalars(
        select(Response).where(
            Response.consultation_id == consultation.id,
            Response.status == ResponseStatus.submitted,
        )
    ).all()
    assert len(submitted) == ORGANISATIONS
    revisions = db.scalars(
        select(Revision).where(Revision.response_id.in_([r.id for r in submitted]))
    ).all()
    # A submission stored just before its worker died (the client saw no receipt) and
    # sent again is kept as an amendment: at most one extra revision per lost client.
    assert ORGANISATIONS <= len(revisions) <= ORGANISATIONS + len(lost)
