"""Submitting and after: the declaration, the receipt e-mail delivered over SMTP with the
answers, withdrawing (marked in the audit log), PDF and DOCX copies, and 'Your responses'."""

import io
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import docx
import pytest
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from sqlalchemy import event, inspect, select, update

from consult.admin import builder_service
from consult.db import utcnow
from consult.errors import InvalidInput
from consult.models import (
    AuditEvent,
    OutboxMessage,
    Question,
    ResponseStatus,
    Revision,
    RevisionAnswer,
)
from consult.responses import service
from consult.responses.copies import Outline, as_pdf
from tests import factories
from tests.admin_builder_helpers import edited
from tests.cli_helpers import invoke
from tests.conftest import BACKEND, normalise
from tests.responses_helpers import (
    QUESTIONS,
    answer_all,
    error_summary,
    fresh,
    respond_url,
    response_url,
    revision_count,
    save,
    stored_response,
    submit,
    summary_rows,
    version_on,
)
from tests.server_helpers import receipt_on


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)


@pytest.fixture
def signed_in(login, respondent):
    login(respondent)
    return respondent


# The declaration


def test_check_answers_asks_for_the_declaration_naming_the_organisation(
    client, get_page, consultation, signed_in
):
    answer_all(client, consultation)
    page = get_page(respond_url(consultation, "check"))
    box = page.select_one("input[type=checkbox][name=declaration]")
    assert normalise(page.select_one(f"label[for={box['id']}]").text) == (
        "I confirm I am authorised to respond on behalf of British Gas"
    )


def test_the_declaration_is_described_by_nothing_empty(client, get_page, consultation, signed_in):
    answer_all(client, consultation)
    for page in (
        get_page(respond_url(consultation, "check")),
        get_page(respond_url(consultation, "check"), method="post", data={"version": "0"}),
    ):
        box = page.select_one("input[type=checkbox][name=declaration]")
        described_by = box.get("aria-describedby", "").split()
        assert all(normalise(page.select_one(f"#{i}").text) for i in described_by), described_by


def test_submitting_without_the_declaration_is_refused(
    client, get_page, db, consultation, signed_in
):
    answer_all(client, consultation)
    page = get_page(respond_url(consultation, "check"))
    page = get_page(
        respond_url(consultation, "check"), method="post", data={"version": version_on(page)}
    )
    assert error_summary(page) == [
        "Confirm that you are authorised to respond on behalf of British Gas"
    ]
    assert page.select_one("title").text.startswith("Error: ")
    assert revision_count(db) == 0


def reword_q1(db, consultation, **changes) -> None:
    """SECAS edits question 1, as the builder may until the first submission."""
    question = builder_service.find_question(consultation, "q1")
    builder_service.update_question(db, consultation, question, edited(question, **changes), None)
    db.commit()


def submitted_page(get_page, consultation):
    """The page the check page's Submit button gives back, declaration made, when it is
    refused (status 200: the check page with its errors)."""
    page = get_page(respond_url(consultation, "check"))
    return get_page(
        respond_url(consultation, "check"),
        method="post",
        data={"version": version_on(page), "declaration": "y"},
    )


def test_answers_to_a_question_changed_since_are_refused_with_a_link_to_it(
    client, get_page, db, consultation, signed_in
):
    answer_all(client, consultation)  # q1: "Yes"
    reword_q1(db, consultation, options=["No", "Neutral"])
    page = submitted_page(get_page, consultation)
    assert error_summary(page) == ["Question 1 has changed since it was answered: check the answer"]
    link = page.select_one(".govuk-error-summary__list a")["href"]
    assert link.startswith(respond_url(consultation, "q1"))
    assert revision_count(db) == 0


def test_a_rationale_the_question_no_longer_asks_for_is_not_submitted(
    client, db, consultation, signed_in, respondent
):
    answer_all(client, consultation)  # q1's rationale: "We support the new date."
    reword_q1(db, consultation, rationale_prompt=None)
    assert submit(client, consultation).status_code == 302
    fresh(db)
    answer = db.scalar(select(RevisionAnswer).join(Question).where(Question.key == "q1"))
    assert [c.option for c in answer.choices] == ["Yes"]
    assert answer.rationale is None


