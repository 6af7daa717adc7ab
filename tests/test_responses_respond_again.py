"""Starting a withdrawn response again: it becomes a draft that counts nowhere until it is
submitted again, while the organisation may still respond (open, or a late allowance)."""

import io
from datetime import timedelta

import docx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, select

from consult.db import session_scope, utcnow
from consult.errors import ResponseLocked
from consult.filters import uk_datetime
from consult.models import AuditEvent, OutboxMessage, ResponseStatus
from consult.responses import service
from consult.summaries.service import respondent_counts
from tests import factories
from tests.conftest import BACKEND, normalise
from tests.people_helpers import banner
from tests.responses_helpers import (
    QUESTIONS,
    error_summary,
    fresh,
    respond_url,
    response_url,
    save,
    stored_response,
    submit,
    summary_rows,
    version_on,
)


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)


@pytest.fixture
def withdrawn(db, consultation, respondent):
    """The respondent's organisation submitted, then withdrew, its response."""
    response = factories.make_response(db, consultation, respondent)
    service.withdraw(
        db, response, expected_version=response.version, user=respondent,
        now=factories.while_open(consultation),
    )  # fmt: skip
    db.commit()
    return response


@pytest.fixture
def signed_in(login, respondent):
    login(respondent)
    return respondent


def start_again(client, consultation, page: BeautifulSoup | None = None):
    """Press 'Start this response again' on the response page."""
    if page is None:
        page = BeautifulSoup(
            client.get(response_url(consultation)).get_data(as_text=True), "html.parser"
        )
    return client.post(
        f"{response_url(consultation)}/respond-again", data={"version": version_on(page)}
    )


def counted(db, consultation) -> int:
    by_category, _confidential, _late = respondent_counts(fresh(db), consultation.id)
    return sum(by_category.values())


def test_a_withdrawn_response_can_be_started_again_and_submitted(
    client, get_page, db, consultation, withdrawn, signed_in
):
    page = get_page(response_url(consultation))
    assert normalise(page.select_one("#respond-again").text) == "Start this response again"
    assert f"submit again by {uk_datetime(consultation.closes_at)}" in normalise(page.text)
    assert counted(db, consultation) == 0

    reply = start_again(client, consultation, page)
    assert reply.location.endswith(respond_url(consultation))
    page = get_page(reply.location)
    assert banner(page) == (
        "Success Your organisation’s response is a draft again. It is not counted until it "
        "is submitted: change what you need to, then check and submit it by "
        f"{uk_datetime(consultation.closes_at)}."
    )
    assert stored_response(db, consultation, signed_in.organisation_id).status is (
        ResponseStatus.draft
    )
    assert counted(db, consultation) == 0

    page = get_page(response_url(consultation))
    assert summary_rows(page, "response-details")["Status"] == (
        "Draft, not submitted since it was withdrawn"
    )
    assert "not counted in the summary for the Panel until it is submitted" in normalise(
        page.select_one("#restarted").text
    )
    assert page.select_one("a#continue")["href"].endswith(respond_url(consultation))
    assert page.select_one("a#amend") is None and page.select_one("a#withdraw") is None

    reply = save(client, consultation, "q1", answer="No", rationale="We changed our mind.")
    assert reply.status_code == 302
    assert submit(client, consultation).location.endswith(respond_url(consultation, "confirmation"))
    response = stored_response(db, consultation, signed_in.organisation_id)
    assert response.status is ResponseStatus.submitted
    assert response.receipt == withdrawn.receipt
    assert response.current_revision.number == 2
    assert counted(db, consultation) == 1
    receipts = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "receipt")).all()
    assert "Revision: 2" in receipts[-1].body
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["response.withdrawn", "response.restarted", "response.submitted"]


def test_pages_of_a_withdrawn_response_point_to_starting_it_again(
    get_page, consultation, withdrawn, signed_in
):
    page = get_page(respond_url(consultation, "q1"))
    assert normalise(page.select_one("#locked-reason").text) == service.WITHDRAWN
    page = get_page("/consultations/SSI-2017")
    assert normalise(page.select_one("#withdrawn").text) == (
        "Your organisation withdrew its response to this consultation, so it is not counted. "
        "You can still start it again and submit it."
    )


def test_after_close_a_withdrawn_response_cannot_be_started_again(
    client, get_page, db, consultation, withdrawn, signed_in
):
    page = get_page(response_url(consultation))
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    db.commit()
    assert get_page(response_url(consultation)).select_one("#respond-again") is None
    reply = start_again(client, consultation, page)
    assert "This consultation has closed" in reply.get_data(as_text=True)
    assert stored_response(db, consultation, withdrawn.organisation_id).status is (
        ResponseStatus.withdrawn
    )


