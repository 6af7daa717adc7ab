"""An organisation's other respondents are e-mailed when one of them submits or withdraws
its response, unless they turned those e-mails off; the person who acted gets the receipt."""

import pytest

from consult.filters import uk_datetime
from consult.models import Role
from consult.responses.news import COLLEAGUE_SUBMITTED, COLLEAGUE_WITHDREW
from tests import factories
from tests.conftest import normalise
from tests.people_helpers import banner, outbox
from tests.responses_helpers import QUESTIONS, response_url, save, submit, version_on


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)


@pytest.fixture
def signed_in(login, respondent):
    login(respondent)
    return respondent


def test_colleagues_are_told_of_a_submission_and_the_submitter_gets_the_receipt(
    client, db, consultation, respondent, colleague, other_respondent, signed_in
):
    away = factories.make_user(db, Role.respondent, organisation=respondent.organisation)
    away.active = False
    db.commit()
    response = factories.make_response(db, consultation, respondent, submit=False)
    assert submit(client, consultation).status_code == 302

    [receipt] = outbox(db, "receipt")
    assert receipt.to_address == respondent.email
    [told] = outbox(db, COLLEAGUE_SUBMITTED)
    assert told.to_address == colleague.email  # not the inactive one, nor another organisation
    db.refresh(response)
    assert told.subject == f"Response submitted by {respondent.name}: {response.receipt}"
    assert told.body.startswith(
        f"Dear Colleague,\n\n{respondent.name} submitted British Gas's response to "
        f"{consultation.title} (SSI-2017) at {uk_datetime(response.current_revision.submitted_at)}."
    )
    assert f"Receipt reference: {response.receipt}" in told.body
    assert "This is the version that counts." in told.body
    assert "/consultations/SSI-2017/response" in told.body
    assert told.body.endswith(
        "You get this e-mail because you respond for British Gas on Consult. You can turn "
        "these e-mails off.\n\nTo change which e-mails you get, go to "
        "http://localhost/account/preferences"
    )


def test_an_amendment_names_its_revision(
    client, db, consultation, respondent, colleague, signed_in
):
    factories.make_response(db, consultation, respondent)
    save(client, consultation, "q3", answer="More impact than we thought.")
    assert submit(client, consultation).status_code == 302
    told = outbox(db, COLLEAGUE_SUBMITTED)
    assert len(told) == 2  # the first submission (by the factory), then the amendment
    assert "submitted a new version (revision 2) of British Gas's response" in told[-1].body


def test_colleagues_are_told_of_a_withdrawal(
    client, get_page, db, consultation, respondent, colleague, signed_in
):
    response = factories.make_response(db, consultation, respondent)
    page = get_page(f"{response_url(consultation)}/withdraw")
    withdrawn = client.post(
        f"{response_url(consultation)}/withdraw", data={"version": version_on(page)}
    )
    assert withdrawn.status_code == 302
    [told] = outbox(db, COLLEAGUE_WITHDREW)
    assert told.to_address == colleague.email
    assert told.subject == f"Response withdrawn by {respondent.name}: {response.receipt}"
    assert "It no longer counts." in told.body


def test_a_colleague_who_turned_them_off_is_not_told(
    client, get_page, login, db, consultation, respondent, colleague
):
    login(colleague)
    page = get_page(
        "/account/preferences",
        method="post",
        data={"emails": ["reminders"]},
        follow_redirects=True,
    )
    assert banner(page) == "Success Your email preferences are saved."
    db.refresh(colleague)
    assert not colleague.notify_colleagues
    factories.make_response(db, consultation, respondent)
    assert outbox(db, COLLEAGUE_SUBMITTED) == []
    assert len(outbox(db, "receipt")) == 1


def test_respondents_are_offered_the_choice_and_others_are_not(
    respondent, secas, login, get_page, client
):
    login(respondent)
    labels = [normalise(label.text) for label in get_page("/account/preferences").select("label")]
    assert "When a colleague submits or withdraws your organisation’s response" in labels
    client.post("/auth/logout")
    login(secas)
    page = get_page("/account/preferences")
    assert len(page.select("input[name=emails]")) == 2
    assert "colleague" not in normalise(page.select_one("main").text)
    page = get_page("/account/preferences", method="post", data={"emails": ["colleagues"]})
    assert page.select(".govuk-error-summary")