def test_an_amendment_whose_old_answer_no_longer_fits_links_to_it_instead_of_failing(
    client, get_page, db, consultation, signed_in
):
    answer_all(client, consultation)
    assert submit(client, consultation).status_code == 302
    # Questions lock at the first submission, but an earlier release let q3's limit be
    # lowered below a saved answer before it: such data may still be in a database.
    db.execute(update(Question).where(Question.key == "q3").values(max_length=10))
    db.commit()
    assert save(client, consultation, "q4", answer="One more thing.").status_code == 302

    page = submitted_page(get_page, consultation)
    assert error_summary(page) == ["Question 3 has changed since it was answered: check the answer"]
    assert revision_count(db) == 1


def test_the_service_refuses_a_submission_without_the_declaration(db, consultation, respondent):
    response = factories.make_response(db, consultation, respondent, submit=False)
    with pytest.raises(InvalidInput, match="authorised to respond on behalf of British Gas"):
        service.submit(
            db,
            response,
            expected_version=response.version,
            user=respondent,
            now=utcnow(),
            declared=False,
        )
    db.rollback()
    assert revision_count(db) == 0
    assert response.status is ResponseStatus.draft and response.receipt is None
    assert db.scalars(select(OutboxMessage)).all() == []


def test_the_declaration_is_stored_with_the_revision(client, db, consultation, signed_in):
    answer_all(client, consultation)
    submit(client, consultation)
    fresh(db)
    assert db.scalars(select(Revision.declared)).all() == [True]


# The receipt


def test_the_receipt_is_queued_as_a_receipt_with_the_full_response(
    client, db, consultation, signed_in
):
    answer_all(client, consultation)
    submit(client, consultation)
    message = fresh(db).scalar(select(OutboxMessage))
    assert (message.kind, message.consultation_id) == ("receipt", consultation.id)
    assert "Little impact:\nour SSI users are few." in message.body
    assert "We support the new date." in message.body
    assert "Question 2: Which of your systems are affected?\nMetering; Billing" in message.body
    assert "confirmed they are authorised to respond on behalf of British Gas" in message.body


class Collector:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_config(app_config: dict, smtp_port: int) -> dict:
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port}


def test_a_web_submissions_receipt_arrives_over_smtp_with_the_answers(
    app, client, db, consultation, signed_in, smtp_port
):
    answer_all(client, consultation)
    submit(client, consultation)
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        result = invoke(app, "send-mail")
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    [message] = collector.messages
    assert message["To"] == signed_in.email
    body = message.get_content().replace("\r\n", "\n")
    assert "Receipt reference: SSI-2017-R0001" in body
    assert "Little impact:\nour SSI users are few." in body
    assert "Which of your systems are affected?\nMetering; Billing" in body


def test_submission_succeeds_with_the_mail_server_down(client, db, consultation, signed_in):
    answer_all(client, consultation)
    response = submit(client, consultation)
    assert response.location.endswith(respond_url(consultation, "confirmation"))
    assert fresh(db).scalar(select(OutboxMessage.status)) == "queued"


# Submitting again after the browser's Back


def receipt_count(db) -> int:
    receipts = select(OutboxMessage).where(OutboxMessage.kind == "receipt")
    return len(fresh(db).scalars(receipts).all())


def banner(page) -> str:
    return normalise(page.select_one(".govuk-notification-banner__content").text)


def test_submitting_again_with_nothing_changed_stores_and_sends_nothing(
    client, get_page, db, consultation, signed_in
):
    answer_all(client, consultation)
    submit(client, consultation)
    response = submit(client, consultation)  # Back to check answers, declare, submit
    # The response as submitted, not the confirmation page, which says a receipt was sent.
    assert response.location.endswith(response_url(consultation))
    page = get_page(response.location)
    assert banner(page).startswith("Your response SSI-2017-R0001 was already submitted, at ")
    assert "nothing has changed since" in banner(page)
    assert summary_rows(page, "response-details")["Receipt reference"] == "SSI-2017-R0001"
    assert receipt_on(page) == "SSI-2017-R0001"  # as the load and fault tests read it
    assert "We have sent a receipt" not in normalise(page.text)
    assert revision_count(db) == 1
    assert receipt_count(db) == 1


