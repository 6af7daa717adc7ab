"""Notices by e-mail: a consultation opening, reminders before close, deadline extended or
closed early.

Each is queued once per consultation per person, only to active respondents of active
organisations who have not opted out.
"""

from datetime import timedelta

import pytest

from consult.admin import notifications
from consult.consultations import service as lifecycle
from consult.db import session_scope, utcnow
from consult.errors import InvalidInput
from consult.filters import uk_datetime
from consult.models import PartyCategory, Role
from consult.responses import service as responses
from tests import factories
from tests.conftest import BACKEND, normalise
from tests.people_helpers import link_in, outbox


@pytest.fixture
def run(app):
    def send_notifications():
        result = app.test_cli_runner().invoke(args=["send-notifications"])
        assert result.exit_code == 0, result.output
        return result.output.strip()

    return send_notifications


def test_an_open_consultation_is_announced_once_to_each_respondent(db, respondent, colleague, run):
    consultation = factories.make_consultation(db, "SSI-2017")
    assert run() == "Queued 2 'now open' notices and 0 reminders."
    messages = outbox(db, "opened")
    assert sorted(m.to_address for m in messages) == sorted([respondent.email, colleague.email])
    assert messages[0].consultation_id == consultation.id
    assert link_in(messages[0]) == "/consultations/SSI-2017"
    assert run() == "Queued 0 'now open' notices and 0 reminders."


def test_no_notice_for_drafts_upcoming_or_closed_consultations(db, respondent, run):
    for status in ("draft", "upcoming", "closed"):
        factories.make_consultation(db, status=status)
    run()
    assert outbox(db, "opened") == []


def test_opted_out_deactivated_and_non_respondents_get_no_notice(
    db, respondent, colleague, other_respondent, panel, secas, run
):
    respondent.notify_new_consultations = False
    colleague.active = False
    other_respondent.organisation.active = False
    db.commit()
    factories.make_consultation(db)
    run()
    assert outbox(db, "opened") == []


def test_a_respondent_added_later_is_told_on_the_next_run(db, respondent, organisation, run):
    factories.make_consultation(db)
    run()
    newcomer = factories.make_user(db, Role.respondent, organisation=organisation)
    run()
    assert [m.to_address for m in outbox(db, "opened")] == [respondent.email, newcomer.email]


@pytest.fixture
def closing_soon(db):
    now = utcnow()
    consultation = factories.make_consultation(db, "SOON-1")
    consultation.closes_at = now + timedelta(days=2)
    db.commit()
    return consultation


def test_a_reminder_goes_before_close_to_those_yet_to_submit_once(
    db, closing_soon, respondent, other_respondent, run
):
    factories.make_response(db, closing_soon, respondent)
    run()
    reminders = outbox(db, "reminder")
    assert [m.to_address for m in reminders] == [other_respondent.email]
    assert "SOON-1" in reminders[0].subject
    run()
    assert len(outbox(db, "reminder")) == 1


def test_no_reminder_while_close_is_further_off_than_configured(db, respondent, run):
    factories.make_consultation(db)  # closes in 7 days; reminders go 3 days before
    run()
    assert outbox(db, "reminder") == []


def test_the_reminder_horizon_is_configurable(app, db, respondent, run):
    app.config["REMINDER_DAYS_BEFORE_CLOSE"] = 8
    factories.make_consultation(db)
    run()
    assert [m.to_address for m in outbox(db, "reminder")] == [respondent.email]


def test_opting_out_of_reminders_is_respected(db, closing_soon, respondent, run):
    respondent.notify_reminders = False
    db.commit()
    run()
    assert outbox(db, "reminder") == []


def test_a_manual_reminder_does_not_stop_the_automatic_one(db, closing_soon, respondent, app, run):
    with app.app_context(), session_scope(app) as session:
        notifications.send_reminder_now(session, closing_soon, utcnow(), None)
    run()
    assert len(outbox(db, "manual_reminder")) == 1
    assert len(outbox(db, "reminder")) == 1


def test_deadline_extended_tells_respondents_with_the_old_and_new_dates(
    app, db, respondent, other_respondent
):
    consultation = factories.make_consultation(db, "EXT-1")
    other_respondent.notify_reminders = False  # opted out, and not engaged: not told
    db.commit()
    previous = consultation.closes_at
    consultation.closes_at = previous + timedelta(days=7)
    with app.app_context():
        count = notifications.queue_deadline_extended(db, consultation, previous)
    db.commit()
    assert count == 1
    [message] = outbox(db, "deadline_extended")
    assert message.to_address == respondent.email
    assert "has been extended from" in message.body


def test_an_extension_and_a_reopening_say_what_happened_and_why(app, db, secas, respondent):
    consultation = factories.make_consultation(db, "EXT-1")
    first = consultation.closes_at
    with app.app_context():
        lifecycle.extend(
            db, consultation, first + timedelta(days=7), "Late papers", utcnow(), secas.id
        )
    db.commit()
    [extended] = outbox(db, "deadline_extended")
    assert extended.subject == f"Deadline extended: EXT-1 {consultation.title}"
    assert f"extended from {uk_datetime(first)} to {uk_datetime(first + timedelta(days=7))}" in (
        extended.body
    )
    assert "\n\nReason: Late papers\n\n" in extended.body

    closed = factories.make_consultation(db, "RE-1", status="closed")
    was = closed.closes_at
    later = utcnow() + timedelta(days=10)
    with app.app_context():
        lifecycle.reopen(db, closed, later, "A Party's system was down", utcnow(), secas.id)
    db.commit()
    [reopened] = outbox(db, "reopened")
    assert reopened.subject == f"Reopened: RE-1 {closed.title}"
    assert (
        f"SECAS has reopened {closed.title} (RE-1), which closed at {uk_datetime(was)}. "
        f"Responses can be submitted, amended and withdrawn again until {uk_datetime(later)}."
    ) in reopened.body
    assert "Reason: A Party's system was down" in reopened.body
    assert len(outbox(db, "deadline_extended")) == 1


