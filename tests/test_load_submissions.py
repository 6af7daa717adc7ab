"""200 organisations submitting in the last seconds before close, over real HTTP to
gunicorn (4 workers) on SQLite (WAL) and on PostgreSQL: every response whose client saw
a receipt is stored exactly once with its receipt, receipts are unique and gapless, and
every submission that arrives after close is refused and stores nothing."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from consult.db import utcnow
from consult.models import Consultation, Response, ResponseStatus, Revision, receipt_reference
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

ORGANISATIONS = 200
THREADS = 20
# Submissions are fired every SPACING seconds; the consultation closes CLOSE_AFTER
# seconds after the first, so roughly the first half arrive before close.
SPACING = 0.02
CLOSE_AFTER = 2.0
CLOSED_HEADING = "This consultation has closed"


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017")


@pytest.fixture
def server(database_url, db, consultation):
    with GunicornServer(database_url, workers=4) as running:
        yield running


@pytest.fixture
def submitters(db, consultation, server):
    """200 organisations, each with a complete draft and a signed-in respondent holding
    the check-answers page (CSRF token and version) ready to press Submit."""
    users = make_drafts(db, consultation, ORGANISATIONS)
    people = [Submitter(u.organisation_id, u, Visitor(server.url)) for u in users]
    check = f"/consultations/{consultation.reference}/respond/check"
    in_parallel([lambda s=s: s.prepare(check) for s in people], THREADS)
    yield people
    for person in people:
        person.visitor.close()


@pytest.fixture
def burst(db, consultation, submitters) -> dict[int, Outcome]:
    """Close the consultation CLOSE_AFTER seconds from now and fire every submission,
    spaced out across the close; what each client saw, by organisation."""
    start = time.monotonic()
    closes_at = utcnow() + timedelta(seconds=CLOSE_AFTER)
    db.execute(
        update(Consultation).where(Consultation.id == consultation.id).values(closes_at=closes_at)
    )
    db.commit()
    check = f"/consultations/{consultation.reference}/respond/check"

    def fire(n: int, person: Submitter) -> Outcome:
        time.sleep(max(0.0, start + n * SPACING - time.monotonic()))
        return person.submit(check)

    outcomes = in_parallel([lambda n=n, p=p: fire(n, p) for n, p in enumerate(submitters)], THREADS)
    return {outcome.organisation_id: outcome for outcome in outcomes}


def test_200_organisations_submitting_at_close_each_get_one_receipt_or_a_refusal(
    db, consultation, burst
):
    # One burst, checked four ways: a burst per check would take four times as long.
    check_every_client_saw_a_receipt_or_the_closed_page_and_never_a_server_error(burst)
    check_each_receipt_seen_is_stored_once_with_one_revision(db, consultation, burst)
    check_receipt_numbers_are_unique_and_gapless(db, consultation, burst)
    check_submissions_after_close_were_refused_and_stored_nothing(db, consultation, burst)


def stored(db, consultation) -> dict[int, Response]:
    forget(db)
    found = db.scalars(select(Response).where(Response.consultation_id == consultation.id))
    return {response.organisation_id: response for response in found}


def check_every_client_saw_a_receipt_or_the_closed_page_and_never_a_server_error(burst):
    seen = [o for o in burst.values() if o.error or any(s >= 500 for s in o.statuses)]
    assert not seen, f"errors: {seen[:3]}"
    unexplained = [o for o in burst.values() if not o.receipt and o.heading != CLOSED_HEADING]
    assert not unexplained, f"neither a receipt nor the closed page: {unexplained[:3]}"
    accepted = [o for o in burst.values() if o.receipt]
    assert accepted, "no submission got in before close"
    assert len(accepted) < ORGANISATIONS, "no submission arrived after close"


def check_each_receipt_seen_is_stored_once_with_one_revision(db, consultation, burst):
    responses = stored(db, consultation)
    for organisation_id, outcome in burst.items():
        if not outcome.receipt:
            continue
        response = responses[organisation_id]
        revisions = db.scalars(select(Revision).where(Revision.response_id == response.id)).all()
        assert response.status is ResponseStatus.submitted
        assert receipt_reference(consultation.reference, response.receipt_number) == (
            outcome.receipt
        )
        assert [r.id for r in revisions] == [response.current_revision_id]
        assert revisions[0].submitted_at < consultation_closes_at(db, consultation)
    assert receipt_emails(db, consultation) == sum(1 for o in burst.values() if o.receipt)


def check_receipt_numbers_are_unique_and_gapless(db, consultation, burst):
    numbers = sorted(
        r.receipt_number for r in stored(db, consultation).values() if r.receipt_number
    )
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) == sum(1 for o in burst.values() if o.receipt)
    db.refresh(consultation)
    assert consultation.last_receipt_number == len(numbers)


def check_submissions_after_close_were_refused_and_stored_nothing(db, consultation, burst):
    responses = stored(db, consultation)
    refused = [o for o in burst.values() if o.heading == CLOSED_HEADING]
    assert refused
    for outcome in refused:
        response = responses[outcome.organisation_id]
        assert response.status is ResponseStatus.draft
        assert response.receipt_number is None and response.current_revision_id is None
    assert inconsistencies(db, consultation) == []


def consultation_closes_at(db, consultation):
    db.refresh(consultation)
    return consultation.closes_at