def test_submitting_the_page_from_before_ones_own_submission_stores_nothing(
    client, get_page, db, consultation, signed_in
):
    answer_all(client, consultation)
    before = get_page(respond_url(consultation, "check"))  # the page Back shows from cache
    submit(client, consultation)
    response = client.post(
        respond_url(consultation, "check"), data={"version": version_on(before), "declaration": "y"}
    )
    assert response.location.endswith(response_url(consultation))
    assert "already submitted" in banner(get_page(response.location))
    assert revision_count(db) == 1
    assert receipt_count(db) == 1


def test_an_old_tab_showing_answers_changed_before_submitting_is_refused_as_stale(
    client, get_page, db, consultation, signed_in
):
    answer_all(client, consultation)
    old_tab = get_page(respond_url(consultation, "check"))
    # In another tab: change an answer, then check and submit it.
    save(client, consultation, "q1", answer="No", rationale="The date is too late.")
    submit(client, consultation)
    page = get_page(
        respond_url(consultation, "check"),
        method="post",
        data={"version": version_on(old_tab), "declaration": "y"},
    )
    # The old tab showed "Yes": it was not what was submitted, so not "already submitted".
    [problem] = error_summary(page)
    assert problem.startswith("Your response was not submitted because you submitted it at ")
    assert "after you opened this page" in problem
    assert "already submitted" not in normalise(page.text)
    assert summary_rows(page, "answers")[
        "1. Do you agree with the proposed new end date?"
    ].startswith("No")
    assert revision_count(db) == 1


def test_an_amendment_changed_back_to_what_was_submitted_stores_nothing(
    client, get_page, db, consultation, signed_in
):
    answer_all(client, consultation)
    submit(client, consultation)
    save(client, consultation, "q1", answer="No", rationale="We support the new date.")
    save(client, consultation, "q1", answer="Yes", rationale="We support the new date.")
    response = submit(client, consultation)
    assert "already submitted" in banner(get_page(response.location))
    assert revision_count(db) == 1
    assert receipt_count(db) == 1


def test_an_amendment_that_changes_an_answer_is_a_new_revision(client, db, consultation, signed_in):
    answer_all(client, consultation)
    submit(client, consultation)
    save(client, consultation, "q4", answer="One more thing.")
    submit(client, consultation)
    assert revision_count(db) == 2
    assert receipt_count(db) == 2


def statements_of_amending(app, client, consultation, times: int) -> list[int]:
    """How many SELECT statements each of ``times`` amendments' Submit runs, after the
    first submission: every amendment changes question 4's answer, then submits."""
    answer_all(client, consultation)
    submit(client, consultation)
    engine = app.extensions["consult.engine"]
    statements: list[str] = []

    def record(_connection, _cursor, statement: str, *_rest) -> None:
        statements.append(statement)

    counts = []
    for n in range(times):
        save(client, consultation, "q4", answer=f"Another thought ({n}).")
        page = BeautifulSoup(
            client.get(respond_url(consultation, "check")).get_data(as_text=True), "html.parser"
        )
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            posted = client.post(
                respond_url(consultation, "check"),
                data={"version": version_on(page), "declaration": "y"},
            )
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert posted.location.endswith("/respond/confirmation"), "the amendment was refused"
        counts.append(sum(s.lstrip().upper().startswith("SELECT") for s in statements))
    return counts


MORE_QUESTIONS = QUESTIONS + [
    {"key": f"q{n}", "kind": "single_choice", "text": f"Question {n}?", "options": ["A", "B"]}
    for n in range(5, 11)
]


def test_submitting_reads_as_much_however_many_questions_and_revisions(app, client, db, signed_in):
    few = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    many = factories.make_consultation(db, "SSI-2018", questions=MORE_QUESTIONS)
    on_few = statements_of_amending(app, client, few, 3)
    for key in ("q5", "q6", "q7", "q8", "q9", "q10"):
        save(client, many, key, answer="A")
    on_many = statements_of_amending(app, client, many, 3)
    # The same for the second revision and the fourth, and for 4 answers and 10: the
    # submitted answers are compared with the working copy in a fixed number of reads
    # (what is written, a row per answer, grows with the answers, as it must).
    assert len(set(on_few + on_many)) == 1, (on_few, on_many)


