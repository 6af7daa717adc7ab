"""The task list: sections answered in any order, their status, saving and coming back,
a colleague resuming, and what the page says about the deadline."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from consult.db import utcnow
from tests import factories
from tests.conftest import normalise
from tests.responses_helpers import QUESTIONS, add_sections, respond_url, save


@pytest.fixture
def consultation(db):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    add_sections(db, consultation, {"Your view": ["q1", "q2"], "Impact": ["q3", "q4"]})
    return consultation


@pytest.fixture
def signed_in(login, respondent):
    login(respondent)
    return respondent


def tasks(page) -> dict[str, str]:
    """The task list's sections as {title: status}."""
    return {
        normalise(item.select_one(".govuk-task-list__name-and-hint a").text): normalise(
            item.select_one(".govuk-task-list__status").text
        )
        for item in page.select("#sections .govuk-task-list__item")
    }


def test_task_list_shows_each_section_not_started(get_page, consultation, signed_in):
    page = get_page(respond_url(consultation))
    assert tasks(page) == {"Your view": "Not started", "Impact": "Not started"}
    submit_tasks = [
        normalise(item.select_one(".govuk-task-list__name-and-hint").text)
        for item in page.select("#submit-tasks .govuk-task-list__item")
    ]
    assert submit_tasks == [
        "Say whether your response is confidential",
        "Add supporting documents (optional)",
        "Check and submit your response",
    ]


def test_check_and_submit_cannot_start_until_everything_required_is_answered(
    get_page, consultation, signed_in
):
    page = get_page(respond_url(consultation))
    check = page.select("#submit-tasks .govuk-task-list__item")[-1]
    assert check.select_one("a") is None
    assert normalise(check.select_one(".govuk-task-list__status").text) == "Cannot start yet"


def test_sections_can_be_answered_in_any_order(client, get_page, consultation, signed_in):
    page = get_page(respond_url(consultation))
    impact = page.select("#sections .govuk-task-list__item a")[1]
    assert impact["href"].endswith(respond_url(consultation, "q3"))
    response = save(client, consultation, "q3", answer="Little impact.")
    assert response.location.endswith(respond_url(consultation, "q4"))
    response = save(client, consultation, "q4", answer="")
    assert response.location.endswith(respond_url(consultation)), "end of section: task list"
    assert tasks(get_page(respond_url(consultation))) == {
        "Your view": "Not started",
        "Impact": "Completed",
    }


def test_a_partly_answered_section_is_in_progress(client, get_page, consultation, signed_in):
    save(client, consultation, "q1", action="later", answer="Yes")
    assert tasks(get_page(respond_url(consultation)))["Your view"] == "In progress"


def test_save_and_come_back_later_returns_to_the_task_list(client, consultation, signed_in):
    response = save(client, consultation, "q3", action="later", answer="Half a thought")
    assert response.location.endswith(respond_url(consultation))


def test_question_page_names_its_section_and_goes_back_to_the_task_list(
    get_page, consultation, signed_in
):
    page = get_page(respond_url(consultation, "q3"))
    assert normalise(page.select_one("#section-title").text) == "Impact"
    assert page.select_one(".govuk-back-link")["href"].endswith(respond_url(consultation))


def test_a_colleague_resumes_where_the_first_left_off_and_sees_who_saved(
    app, login, client, consultation, signed_in, colleague
):
    save(client, consultation, "q1", action="later", answer="No", rationale="Too soon.")
    other = app.test_client()
    login(colleague, other)
    page = BeautifulSoup(other.get(respond_url(consultation)).get_data(as_text=True), "html.parser")
    first = page.select_one("#sections .govuk-task-list__item")
    assert first.select_one("a")["href"].endswith(respond_url(consultation, "q2"))
    assert f"Last saved by {signed_in.name} at" in normalise(first.text)
    question = BeautifulSoup(
        other.get(respond_url(consultation, "q1")).get_data(as_text=True), "html.parser"
    )
    assert question.select_one("input[name=answer][value=No]").has_attr("checked")
    assert question.select_one("#rationale").text == "Too soon."


def test_whole_consultation_without_sections_walks_on_to_confidentiality(client, db, signed_in):
    plain = factories.make_consultation(db, "PLAIN-1", questions=QUESTIONS[3:])
    response = save(client, plain, "q4", answer="")
    assert response.location.endswith(respond_url(plain, "confidentiality"))


def test_late_allowance_says_until_when(get_page, db, consultation, respondent, login):
    consultation.opens_at = datetime(2017, 6, 7, 8, 0, tzinfo=UTC)
    consultation.closes_at = utcnow() - timedelta(hours=1)
    db.commit()
    until = datetime(2099, 6, 23, 16, 0, tzinfo=UTC)
    factories.grant_late_allowance(db, consultation, respondent.organisation, until=until)
    login(respondent)
    page = get_page(respond_url(consultation))
    assert "You can still respond until 5pm on 23 June 2099 (late allowance)." in normalise(
        page.select_one("#deadline").text
    )


def test_without_an_allowance_a_closed_consultation_says_when_it_closed(
    get_page, db, consultation, signed_in
):
    consultation.opens_at = datetime(2017, 6, 7, 8, 0, tzinfo=UTC)
    consultation.closes_at = datetime(2017, 6, 21, 16, 0, tzinfo=UTC)
    db.commit()
    page = get_page(respond_url(consultation))
    assert normalise(page.select_one("h1").text) == "This consultation has closed"
    assert normalise(page.select_one("#not-open-reason").text).startswith(
        "This consultation closed at 5pm on 21 June 2017."
    )
    assert "late allowance" not in normalise(page.text)


def test_an_answer_whose_option_secas_removed_is_not_counted_as_done(
    client, get_page, db, consultation, signed_in
):
    save(client, consultation, "q1", answer="Neutral", rationale="Either date works.")
    save(client, consultation, "q2", answer=["Metering", "Billing"])
    assert tasks(get_page(respond_url(consultation)))["Your view"] == "Completed"
    # While the response is a draft, SECAS may change a question's options.
    q1, q2 = consultation.questions[:2]
    q1.options = ["Yes", "No"]
    q2.options = ["Metering", "Customer service"]
    db.commit()

    page = get_page(respond_url(consultation))
    assert tasks(page)["Your view"] == "In progress"
    assert page.select("#sections .govuk-task-list__item a")[0]["href"].endswith(
        respond_url(consultation, "q1")
    )
    page = get_page(respond_url(consultation, "q1"))
    assert normalise(page.select_one("#no-longer-offered").text) == (
        "The answer saved here, “Neutral”, is no longer one of the options: SECAS changed "
        "this question after it was saved. Answer it again."
    )
    save(client, consultation, "q1", answer="Yes", rationale="Either date works.")
    # q2 keeps "Metering", still offered, but "Billing" is gone: it needs a look too.
    page = get_page(respond_url(consultation, "q2"))
    assert "“Billing”, is no longer one of the options" in normalise(
        page.select_one("#no-longer-offered").text
    )
    assert tasks(get_page(respond_url(consultation)))["Your view"] == "In progress"
    save(client, consultation, "q2", answer=["Metering"])
    assert tasks(get_page(respond_url(consultation)))["Your view"] == "Completed"
    assert get_page(respond_url(consultation, "q2")).select_one("#no-longer-offered") is None