def test_an_engaged_organisation_hears_of_an_extension_even_if_opted_out(app, db, respondent):
    consultation = factories.make_consultation(db)
    factories.make_response(db, consultation, respondent, submit=False)
    respondent.notify_reminders = False
    db.commit()
    with app.app_context():
        notifications.queue_deadline_extended(db, consultation, consultation.closes_at)
    db.commit()
    assert [m.to_address for m in outbox(db, "deadline_extended")] == [respondent.email]


def extend_by_a_week(app, db, consultation, secas) -> None:
    """SECAS extends the deadline by a week, as the console does."""
    with app.app_context():
        from consult.consultations import service as lifecycle

        later = consultation.closes_at + timedelta(days=7)
        lifecycle.extend(db, consultation, later, "Late papers", utcnow(), secas.id)
    db.commit()


def test_extending_through_the_console_queues_the_deadline_notice(app, db, secas, respondent):
    extend_by_a_week(app, db, factories.make_consultation(db, "EXT-2"), secas)
    [message] = outbox(db, "deadline_extended")
    assert message.to_address == respondent.email


def test_extending_a_consultation_before_it_opens_emails_no_one(app, db, secas, respondent):
    extend_by_a_week(app, db, factories.make_consultation(db, "EXT-3", status="upcoming"), secas)
    assert outbox(db, "deadline_extended") == []


def test_closing_early_tells_those_planning_around_the_deadline_but_not_the_late_allowed(
    db, secas, respondent, other_respondent, login, get_page
):
    consultation = factories.make_consultation(db, "EARLY-1")
    previous = consultation.closes_at
    late = factories.make_organisation(db, "Western Power", PartyCategory.electricity_network)
    allowed = factories.make_user(db, Role.respondent, organisation=late)
    factories.grant_late_allowance(db, consultation, late, previous + timedelta(days=1))
    other_respondent.notify_reminders = False  # opted out, and not engaged: not told
    db.commit()
    login(secas)
    page = get_page("/admin/consultations/EARLY-1/close")
    assert "will be e-mailed that it closed early" in normalise(page.text)
    page = get_page("/admin/consultations/EARLY-1/close", method="post", follow_redirects=True)
    assert "1 person is e-mailed that it closed early." in normalise(page.text)
    [message] = outbox(db, "closed_early")
    assert message.to_address == respondent.email
    assert message.subject == f"Closed early: EARLY-1 {consultation.title}"
    closed = db.get(type(consultation), consultation.id).closes_at
    assert (
        f"SECAS closed {consultation.title} (EARLY-1) at {uk_datetime(closed)}, before its "
        f"deadline of {uk_datetime(previous)}."
    ) in message.body
    assert "Your organisation's draft response was not submitted" not in message.body
    assert notifications.NO_RESPONSE in message.body
    assert link_in(message) == "/consultations/EARLY-1"
    assert allowed.email not in [m.to_address for m in outbox(db)]


@pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="on SQLite a request that writes holds the write lock from its start: two "
    "closes never overlap",
)
def test_two_people_closing_at_once_close_it_and_email_once(app, db, secas, respondent):
    consultation = factories.make_consultation(db, "EARLY-2")
    assert consultation.closes_at > utcnow()  # loaded, open, in this session
    with session_scope(app) as colleague:
        other = colleague.get(type(consultation), consultation.id)
        with app.test_request_context():
            lifecycle.close_now(colleague, other, utcnow(), secas.id)
    with app.test_request_context(), pytest.raises(InvalidInput, match="is not open"):
        lifecycle.close_now(db, consultation, utcnow(), secas.id)
    db.rollback()
    assert len(outbox(db, "closed_early")) == 1


def test_closing_early_tells_each_organisation_where_its_response_stands(app, db, secas):
    consultation = factories.make_consultation(db, "EARLY-3")
    people = {
        name: factories.make_user(
            db, Role.respondent, organisation=factories.make_organisation(db, name)
        )
        for name in ("Submitted Energy", "Withdrawn Energy", "Restarted Energy", "Draft Energy")
    }
    now = factories.while_open(consultation)

    def respond(name: str, **kwargs):
        return factories.make_response(db, consultation, people[name], **kwargs)

    submitted = respond("Submitted Energy")
    withdrawn = respond("Withdrawn Energy")
    who = people["Withdrawn Energy"]
    responses.withdraw(db, withdrawn, expected_version=withdrawn.version, user=who, now=now)
    restarted = respond("Restarted Energy")
    who = people["Restarted Energy"]
    responses.withdraw(db, restarted, expected_version=restarted.version, user=who, now=now)
    responses.respond_again(db, restarted, expected_version=restarted.version, user=who, now=now)
    respond("Draft Energy", submit=False)
    db.commit()
    with app.test_request_context():
        lifecycle.close_now(db, consultation, utcnow(), secas.id)
    db.commit()
    told = {m.to_address: m.body for m in outbox(db, "closed_early")}
    expected = {
        "Submitted Energy": f"Your organisation's response {submitted.receipt} counts as it was "
        "last submitted; changes saved since and not submitted do not.",
        "Withdrawn Energy": f"Your organisation withdrew its response {withdrawn.receipt}: it "
        "does not count.",
        "Restarted Energy": f"Your organisation withdrew its response {restarted.receipt}, then "
        "started it again but did not submit it: it does not count.",
        "Draft Energy": "Your organisation's draft response was not submitted: it does not count.",
    }
    for name, said in expected.items():
        assert said in told[people[name].email], name