def test_an_amendment_is_numbered_without_reading_every_earlier_revision(
    client, db, consultation, signed_in, respondent
):
    answer_all(client, consultation)
    submit(client, consultation)
    for n in range(3):
        save(client, consultation, "q4", answer=f"Another thought ({n}).")
        submit(client, consultation)
    save(client, consultation, "q4", answer="A last thought.")
    response = stored_response(db, consultation, respondent.organisation_id)
    revision = service.submit(
        db,
        response,
        expected_version=response.version,
        user=respondent,
        now=utcnow(),
        declared=True,
    )
    assert revision.number == 5
    # A response amended often has many revisions: none but the current one is read.
    assert "revisions" in inspect(response).unloaded
    db.commit()
    numbers = db.scalars(select(Revision.number).where(Revision.response_id == response.id))
    assert sorted(numbers) == [1, 2, 3, 4, 5]


@pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="on SQLite a submission holds the database's write lock from the start of its "
    "request, so no colleague's can commit in between",
)
def test_a_colleagues_first_submission_committed_meanwhile_is_a_stale_page_not_a_failure(
    app, db, consultation, respondent, colleague
):
    response = factories.make_response(db, consultation, respondent, submit=False)
    seen = response.version  # this request has read the response: nothing submitted yet
    theirs_session = app.extensions["consult.sessionmaker"]()
    try:
        factories.resubmit(
            theirs_session, theirs_session.get(type(response), response.id), colleague
        )
    finally:
        theirs_session.close()
    with pytest.raises(service.StaleResponse):
        service.submit(
            db, response, expected_version=seen, user=respondent, now=utcnow(), declared=True
        )
    db.rollback()
    assert revision_count(db) == 1
    assert stored_response(db, consultation, respondent.organisation_id).receipt_number == 1


# Withdrawing


def test_withdrawing_is_marked_in_the_audit_log(client, get_page, db, consultation, signed_in):
    answer_all(client, consultation)
    submit(client, consultation)
    page = get_page(f"{response_url(consultation)}/withdraw")
    client.post(f"{response_url(consultation)}/withdraw", data={"version": version_on(page)})
    event = fresh(db).scalar(select(AuditEvent).where(AuditEvent.action == "response.withdrawn"))
    assert event.actor_id == signed_in.id
    assert event.organisation_id == signed_in.organisation_id
    assert event.detail["receipt"] == "SSI-2017-R0001"


# Copies


def test_a_pdf_copy_of_the_current_revision(client, consultation, signed_in):
    answer_all(client, consultation)
    submit(client, consultation)
    with client.get(f"{response_url(consultation)}/copy.pdf") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
        assert "SSI-2017-R0001-revision-1.pdf" in response.headers["Content-Disposition"]


def test_a_word_copy_has_every_answer(client, consultation, signed_in):
    answer_all(client, consultation)
    submit(client, consultation)
    with client.get(f"{response_url(consultation)}/copy.docx") as response:
        document = docx.Document(io.BytesIO(response.data))
    text = [p.text for p in document.paragraphs]
    assert "1. Do you agree with the proposed new end date?" in text
    assert "We support the new date." in text
    assert "Metering; Billing" in text


def test_the_pdf_keeps_characters_its_font_lacks_as_codes(consultation):
    pdf = as_pdf(Outline("Copy", [("Answer", "“Yes” – fine 👍")]))
    assert pdf.startswith(b"%PDF")


def test_a_missing_pdf_font_gives_a_clear_page(app, client, consultation, signed_in):
    app.config["PDF_FONT"] = "/nonexistent/DejaVuSans.ttf"
    answer_all(client, consultation)
    submit(client, consultation)
    response = client.get(f"{response_url(consultation)}/copy.pdf")
    assert response.status_code == 503
    text = normalise(response.get_data(as_text=True))
    assert "Sorry, we cannot make a PDF copy at the moment" in text
    assert "/nonexistent/DejaVuSans.ttf" in text
    assert "Word copy" in text


def test_the_response_page_links_to_both_copies(client, get_page, consultation, signed_in):
    answer_all(client, consultation)
    submit(client, consultation)
    page = get_page(response_url(consultation))
    assert page.select_one("a#copy-pdf")["href"].endswith("/response/copy.pdf")
    assert page.select_one("a#copy-docx")["href"].endswith("/response/copy.docx")


