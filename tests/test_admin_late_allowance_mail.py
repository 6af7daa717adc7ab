"""Granting a late allowance e-mails the organisation's respondents their new deadline,
as a deadline change: to those who accept such e-mails, or to all of them once their
organisation has started a response. Revoking one still in force tells the same people."""

from datetime import timedelta

import pytest

from consult.db import utcnow
from consult.filters import uk_datetime
from consult.models import PartyCategory, Role
from consult.responses import service as responses
from tests import factories
from tests.conftest import normalise
from tests.people_helpers import banner, link_in, outbox


@pytest.fixture
def signed_in(secas, login):
    login(secas)
    return secas


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017", status="closed")


def grant(get_page, organisation, until):
    return get_page(
        f"/admin/consultations/SSI-2017/organisations/{organisation.id}/late-allowance",
        method="post",
        data={
            "until_date": [str(until.day), str(until.month), str(until.year)],
            "until_time": "17:00",
            "reason": "Their system was down",
        },
        follow_redirects=True,
    )


def test_the_organisations_respondents_are_emailed_their_new_deadline(
    db, consultation, organisation, respondent, colleague, other_respondent, signed_in, get_page
):
    until = utcnow() + timedelta(days=5)
    page = grant(get_page, organisation, until)
    messages = outbox(db, "late_allowance")
    assert sorted(m.to_address for m in messages) == sorted([respondent.email, colleague.email])
    message = messages[0]
    assert message.subject == f"Late response allowed: SSI-2017 {consultation.title}"
    assert f"may submit or amend its response until 5pm on {until.day} " in message.body
    assert uk_datetime(consultation.closes_at) in message.body
    assert link_in(message) == "/consultations/SSI-2017/respond"
    assert message.consultation_id == consultation.id
    assert banner(page).endswith("2 people are e-mailed the new deadline.")


def test_someone_who_opted_out_of_deadline_changes_is_not_emailed(
    db, consultation, organisation, respondent, colleague, signed_in, get_page
):
    colleague.notify_reminders = False
    db.commit()
    grant(get_page, organisation, utcnow() + timedelta(days=5))
    assert [m.to_address for m in outbox(db, "late_allowance")] == [respondent.email]


def test_everyone_is_emailed_once_their_organisation_has_started_a_response(
    db, organisation, respondent, colleague, signed_in, get_page
):
    consultation = factories.make_consultation(db, "SSI-2017")
    factories.make_response(db, consultation, respondent, submit=False)
    consultation.closes_at = utcnow() - timedelta(hours=1)
    colleague.notify_reminders = False
    db.commit()
    grant(get_page, organisation, utcnow() + timedelta(days=5))
    addresses = sorted(m.to_address for m in outbox(db, "late_allowance"))
    assert addresses == sorted([respondent.email, colleague.email])


def test_the_banner_says_when_no_one_is_emailed(db, consultation, signed_in, get_page):
    lonely = factories.make_organisation(db, "Lonely Energy", PartyCategory.small_supplier)
    factories.make_user(db, Role.respondent, organisation=lonely).active = False
    db.commit()
    page = grant(get_page, lonely, utcnow() + timedelta(days=5))
    assert banner(page).endswith(
        "No one at Lonely Energy is e-mailed: it has no active users who accept e-mails about "
        "deadline changes."
    )
    assert outbox(db, "late_allowance") == []


def revoke(get_page, organisation):
    url = f"/admin/consultations/SSI-2017/organisations/{organisation.id}/late-allowance/revoke"
    return get_page(
        url, method="post", data={"reason": "Sent in time after all"}, follow_redirects=True
    )


def test_revoking_an_allowance_tells_those_who_were_told_of_it(
    db, consultation, organisation, respondent, colleague, other_respondent, signed_in, get_page
):
    until = utcnow() + timedelta(days=5)
    grant(get_page, organisation, until)
    page = revoke(get_page, organisation)
    assert banner(page) == (
        "Success British Gas’s late allowance is revoked. 2 people are e-mailed that it is revoked."
    )
    messages = outbox(db, "late_allowance_revoked")
    assert sorted(m.to_address for m in messages) == sorted([respondent.email, colleague.email])
    message = messages[0]
    assert message.subject == f"Late allowance revoked: SSI-2017 {consultation.title}"
    assert (
        f"SECAS has revoked the late allowance that let British Gas respond to "
        f"{consultation.title} (SSI-2017) until 5pm on {until.day} "
    ) in message.body
    assert (
        f"The consultation closed to everyone at {uk_datetime(consultation.closes_at)}, so "
        "your organisation can no longer submit, amend or withdraw its response."
    ) in message.body
    assert link_in(message) == "/consultations/SSI-2017"


