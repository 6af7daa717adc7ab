"""The rules the server enforces on responses, whatever the request: closing, late
allowances, optimistic locking, hostile input, roles and one organisation's privacy."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from consult.db import utcnow
from consult.filters import uk_datetime
from consult.models import Answer, OutboxMessage, Response, ResponseStatus, Revision
from consult.responses import service
from tests import factories
from tests.conftest import normalise
from tests.responses_helpers import (
    QUESTIONS,
    answer_all,
    error_summary,
    fresh,
    respond_url,
    response_url,
    revision_count,
    stored_response,
    submit,
    summary_rows,
    version_on,
)


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)


@pytest.fixture
def signed_in(login, respondent):
    login(respondent)
    return respondent


def close(db, consultation, at: datetime | None = None) -> None:
    """Move the deadline into the past (5pm on 21 June 2017, London, unless given)."""
    consultation.opens_at = datetime(2017, 6, 7, 8, 0, tzinfo=UTC)
    consultation.closes_at = at or datetime(2017, 6, 21, 16, 0, tzinfo=UTC)
    db.commit()


def full_answers() -> dict[str, service.AnswerInput]:
    return {
        "q1": service.AnswerInput(choices=("Yes",), rationale="We agree."),
        "q2": service.AnswerInput(choices=("Billing",)),
        "q3": service.AnswerInput(text="None."),
    }


# Closing


def test_closed_consultation_says_when_it_closed(get_page, db, consultation, signed_in):
    close(db, consultation)
    page = get_page(respond_url(consultation))
    assert normalise(page.select_one("h1").text) == "This consultation has closed"
    assert normalise(page.select_one("#not-open-reason").text).startswith(
        "This consultation closed at 5pm on 21 June 2017."
    )


def test_upcoming_consultation_is_not_open_yet(get_page, db, signed_in):
    upcoming = factories.make_consultation(db, "LATER-1", status="upcoming")
    page = get_page(respond_url(upcoming, "q1"))
    assert normalise(page.select_one("h1").text) == "This consultation is not open yet"
    assert "This consultation opens at" in normalise(page.select_one("#not-open-reason").text)


def test_closed_consultation_refuses_submission(get_page, db, consultation, respondent, login):
    draft = factories.make_response(db, consultation, respondent, full_answers(), submit=False)
    version = draft.version
    close(db, consultation)
    login(respondent)
    page = get_page(respond_url(consultation, "check"), method="post", data={"version": version})
    assert normalise(page.select_one("h1").text) == "This consultation has closed"
    assert "Nothing was saved." in normalise(page.text)
    assert revision_count(db) == 0
    stored = stored_response(db, consultation, respondent.organisation_id)
    assert (stored.status, stored.receipt_number, stored.version) == (
        ResponseStatus.draft,
        None,
        version,
    )
    assert fresh(db).scalars(select(OutboxMessage)).all() == []


def test_closed_consultation_refuses_a_saved_answer(get_page, db, consultation, respondent, login):
    draft = factories.make_response(db, consultation, respondent, full_answers(), submit=False)
    version = draft.version
    close(db, consultation)
    login(respondent)
    get_page(
        respond_url(consultation, "q3"),
        method="post",
        data={"version": version, "action": "continue", "answer": "Changed after close"},
    )
    fresh(db)
    texts = db.scalars(select(Answer.text).where(Answer.text.is_not(None))).all()
    assert texts == ["None."]


def test_an_answer_sent_after_the_deadline_is_shown_back_to_copy(
    get_page, db, consultation, signed_in
):
    page = get_page(respond_url(consultation, "q1"))  # opened before the deadline
    close(db, consultation)
    data = {
        "version": version_on(page),
        "action": "continue",
        "answer": "No",
        "rationale": "Half an hour of typing:\nour reasons.",
    }
    page = get_page(respond_url(consultation, "q1"), method="post", data=data)
    assert normalise(page.select_one("h1").text) == "This consultation has closed"
    not_saved = page.select_one("#not-saved")
    assert normalise(not_saved.select_one("h2").text) == "What you entered (not saved)"
    assert "Half an hour of typing: our reasons." in normalise(not_saved.text)
    assert "No" in [normalise(p.text) for p in not_saved.select("p")]
    assert normalise(not_saved.select_one("#not-saved-question").text) == (
        "Question 1: Do you agree with the proposed new end date?"
    )
    assert [normalise(h.text) for h in not_saved.select("h4")] == ["Answer", "Rationale"]


def test_closed_consultation_refuses_a_new_response(client, db, consultation, signed_in):
    close(db, consultation)
    client.post(respond_url(consultation, "q1"), data={"version": "0", "answer": "Yes"})
    assert fresh(db).scalars(select(Response)).all() == []


def test_closed_consultation_refuses_an_amendment(get_page, db, consultation, respondent, login):
    submitted = factories.make_response(db, consultation, respondent, full_answers())
    close(db, consultation)
    login(respondent)
    get_page(respond_url(consultation, "check"), method="post", data={"version": submitted.version})
    assert revision_count(db) == 1
    page = get_page(response_url(consultation))
    assert page.select_one("a#amend") is None
    assert page.select_one("a#withdraw") is None


def test_late_allowance_lets_a_submission_through_flagged_late(
    client, get_page, db, consultation, respondent, login
):
    draft = factories.make_response(db, consultation, respondent, full_answers(), submit=False)
    close(db, consultation, at=utcnow() - timedelta(hours=2))
    factories.grant_late_allowance(
        db, consultation, respondent.organisation, until=utcnow() + timedelta(days=1)
    )
    login(respondent)
    response = client.post(
        respond_url(consultation, "check"), data={"version": draft.version, "declaration": "y"}
    )
    assert response.location.endswith(respond_url(consultation, "confirmation"))
    page = get_page(response.location)
    assert "under a late allowance" in normalise(page.select_one(".govuk-warning-text").text)
    page = get_page(response_url(consultation))
    assert summary_rows(page, "response-details")["Late"] == "Yes, accepted under a late allowance"
    fresh(db)
    assert db.scalars(select(Revision.late)).all() == [True]


def test_confirmation_under_a_late_allowance_gives_the_allowances_end(
    client, get_page, db, consultation, respondent, login
):
    draft = factories.make_response(db, consultation, respondent, full_answers(), submit=False)
    close(db, consultation, at=utcnow() - timedelta(hours=2))
    until = utcnow() + timedelta(days=1)
    factories.grant_late_allowance(db, consultation, respondent.organisation, until=until)
    login(respondent)
    response = client.post(
        respond_url(consultation, "check"), data={"version": draft.version, "declaration": "y"}
    )
    page = get_page(response.location)
    assert normalise(page.select_one("#deadline").text) == (
        f"You can amend or withdraw your response until {uk_datetime(until)} (late allowance)."
    )
    assert "after the consultation closes" not in normalise(page.text)
    receipt = fresh(db).scalar(select(OutboxMessage.body).where(OutboxMessage.kind == "receipt"))
    assert receipt.endswith(
        f"until {uk_datetime(until)}, when your organisation's late allowance ends."
    )


def test_late_allowance_for_one_organisation_does_not_open_it_to_others(
    client, db, consultation, respondent, other_respondent, login
):
    close(db, consultation, at=utcnow() - timedelta(hours=2))
    factories.grant_late_allowance(
        db, consultation, respondent.organisation, until=utcnow() + timedelta(days=1)
    )
    login(other_respondent)
    page = client.get(respond_url(consultation, "q1")).get_data(as_text=True)
    assert "This consultation has closed" in page


def test_consultation_page_offers_a_late_allowance_holder_the_way_in(
    get_page, db, consultation, respondent, other_respondent, login
):
    close(db, consultation, at=utcnow() - timedelta(hours=2))
    until = utcnow() + timedelta(days=1)
    factories.grant_late_allowance(db, consultation, respondent.organisation, until=until)
    login(other_respondent)
    page = get_page(f"/consultations/{consultation.reference}")
    assert page.select_one("#respond") is None
    assert "no longer accepting responses" in normalise(page.text)
    login(respondent)
    page = get_page(f"/consultations/{consultation.reference}")
    assert page.select_one("#respond")["href"] == respond_url(consultation)
    assert f"respond until {uk_datetime(until)}" in normalise(page.text)


# Optimistic locking


def test_a_save_from_an_older_tab_of_ones_own_says_you_changed_it(
    client, get_page, db, consultation, signed_in
):
    get_page(
        respond_url(consultation, "q3"),
        method="post",
        status=302,
        data={"version": "0", "action": "later", "answer": "First draft"},
    )
    old_tab = get_page(respond_url(consultation, "q3"))
    get_page(
        respond_url(consultation, "q3"),
        method="post",
        status=302,
        data={"version": version_on(old_tab), "action": "later", "answer": "Second draft"},
    )
    data = {"version": version_on(old_tab), "action": "later", "answer": "Old tab's words"}
    page = get_page(respond_url(consultation, "q3"), method="post", data=data)
    [problem] = error_summary(page)
    assert problem.startswith("You changed this response at ")
    assert signed_in.name not in problem


def test_the_first_save_is_not_overwritten_by_a_colleague_who_opened_the_page_before_it(
    app, client, get_page, db, login, consultation, signed_in, colleague
):
    mine = get_page(respond_url(consultation, "q3"))
    colleague_client = app.test_client()
    login(colleague, colleague_client)
    theirs = BeautifulSoup(
        colleague_client.get(respond_url(consultation, "q3")).get_data(as_text=True),
        "html.parser",
    )
    assert version_on(mine) == version_on(theirs) == "0"  # no response existed yet
    saved = {"version": "0", "action": "later", "answer": "First draft"}
    assert client.post(respond_url(consultation, "q3"), data=saved).status_code == 302
    late = {"version": "0", "action": "later", "answer": "Colleague's words"}
    response = colleague_client.post(respond_url(consultation, "q3"), data=late)
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert error_summary(page)[0].startswith(f"{signed_in.name} changed this response at")
    assert page.select_one("textarea#answer").text.strip() == "Colleague's words"
    fresh(db)
    assert db.scalar(select(Answer.text)) == "First draft"


def test_stale_save_is_refused_and_keeps_what_was_typed(
    app, client, get_page, db, login, consultation, signed_in, colleague
):
    client.post(
        respond_url(consultation, "q3"),
        data={"version": "0", "action": "later", "answer": "First draft"},
    )
    mine = get_page(respond_url(consultation, "q3"))
    colleague_client = app.test_client()
    login(colleague, colleague_client)
    theirs = colleague_client.get(respond_url(consultation, "q3")).get_data(as_text=True)
    colleague_client.post(
        respond_url(consultation, "q3"),
        data={
            "version": version_on(BeautifulSoup(theirs, "html.parser")),
            "action": "later",
            "answer": "Colleague's words",
        },
    )
    page = get_page(
        respond_url(consultation, "q3"),
        method="post",
        data={"version": version_on(mine), "action": "continue", "answer": "My careful words"},
    )
    assert len(error_summary(page)) == 1
    assert error_summary(page)[0].startswith("Colleague changed this response at")
    assert page.select_one("textarea#answer").text.strip() == "My careful words"
    assert normalise(page.select_one("#saved-answer .consult-saved-answer").text) == (
        "Colleague's words"
    )
    fresh(db)
    assert db.scalar(select(Answer.text)) == "Colleague's words"
    # Having seen the colleague's change, saving again goes through.
    again = client.post(
        respond_url(consultation, "q3"),
        data={"version": version_on(page), "action": "continue", "answer": "My careful words"},
    )
    assert again.status_code == 302
    fresh(db)
    assert db.scalar(select(Answer.text)) == "My careful words"


def test_stale_submission_is_refused_saying_it_was_not_submitted(
    client, get_page, db, consultation, signed_in, colleague
):
    answer_all(client, consultation)
    page = get_page(respond_url(consultation, "check"))
    response = stored_response(db, consultation, signed_in.organisation_id)
    changed_at = utcnow()
    service.set_confidential(
        db, response, True, expected_version=response.version, user=colleague, now=changed_at
    )
    db.commit()
    page = get_page(
        respond_url(consultation, "check"),
        method="post",
        data={"version": version_on(page), "declaration": "y"},
    )
    assert error_summary(page) == [
        f"Your response was not submitted because Colleague changed it at "
        f"{uk_datetime(changed_at)}, after you opened this page. Check the answers, then "
        "submit again."
    ]
    assert summary_rows(page, "confidentiality") == {"Is your response confidential?": "Yes"}
    assert revision_count(db) == 0


def test_tampered_version_is_refused_without_an_error_page(get_page, consultation, signed_in):
    page = get_page(
        respond_url(consultation, "q1"),
        method="post",
        data={"version": "not-a-number", "action": "continue", "answer": "Yes"},
    )
    assert error_summary(page)


# Hostile or oversize input


@pytest.mark.parametrize(
    ("key", "data"),
    [
        ("q1", {"answer": "Maybe"}),
        ("q1", {"answer": ["Yes", "No"]}),
        ("q2", {"answer": ["Metering", "Gas turbines"]}),
    ],
)
def test_options_the_question_does_not_offer_are_refused(
    get_page, db, consultation, signed_in, key, data
):
    page = get_page(
        respond_url(consultation, key),
        method="post",
        data={"version": "0", "action": "continue", **data},
    )
    assert error_summary(page)
    assert fresh(db).scalars(select(Answer)).all() == []


def test_options_the_question_does_not_offer_name_the_fix(get_page, consultation, signed_in):
    page = get_page(
        respond_url(consultation, "q2"),
        method="post",
        data={"version": "0", "action": "continue", "answer": ["Gas turbines"]},
    )
    assert error_summary(page) == ["Select from the options shown"]


def test_answer_longer_than_the_limit_is_refused(get_page, db, consultation, signed_in):
    page = get_page(
        respond_url(consultation, "q3"),
        method="post",
        data={"version": "0", "action": "continue", "answer": "x" * 501},
    )
    assert error_summary(page) == ["Your answer must be 500 characters or fewer"]
    assert page.select_one("textarea#answer").text.strip() == "x" * 501
    assert fresh(db).scalars(select(Answer)).all() == []


def test_line_breaks_count_as_one_character(client, consultation, signed_in):
    response = client.post(
        respond_url(consultation, "q3"),
        data={"version": "0", "action": "continue", "answer": "x\r\n" * 250},
    )
    assert response.status_code == 302


def test_oversize_rationale_is_refused(get_page, consultation, signed_in):
    page = get_page(
        respond_url(consultation, "q1"),
        method="post",
        data={"version": "0", "action": "continue", "answer": "Yes", "rationale": "x" * 20_001},
    )
    assert error_summary(page) == ["Your rationale must be 20,000 characters or fewer"]
    assert page.select_one(".govuk-error-summary a")["href"] == "#rationale"


def test_unknown_question_is_not_found(get_page, consultation, signed_in):
    get_page(respond_url(consultation, "q99"), status=404)


def test_draft_consultation_does_not_exist_for_respondents(get_page, db, signed_in):
    draft = factories.make_consultation(db, "DRAFT-1", status="draft")
    get_page(respond_url(draft), status=404)


# Receipts


def test_submission_queues_a_receipt_email(client, db, consultation, signed_in):
    answer_all(client, consultation)
    submit(client, consultation)
    fresh(db)
    message = db.scalar(select(OutboxMessage))
    assert message.to_address == signed_in.email
    assert message.subject == "Response received: SSI-2017-R0001"


def test_receipts_number_in_order_of_first_submission(
    app, client, login, db, consultation, signed_in, other_respondent
):
    answer_all(client, consultation)
    submit(client, consultation)
    other = app.test_client()
    login(other_respondent, other)
    answer_all(other, consultation)
    submit(other, consultation)
    fresh(db)
    receipts = sorted(r.receipt for r in db.scalars(select(Response)))
    assert receipts == ["SSI-2017-R0001", "SSI-2017-R0002"]


# Who may see what


def test_respondent_never_sees_another_organisations_response(
    app, client, get_page, login, db, consultation, respondent, other_respondent
):
    login(respondent)
    answer_all(client, consultation)
    submit(client, consultation)
    client.post("/auth/logout")
    login(other_respondent)
    page = get_page(response_url(consultation))
    assert normalise(page.select_one("h1").text) == (
        "Your organisation has not submitted a response"
    )
    assert "SSI-2017-R0001" not in page.text
    question = get_page(respond_url(consultation, "q1"))
    assert not question.select("input[name=answer][checked]")
    assert client.get(respond_url(consultation, "check")).status_code == 302


@pytest.mark.parametrize(
    ("method", "page"),
    [
        ("get", ""),
        ("get", "q1"),
        ("post", "q1"),
        ("get", "confidentiality"),
        ("get", "check"),
        ("post", "check"),
        ("get", "confirmation"),
        ("get", "/response"),
        ("get", "/response/withdraw"),
        ("post", "/response/withdraw"),
        ("post", "/response/respond-again"),
    ],
)
def test_visitors_are_sent_to_sign_in(client, consultation, method, page):
    url = (
        f"/consultations/{consultation.reference}{page}"
        if page.startswith("/")
        else respond_url(consultation, page)
    )
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/auth/login" in response.location


@pytest.mark.parametrize("role", ["secas", "panel"])
@pytest.mark.parametrize(
    "page", ["", "q1", "confidentiality", "check", "confirmation", "/response"]
)
def test_panel_and_secas_may_not_use_respondent_pages(
    request, get_page, login, consultation, role, page
):
    login(request.getfixturevalue(role))
    url = (
        f"/consultations/{consultation.reference}{page}"
        if page.startswith("/")
        else respond_url(consultation, page)
    )
    get_page(url, status=403)


# The GOV.UK widgets


@pytest.mark.parametrize(
    ("key", "control"),
    [
        ("q1", "input[type=radio]#answer"),
        ("q2", "input[type=checkbox]#answer"),
        ("q3", "textarea#answer"),
        ("q4", "textarea#answer"),
    ],
)
def test_every_widget_renders_with_ids_the_error_summary_links_to(
    get_page, db, consultation, signed_in, key, control
):
    """Renders each govuk-frontend-wtf widget we use with an error, so version drift shows."""
    if key == "q4":
        consultation.questions[3].required = True
        db.commit()
    page = get_page(
        respond_url(consultation, key), method="post", data={"version": "0", "action": "continue"}
    )
    assert page.select_one(".govuk-error-summary a")["href"] == "#answer"
    assert page.select_one(control)
    assert page.select_one("#answer-error.govuk-error-message")
    described = page.select_one("[aria-describedby~=answer-error]")
    for target in described["aria-describedby"].split():
        assert page.select_one(f"#{target}"), f"aria-describedby names missing #{target}"


def test_an_inactive_organisation_cannot_respond_but_still_sees_its_response(
    client, get_page, db, consultation, respondent, login
):
    factories.make_response(db, consultation, respondent, full_answers())
    respondent.organisation.active = False
    db.commit()
    login(respondent)
    message = "Your organisation is not active in Consult, so it cannot respond"
    page = get_page(respond_url(consultation, "q1"))
    assert message in normalise(page.text)
    before = revision_count(db)
    response = client.post(
        respond_url(consultation, "q1"), data={"version": "9", "answer": "No", "action": "later"}
    )
    assert message in normalise(BeautifulSoup(response.get_data(as_text=True), "html.parser").text)
    page = get_page(response_url(consultation))
    assert page.select_one("a#amend") is None
    fresh(db)
    assert revision_count(db) == before
    assert db.scalar(select(Answer.choices)) != ["No"]