def test_no_copy_before_submitting(client, consultation, signed_in):
    response = client.get(f"{response_url(consultation)}/copy.pdf")
    assert response.location.endswith(response_url(consultation))


# Your responses


def test_your_responses_lists_status_and_deadline_soonest_first(
    client, get_page, db, respondent, other_respondent, signed_in
):
    now = utcnow()
    soon = factories.make_consultation(db, "SOON-1", title="Due soon")
    soon.closes_at = now + timedelta(days=1)
    later = factories.make_consultation(db, "LATER-1", title="Due later")
    later.closes_at = now + timedelta(days=20)
    closed = factories.make_consultation(db, "PAST-1", status="closed", title="Closed one")
    late = factories.make_consultation(db, "LATE-1", status="closed", title="Late one")
    withdrawn = factories.make_consultation(db, "GONE-1", title="Withdrawn one")
    withdrawn.closes_at = now + timedelta(days=10)
    db.commit()
    factories.make_response(db, later, respondent)
    factories.make_response(db, closed, respondent, submit=False)
    factories.grant_late_allowance(db, late, respondent.organisation, until=now + timedelta(days=3))
    factories.make_response(db, late, respondent, now=now)
    gone = factories.make_response(db, withdrawn, respondent)
    service.withdraw(db, gone, expected_version=gone.version, user=respondent, now=now)
    db.commit()
    factories.make_response(db, soon, other_respondent)  # another organisation's

    page = get_page("/responses")
    rows = page.select("#my-responses tbody tr")
    titles = [normalise(row.select_one("td a").text) for row in rows]
    statuses = [normalise(row.select("td")[1].text) for row in rows]
    deadlines = [normalise(row.select("td")[2].text) for row in rows]
    assert titles == ["Due soon", "Late one", "Withdrawn one", "Due later", "Closed one"]
    assert statuses == ["Not started", "Late", "Withdrawn", "Submitted", "Draft"]
    assert deadlines[1].endswith("(late allowance)")
    assert deadlines[4].startswith("Closed ")


def test_your_responses_links_a_submitted_response_to_the_response_as_submitted(
    get_page, db, respondent, signed_in
):
    consultation = factories.make_consultation(db, "OPEN-1")
    factories.make_response(db, consultation, respondent)
    page = get_page("/responses")
    link = page.select_one("#my-responses tbody tr a")["href"]
    assert link.endswith(response_url(consultation))
    assert get_page(link).select_one("a#amend")["href"].endswith(respond_url(consultation))


def test_your_responses_table_scrolls_by_keyboard_under_a_heading_that_wraps(
    get_page, db, respondent, signed_in
):
    factories.make_consultation(db, "OPEN-1")
    page = get_page("/responses")
    wrapper = page.select_one("#my-responses").find_parent(class_="consult-table-wrapper")
    assert (wrapper["tabindex"], wrapper["role"]) == ("0", "region")
    assert wrapper["aria-label"] == "Responses, what is due soonest first"
    heading = wrapper.find_previous_sibling("h2")
    assert normalise(heading.text) == "Responses, what is due soonest first"


def test_your_responses_is_in_the_header_for_respondents(get_page, signed_in):
    page = get_page("/consultations")
    links = [normalise(a.text) for a in page.select(".govuk-service-navigation__link")]
    assert "Your responses" in links


def test_your_responses_is_not_in_the_header_for_the_panel(get_page, login, panel):
    login(panel)
    page = get_page("/consultations")
    links = [normalise(a.text) for a in page.select(".govuk-service-navigation__link")]
    assert "Your responses" not in links


def test_a_late_allowance_is_offered_on_your_responses(get_page, db, respondent, login):
    consultation = factories.make_consultation(db, "LATE-2", status="closed")
    factories.grant_late_allowance(
        db, consultation, respondent.organisation, until=datetime(2099, 1, 1, 12, tzinfo=UTC)
    )
    login(respondent)
    page = get_page("/responses")
    row = page.select_one("#my-responses tbody tr")
    assert row.select_one("a")["href"].endswith(respond_url(consultation))
    assert normalise(row.select("td")[2].text) == "midday on 1 January 2099 (late allowance)"