def test_a_late_allowance_lets_a_withdrawn_response_start_again_and_be_late(
    client, get_page, db, consultation, withdrawn, signed_in
):
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    until = utcnow() + timedelta(days=2)
    factories.grant_late_allowance(db, consultation, signed_in.organisation, until)
    page = get_page(response_url(consultation))
    assert f"submit again by {uk_datetime(until)} (late allowance)" in normalise(page.text)
    start_again(client, consultation, page)
    submit(client, consultation)
    response = stored_response(db, consultation, signed_in.organisation_id)
    assert response.status is ResponseStatus.submitted
    assert response.current_revision.late


def test_starting_again_from_a_page_older_than_a_colleagues_change_is_refused(
    client, get_page, db, consultation, withdrawn, signed_in
):
    page = get_page(response_url(consultation))
    # Meanwhile a colleague started it again, submitted and withdrew it once more.
    colleague = factories.make_user(db, signed_in.role, organisation=signed_in.organisation)
    response = stored_response(db, consultation, signed_in.organisation_id)
    now = factories.while_open(consultation)
    service.respond_again(db, response, expected_version=response.version, user=colleague, now=now)
    service.submit(
        db, response, expected_version=response.version, user=colleague, now=now, declared=True
    )
    service.withdraw(db, response, expected_version=response.version, user=colleague, now=now)
    db.commit()
    reply = start_again(client, consultation, page)
    assert reply.status_code == 200
    page = BeautifulSoup(reply.get_data(as_text=True), "html.parser")
    [message] = error_summary(page)
    assert message.startswith(f"{colleague.name} changed this response at ")
    assert message.endswith("Nothing was changed now: check the response as it is.")
    assert stored_response(db, consultation, signed_in.organisation_id).status is (
        ResponseStatus.withdrawn
    )
    # The page shown with the message carries the version to start from now.
    assert start_again(client, consultation, page).location.endswith(respond_url(consultation))


def test_starting_again_what_a_colleague_already_started_changes_nothing(
    client, get_page, db, consultation, withdrawn, signed_in
):
    page = get_page(response_url(consultation))
    assert start_again(client, consultation, page).status_code == 302
    get_page(respond_url(consultation))  # where that leads, with its message
    events = len(fresh(db).scalars(select(AuditEvent)).all())
    reply = start_again(client, consultation, page)
    assert reply.location.endswith(response_url(consultation))
    assert len(fresh(db).scalars(select(AuditEvent)).all()) == events
    assert banner(get_page(reply.location)) == (
        "Important Your organisation’s response is no longer withdrawn: here it is as it is now."
    )


def test_only_a_withdrawn_response_can_be_started_again(db, consultation, respondent):
    response = factories.make_response(db, consultation, respondent)
    with pytest.raises(ResponseLocked):
        service.respond_again(
            db, response, expected_version=response.version, user=respondent,
            now=factories.while_open(consultation),
        )  # fmt: skip


@pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="on SQLite a request that writes holds the write lock from its start, so no "
    "colleague's change can commit between its check and its write",
)
def test_a_colleague_starting_it_again_at_the_same_moment_is_explained(
    app, client, get_page, db, consultation, withdrawn, signed_in
):
    colleague = factories.make_user(db, signed_in.role, organisation=signed_in.organisation)
    page = get_page(response_url(consultation))
    sessions = app.extensions["consult.sessionmaker"]
    done = []

    def colleague_starts_it_first(_session, _context, _instances) -> None:
        if not done:
            done.append(True)
            with session_scope(app) as other:
                response = stored_response(other, consultation, colleague.organisation_id)
                service.respond_again(
                    other, response, expected_version=response.version, user=colleague,
                    now=utcnow(),
                )  # fmt: skip

    event.listen(sessions, "before_flush", colleague_starts_it_first)
    try:
        reply = start_again(client, consultation, page)
    finally:
        event.remove(sessions, "before_flush", colleague_starts_it_first)
    page = BeautifulSoup(reply.get_data(as_text=True), "html.parser")
    [link] = page.select(".govuk-error-summary__list a")
    assert normalise(link.text).startswith(f"{colleague.name} changed this response at ")
    assert page.select_one(link["href"]) is not None  # the link leads somewhere
    assert summary_rows(page, "response-details")["Status"] == (
        "Draft, not submitted since it was withdrawn"
    )


def test_the_task_list_and_check_page_say_nothing_counts_yet(
    client, get_page, consultation, withdrawn, signed_in
):
    start_again(client, consultation)
    expected = (
        f"Your organisation withdrew its response {withdrawn.receipt}, then started it again. "
        "Nothing is counted until you submit it."
    )
    for url in (respond_url(consultation), respond_url(consultation, "check")):
        page = get_page(url)
        assert normalise(page.select_one("#restarted").text) == expected
        assert page.select_one("#amending") is None


def test_a_copy_of_a_response_started_again_says_its_revision_does_not_count(
    client, consultation, withdrawn, signed_in
):
    start_again(client, consultation)
    reply = client.get(f"{response_url(consultation)}/copy.docx")
    facts = docx.Document(io.BytesIO(reply.data)).tables[0]
    rows = {row.cells[0].text: row.cells[1].text for row in facts.rows}
    assert rows["Status"] == "Withdrawn, then started again: not submitted since"