def test_revoking_an_allowance_while_open_says_the_usual_deadline_stands(
    db, organisation, respondent, signed_in, get_page
):
    consultation = factories.make_consultation(db, "SSI-2017")
    grant(get_page, organisation, consultation.closes_at + timedelta(days=5))
    revoke(get_page, organisation)
    [message] = outbox(db, "late_allowance_revoked")
    assert (
        "Your organisation may respond until the consultation closes at "
        f"{uk_datetime(consultation.closes_at)}, as everyone else may."
    ) in message.body


def test_revoking_an_allowance_already_over_emails_no_one(
    db, consultation, organisation, respondent, signed_in, get_page
):
    factories.grant_late_allowance(db, consultation, organisation, utcnow() - timedelta(hours=1))
    page = revoke(get_page, organisation)
    assert banner(page) == "Success British Gas’s late allowance is revoked."
    assert outbox(db, "late_allowance_revoked") == []


def test_revoking_an_allowance_the_deadline_has_overtaken_emails_no_one(
    db, organisation, respondent, signed_in, get_page
):
    consultation = factories.make_consultation(db, "SSI-2017")
    grant(get_page, organisation, consultation.closes_at + timedelta(days=2))
    consultation.closes_at += timedelta(days=5)  # extended past the allowance
    db.commit()
    url = f"/admin/consultations/SSI-2017/organisations/{organisation.id}/late-allowance/revoke"
    explanation = normalise(get_page(url).select_one("#explanation").text)
    assert explanation.startswith(
        "British Gas’s late allowance gives it no more time than anyone else: it ends at "
    )
    assert explanation.endswith("Revoking it only removes it from the list.")
    page = revoke(get_page, organisation)
    assert banner(page) == "Success British Gas’s late allowance is revoked."
    assert outbox(db, "late_allowance_revoked") == []


def test_the_revoke_page_says_who_will_be_emailed(
    db, consultation, organisation, signed_in, get_page
):
    factories.grant_late_allowance(db, consultation, organisation, utcnow() + timedelta(days=2))
    url = f"/admin/consultations/SSI-2017/organisations/{organisation.id}/late-allowance/revoke"
    assert normalise(get_page(url).select_one("#explanation").text) == (
        "British Gas will no longer be able to submit to SSI-2017 from now: it closed at "
        f"{uk_datetime(consultation.closes_at)}. Its respondents who were told of the allowance "
        "will be e-mailed."
    )


def test_the_revoke_page_warns_that_a_draft_would_never_count(
    db, organisation, respondent, signed_in, get_page
):
    consultation = factories.make_consultation(db, "SSI-2017")
    factories.make_response(db, consultation, respondent, submit=False)
    consultation.closes_at = utcnow() - timedelta(hours=1)
    factories.grant_late_allowance(db, consultation, organisation, utcnow() + timedelta(days=2))
    url = f"/admin/consultations/SSI-2017/organisations/{organisation.id}/late-allowance/revoke"
    assert normalise(get_page(url).select_one("#explanation").text).endswith(
        "Its response is a draft that has not been submitted: it will not count."
    )


def test_the_revoke_page_warns_that_a_response_started_again_would_never_count(
    db, organisation, respondent, signed_in, get_page
):
    consultation = factories.make_consultation(db, "SSI-2017")
    response = factories.make_response(db, consultation, respondent)
    now = factories.while_open(consultation)
    responses.withdraw(db, response, expected_version=response.version, user=respondent, now=now)
    responses.respond_again(
        db, response, expected_version=response.version, user=respondent, now=now
    )
    consultation.closes_at = utcnow() - timedelta(hours=1)
    factories.grant_late_allowance(db, consultation, organisation, utcnow() + timedelta(days=2))
    url = f"/admin/consultations/SSI-2017/organisations/{organisation.id}/late-allowance/revoke"
    assert normalise(get_page(url).select_one("#explanation").text).endswith(
        "Its response was withdrawn and started again, and has not been submitted since: it "
        "will not count."
    )
