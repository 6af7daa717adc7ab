"""Oversight of a consultation: who has responded, reminders, late allowances, and every
response with its revisions."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.db import utcnow
from consult.filters import LONDON, uk_datetime
from consult.models import (
    AuditEvent,
    LateAllowance,
    PartyCategory,
    Response,
    ResponseStatus,
    Role,
)
from consult.responses import service as responses
from consult.responses.service import AnswerInput
from tests import factories
from tests.conftest import normalise, scrolling_tables
from tests.people_helpers import banner, error_summary, outbox, table_rows


@pytest.fixture
def signed_in(secas, login):
    login(secas)
    return secas


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017")


@pytest.fixture
def third_organisation(db):
    return factories.make_organisation(db, "Western Power", PartyCategory.electricity_network)


@pytest.fixture
def arranged(db, consultation, respondent, other_respondent, third_organisation):
    """British Gas submitted, Octopus has a draft, Western Power has not started."""
    factories.make_response(db, consultation, respondent)
    factories.make_response(db, consultation, other_respondent, submit=False)
    return consultation


def test_organisations_are_grouped_by_category_with_their_status(arranged, signed_in, get_page):
    page = get_page("/admin/consultations/SSI-2017/responses")
    captions = [normalise(c.text) for c in page.select("caption")]
    assert captions == ["Large Supplier", "Small Supplier", "Electricity Network"]
    assert [r[:2] for r in table_rows(page, "#category-1")] == [["British Gas", "Submitted"]]
    assert [r[:2] for r in table_rows(page, "#category-2")] == [["Octopus Energy", "Draft"]]
    assert [r[:2] for r in table_rows(page, "#category-3")] == [["Western Power", "Not started"]]
    counts = normalise(page.select_one("#response-counts").text)
    assert "Submitted 1" in counts and "Draft 1" in counts and "Not started 1" in counts


def test_the_category_tables_scroll_sideways_by_keyboard(arranged, signed_in, get_page):
    page = get_page("/admin/consultations/SSI-2017/responses")
    assert scrolling_tables(page) == [
        ("region", f"{category} organisations", "0")
        for category in ("Large Supplier", "Small Supplier", "Electricity Network")
    ]


def test_a_late_submission_is_flagged(db, respondent, signed_in, get_page):
    closed = factories.make_consultation(db, "LATE-1", status="closed")
    factories.grant_late_allowance(
        db, closed, respondent.organisation, utcnow() + timedelta(days=1)
    )
    factories.make_response(db, closed, respondent, now=utcnow())
    page = get_page("/admin/consultations/LATE-1/responses")
    assert table_rows(page, "#category-1")[0][1] == "Submitted late"


def test_inactive_organisations_without_a_response_are_left_out(
    db, consultation, third_organisation, signed_in, get_page
):
    third_organisation.active = False
    db.commit()
    page = get_page("/admin/consultations/SSI-2017/responses")
    assert "Western Power" not in normalise(page.select_one("main").text)


def test_the_reminder_asks_for_confirmation_and_counts_recipients(
    arranged, colleague, signed_in, get_page
):
    page = get_page("/admin/consultations/SSI-2017/remind")
    assert normalise(page.select_one("h1").text) == "Send a reminder about SSI-2017?"
    assert normalise(page.select_one("#explanation").text).startswith("1 person in organisations")


def test_sending_a_reminder_emails_only_those_yet_to_submit_who_accept_reminders(
    db, arranged, other_organisation, other_respondent, signed_in, get_page
):
    opted_out = factories.make_user(db, Role.respondent, organisation=other_organisation)
    opted_out.notify_reminders = False
    deactivated = factories.make_user(db, Role.respondent, organisation=other_organisation)
    deactivated.active = False
    db.commit()
    page = get_page("/admin/consultations/SSI-2017/remind", method="post", follow_redirects=True)
    assert banner(page) == "Success Reminders are queued for 1 person."
    [message] = outbox(db, "manual_reminder")
    assert message.to_address == other_respondent.email
    assert message.consultation_id == arranged.id
    assert "SSI-2017" in message.subject
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "consultation.reminder_sent"))
    assert event.detail == {"recipients": 1}


@pytest.fixture
def withdrawn(db, arranged, third_organisation):
    """Western Power submitted, then withdrew its response: it cannot respond again."""
    user = factories.make_user(db, Role.respondent, organisation=third_organisation)
    response = factories.make_response(db, arranged, user)
    responses.withdraw(db, response, expected_version=response.version, user=user, now=utcnow())
    db.commit()
    return user


def test_the_counts_add_up_to_the_organisations_listed(withdrawn, signed_in, get_page):
    page = get_page("/admin/consultations/SSI-2017/responses")
    rows = page.select("#response-counts .govuk-summary-list__row")
    counts = {
        normalise(row.select_one("dt").text): normalise(row.select_one("dd").text) for row in rows
    }
    assert {k: counts[k] for k in ("Submitted", "Draft", "Not started", "Withdrawn")} == {
        "Submitted": "1",
        "Draft": "1",
        "Not started": "0",
        "Withdrawn": "1",
    }
    assert [r[:2] for r in table_rows(page, "#category-3")] == [["Western Power", "Withdrawn"]]


def test_organisations_that_withdrew_are_not_reminded(db, withdrawn, signed_in, get_page):
    page = get_page("/admin/consultations/SSI-2017/remind")
    assert normalise(page.select_one("#explanation").text).startswith("1 person in organisations")
    page = get_page("/admin/consultations/SSI-2017/remind", method="post", follow_redirects=True)
    assert banner(page) == "Success Reminders are queued for 1 person."
    assert withdrawn.email not in [m.to_address for m in outbox(db, "manual_reminder")]


def test_no_reminder_for_a_closed_consultation(db, signed_in, get_page):
    factories.make_consultation(db, "OLD-1", status="closed")
    page = get_page("/admin/consultations/OLD-1/remind", method="post")
    assert error_summary(page) == ["OLD-1 is not open, so there is nothing to remind"]


def grant(get_page, organisation, **overrides):
    until = utcnow() + timedelta(days=10)
    data = {
        "until_date": [str(until.day), str(until.month), str(until.year)],
        "until_time": "17:00",
        "reason": "Their system was down",
    } | overrides
    return get_page(
        f"/admin/consultations/SSI-2017/organisations/{organisation.id}/late-allowance",
        method="post",
        data=data,
        follow_redirects=True,
    )


def test_secas_grants_a_late_allowance_and_it_is_audited(
    db, consultation, organisation, signed_in, get_page
):
    page = grant(get_page, organisation)
    assert banner(page).startswith("Success British Gas may submit late until 5pm on")
    allowance = db.scalar(select(LateAllowance))
    assert allowance.reason == "Their system was down" and allowance.granted_by_id
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "late_allowance.granted"))
    assert event.organisation_id == organisation.id and event.consultation_id == consultation.id


@pytest.mark.parametrize(("status", "verb"), [("open", "closes"), ("closed", "closed")])
def test_the_allowance_page_says_when_it_closes_or_closed(
    db, organisation, signed_in, get_page, status, verb
):
    consultation = factories.make_consultation(db, "LATE-1", status=status)
    page = get_page(f"/admin/consultations/LATE-1/organisations/{organisation.id}/late-allowance")
    assert normalise(page.select_one("#closing").text).startswith(
        f"LATE-1 {verb} at {uk_datetime(consultation.closes_at)}."
    )


def test_granting_again_replaces_the_allowance(db, consultation, organisation, signed_in, get_page):
    grant(get_page, organisation)
    grant(get_page, organisation, until_time="18:30")
    db.commit()
    assert len(db.scalars(select(LateAllowance)).all()) == 1


def test_an_allowance_ending_before_close_is_refused(
    consultation, organisation, signed_in, get_page
):
    today = utcnow()
    page = grant(
        get_page, organisation, until_date=[str(today.day), str(today.month), str(today.year)]
    )
    assert error_summary(page)[0].startswith("The date must be after the consultation closes")


def test_an_allowance_until_half_past_5pm_is_read_in_uk_time(
    db, consultation, organisation, signed_in, get_page
):
    page = grant(get_page, organisation, until_time="5:30pm")
    until = db.scalar(select(LateAllowance)).until.astimezone(LONDON)
    assert (until.hour, until.minute) == (17, 30)
    assert banner(page).startswith("Success British Gas may submit late until 5:30pm on")


def test_a_malformed_allowance_shows_errors_not_a_server_error(
    consultation, organisation, signed_in, get_page
):
    page = grant(
        get_page, organisation, until_date=["31", "2", "2030"], until_time="5 o'clock", reason=" "
    )
    assert error_summary(page) == [
        "The date must be a real date, for example, 28 6 2017",
        "Enter the time as a time of day, like 17:00 or 5pm",
        "Enter the reason for the late allowance",
    ]


def test_an_allowance_dates_problem_links_to_its_day_box(
    consultation, organisation, signed_in, get_page
):
    page = grant(get_page, organisation, until_date=["", "", ""])
    [link] = page.select(".govuk-error-summary__list a")
    assert (normalise(link.text), link["href"]) == ("Enter the date", "#until_date-day")
    assert page.select_one("#until_date-day").name == "input"


def test_secas_revokes_a_late_allowance(db, consultation, organisation, signed_in, get_page):
    factories.grant_late_allowance(db, consultation, organisation, utcnow() + timedelta(days=9))
    url = f"/admin/consultations/SSI-2017/organisations/{organisation.id}/late-allowance/revoke"
    assert normalise(get_page(url).select_one("h1").text) == "Revoke British Gas’s late allowance?"
    page = get_page(url, method="post", data={"reason": " "})
    assert error_summary(page) == ["Enter the reason for revoking the late allowance"]
    page = get_page(
        url, method="post", data={"reason": "They responded by post"}, follow_redirects=True
    )
    assert banner(page) == "Success British Gas’s late allowance is revoked."
    db.commit()
    assert db.scalar(select(LateAllowance)) is None
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "late_allowance.revoked"))
    assert event.detail["reason"] == "They responded by post"
    page = get_page("/admin/audit")
    assert "Reason: They responded by post" in normalise(page.select_one("main").text)


def test_revoking_a_missing_allowance_is_explained(consultation, organisation, signed_in, get_page):
    url = f"/admin/consultations/SSI-2017/organisations/{organisation.id}/late-allowance/revoke"
    page = get_page(url)
    assert normalise(page.select_one("h1").text) == "British Gas has no late allowance"
    assert normalise(page.select_one("#explanation").text) == "There is nothing to revoke."
    assert page.select_one("main form") is None
    # A colleague revoked it since this page was opened.
    page = get_page(url, method="post", data={"reason": "Twice"})
    assert normalise(page.select_one("h1").text) == "British Gas has no late allowance"
    assert normalise(page.select_one("#explanation").text) == (
        "There is nothing to revoke: it may have been revoked since you opened the page. "
        "Nothing was changed."
    )
    assert page.select_one(".govuk-error-summary") is None


def test_secas_reads_every_revision_of_a_response(
    db, consultation, respondent, signed_in, get_page
):
    response = factories.make_response(db, consultation, respondent)
    factories.make_response(
        db,
        consultation,
        respondent,
        {"q1": AnswerInput(choices=("No",), rationale="We changed our mind.")},
    )
    url = f"/admin/consultations/SSI-2017/responses/{response.id}"
    page = get_page(url)
    assert "Revision 2 (current)" in normalise(page.select_one("#response-details").text)
    assert "We changed our mind." in normalise(page.select_one("#answers").text)
    assert [r[0] for r in table_rows(page, "#revisions")] == ["2 (current)", "1"]
    first = get_page(f"{url}?revision=1")
    assert "We support the new date." in normalise(first.select_one("#answers").text)
    # Read-only: the only form is the header's sign-out button.
    assert [f["action"] for f in first.select("form[method=post]")] == ["/auth/logout"]


def test_a_draft_shows_its_working_answers(db, consultation, respondent, signed_in, get_page):
    response = factories.make_response(db, consultation, respondent, submit=False)
    page = get_page(f"/admin/consultations/SSI-2017/responses/{response.id}")
    assert "Draft (never submitted)" in normalise(page.select_one("#response-details").text)
    assert "We support the new date." in normalise(page.select_one("#answers").text)
    assert page.select_one("#no-revisions")


def test_a_response_to_another_consultation_or_revision_is_not_found(
    db, consultation, respondent, signed_in, get_page
):
    response = factories.make_response(db, consultation, respondent)
    factories.make_consultation(db, "OTHER-1")
    get_page(f"/admin/consultations/OTHER-1/responses/{response.id}", status=404)
    get_page(f"/admin/consultations/SSI-2017/responses/{response.id}?revision=7", status=404)


def test_respondents_cannot_see_oversight(consultation, respondent, login, client):
    login(respondent)
    assert client.get("/admin/consultations/SSI-2017/responses").status_code == 403
    assert client.post("/admin/consultations/SSI-2017/remind").status_code == 403


def test_a_withdrawn_response_says_who_withdrew_it_and_when(db, withdrawn, signed_in, get_page):
    response = db.scalar(select(Response).where(Response.status == ResponseStatus.withdrawn))
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "response.withdrawn"))
    page = get_page(f"/admin/consultations/SSI-2017/responses/{response.id}")
    rows = dict(table_rows_of_summary(page, "#response-details"))
    assert rows["Status"] == "Withdrawn"
    assert rows["Withdrawn"] == f"{uk_datetime(event.at)} by {withdrawn.name} ({withdrawn.email})"


def test_a_response_started_again_after_withdrawal_is_a_draft_not_counted(
    db, withdrawn, signed_in, get_page
):
    response = db.scalar(select(Response).where(Response.status == ResponseStatus.withdrawn))
    responses.respond_again(
        db, response, expected_version=response.version, user=withdrawn, now=utcnow()
    )
    db.commit()
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "response.withdrawn"))
    again = db.scalar(select(AuditEvent).where(AuditEvent.action == "response.restarted"))
    url = f"/admin/consultations/SSI-2017/responses/{response.id}"
    rows = dict(table_rows_of_summary(get_page(url), "#response-details"))
    assert rows["Status"] == (
        "Draft, started again after it was withdrawn: not counted until it is submitted"
    )
    assert rows["Withdrawn"] == f"{uk_datetime(event.at)} by {withdrawn.name} ({withdrawn.email})"
    assert rows["Started again"] == (
        f"{uk_datetime(again.at)} by {withdrawn.name} ({withdrawn.email})"
    )
    assert rows["Showing"] == f"The draft, as last saved {uk_datetime(response.updated_at)}"
    page = get_page(f"{url}?revision=1")
    assert dict(table_rows_of_summary(page, "#response-details"))["Showing"] == (
        "Revision 1 (withdrawn)"
    )
    assert [r[0] for r in table_rows(page, "#revisions")] == ["1 (withdrawn)"]
    assert page.select_one("#view-draft")["href"] == url
    page = get_page("/admin/consultations/SSI-2017/responses")
    assert [r[:2] for r in table_rows(page, "#category-3")] == [["Western Power", "Draft"]]


def test_a_submitted_response_has_no_withdrawn_row(db, arranged, signed_in, get_page):
    response = db.scalar(select(Response).where(Response.status == ResponseStatus.submitted))
    page = get_page(f"/admin/consultations/SSI-2017/responses/{response.id}")
    assert "Withdrawn" not in dict(table_rows_of_summary(page, "#response-details"))


def table_rows_of_summary(page, selector: str) -> list[tuple[str, str]]:
    return [
        (normalise(row.select_one("dt").text), normalise(row.select_one("dd").text))
        for row in page.select(f"{selector} .govuk-summary-list__row")
    ]


def test_the_reminder_page_says_when_the_last_reminder_was_sent(db, arranged, signed_in, get_page):
    page = get_page("/admin/consultations/SSI-2017/remind")
    assert "last sent" not in normalise(page.select_one("#explanation").text)
    get_page("/admin/consultations/SSI-2017/remind", method="post", follow_redirects=True)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "consultation.reminder_sent"))
    page = get_page("/admin/consultations/SSI-2017/remind")
    assert normalise(page.select_one("#explanation").text).endswith(
        f"A reminder was last sent at {uk_datetime(event.at)}, to 1 person."
    )


def test_the_deadline_reads_closed_once_it_has_passed(db, consultation, signed_in, get_page):
    rows = dict(
        table_rows_of_summary(
            get_page("/admin/consultations/SSI-2017/responses"), "#response-counts"
        )
    )
    assert rows["Closes"] == uk_datetime(consultation.closes_at)
    consultation.closes_at = utcnow() - timedelta(hours=1)
    db.commit()
    rows = dict(
        table_rows_of_summary(
            get_page("/admin/consultations/SSI-2017/responses"), "#response-counts"
        )
    )
    assert rows["Closed"] == uk_datetime(consultation.closes_at)
