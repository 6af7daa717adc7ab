"""The respondent's journey through the web pages: questions, check answers, submit."""

import pytest
from bs4 import BeautifulSoup

from consult.filters import uk_datetime
from consult.models import ResponseStatus
from tests import factories
from tests.conftest import normalise
from tests.responses_helpers import (
    QUESTIONS,
    answer_all,
    error_summary,
    respond_url,
    response_url,
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


def test_starting_a_response_shows_the_whole_consultation_as_one_task(
    get_page, consultation, signed_in
):
    page = get_page(respond_url(consultation))
    assert normalise(page.select_one("h1").text) == "Your organisation’s response"
    [task] = page.select("#sections .govuk-task-list__item")
    assert normalise(task.select_one("a").text) == "Answer the questions"
    assert task.select_one("a")["href"].endswith(respond_url(consultation, "q1"))
    assert normalise(task.select_one(".govuk-task-list__status").text) == "Not started"


def test_single_choice_question_is_radios_under_a_legend_with_hint_and_rationale(
    get_page, consultation, signed_in
):
    page = get_page(respond_url(consultation, "q1"))
    legend = page.select_one("fieldset legend h1")
    assert normalise(legend.text) == "Do you agree with the proposed new end date?"
    assert normalise(page.select_one("#answer-hint").text) == "The DCC proposes 31 October 2017."
    radios = page.select("input[type=radio][name=answer]")
    assert [r["value"] for r in radios] == ["Yes", "No", "Neutral"]
    assert normalise(page.select_one("label[for=rationale]").text) == (
        "Please provide your rationale"
    )
    assert normalise(page.select_one(".govuk-caption-l").text) == "Question 1 of 4"


def test_multiple_choice_question_is_checkboxes_under_a_legend(get_page, consultation, signed_in):
    page = get_page(respond_url(consultation, "q2"))
    assert normalise(page.select_one("fieldset legend").text) == (
        "Which of your systems are affected?"
    )
    boxes = page.select("input[type=checkbox][name=answer]")
    assert [b["value"] for b in boxes] == ["Metering", "Billing", "Customer service"]
    assert page.select_one("#rationale") is None


def test_text_question_with_a_limit_has_a_character_count(get_page, consultation, signed_in):
    page = get_page(respond_url(consultation, "q3"))
    assert normalise(page.select_one("label[for=answer]").text) == (
        "What would the impact be on your organisation?"
    )
    assert page.select_one("textarea#answer")
    count = page.select_one("[data-module=govuk-character-count]")
    assert count["data-maxlength"] == "500"


def test_text_question_without_a_limit_is_a_plain_textarea(get_page, consultation, signed_in):
    page = get_page(respond_url(consultation, "q4"))
    assert page.select_one("textarea#answer")
    assert page.select_one("[data-module=govuk-character-count]") is None
    assert "(optional)" in normalise(page.select_one(".govuk-caption-l").text)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("q1", "Select an answer to question 1"),
        ("q2", "Select at least one option for question 2"),
        ("q3", "Enter your answer to question 3"),
    ],
)
def test_required_question_left_blank_shows_the_error_summary(
    get_page, consultation, signed_in, key, message
):
    page = get_page(
        respond_url(consultation, key),
        method="post",
        data={"version": "0", "action": "continue", "answer": "   " if key == "q3" else None},
    )
    assert error_summary(page) == [message]
    assert page.select_one(".govuk-error-summary a")["href"] == "#answer"
    assert normalise(page.select_one(".govuk-error-message").text) == f"Error: {message}"
    assert page.select_one("title").text.startswith("Error: ")


def test_optional_question_can_be_left_blank(client, consultation, signed_in):
    response = client.post(
        respond_url(consultation, "q4"), data={"version": "0", "action": "continue"}
    )
    assert response.status_code == 302
    assert response.location.endswith(respond_url(consultation, "confidentiality"))


def test_save_and_continue_goes_to_the_next_question(client, consultation, signed_in):
    response = client.post(
        respond_url(consultation, "q1"),
        data={"version": "0", "action": "continue", "answer": "No", "rationale": "Too late."},
    )
    assert response.location.endswith(respond_url(consultation, "q2"))


def test_draft_is_kept_between_visits(client, get_page, db, consultation, signed_in):
    client.post(
        respond_url(consultation, "q1"),
        data={"version": "0", "action": "later", "answer": "No", "rationale": "Too late."},
    )
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": signed_in.email, "password": factories.PASSWORD})
    page = get_page(respond_url(consultation, "q1"))
    assert page.select_one("input[name=answer][value=No]").has_attr("checked")
    assert page.select_one("#rationale").text == "Too late."
    assert stored_response(db, consultation, signed_in.organisation_id).status is (
        ResponseStatus.draft
    )


def test_save_and_come_back_later_returns_to_the_task_list(
    client, get_page, consultation, signed_in
):
    response = client.post(
        respond_url(consultation, "q1"),
        data={"version": "0", "action": "later", "answer": "Yes"},
    )
    assert response.location.endswith(respond_url(consultation))
    page = get_page(response.location)
    banner = normalise(page.select_one(".govuk-notification-banner").text)
    assert "Your answers have been saved" in banner
    assert page.select_one("#sections")


def test_save_and_come_back_later_does_not_insist_on_required_answers(
    client, consultation, signed_in
):
    response = client.post(
        respond_url(consultation, "q1"), data={"version": "0", "action": "later"}
    )
    assert response.status_code == 302


def test_continuing_links_to_the_first_unanswered_question(
    client, get_page, consultation, signed_in
):
    client.post(
        respond_url(consultation, "q1"),
        data={"version": "0", "action": "later", "answer": "Yes"},
    )
    page = get_page(respond_url(consultation))
    task = page.select_one("#sections .govuk-task-list__item")
    assert task.select_one("a")["href"].endswith(respond_url(consultation, "q2"))
    assert normalise(task.select_one(".govuk-task-list__status").text) == "In progress"


def test_colleague_sees_and_continues_the_same_draft(
    app, client, get_page, login, consultation, signed_in, colleague
):
    client.post(
        respond_url(consultation, "q1"),
        data={"version": "0", "action": "later", "answer": "Neutral"},
    )
    other_client = app.test_client()
    login(colleague, other_client)
    html = other_client.get(respond_url(consultation, "q1")).get_data(as_text=True)
    assert 'value="Neutral" checked' in html
    tasks = BeautifulSoup(
        other_client.get(respond_url(consultation)).get_data(as_text=True), "html.parser"
    )
    link = tasks.select_one("#sections .govuk-task-list__item a")
    assert link["href"].endswith(respond_url(consultation, "q2"))
    assert f"Last saved by {signed_in.name}" in normalise(tasks.select_one("#last-saved").text)


def test_confidentiality_question_is_required(get_page, consultation, signed_in):
    page = get_page(
        respond_url(consultation, "confidentiality"), method="post", data={"version": "0"}
    )
    assert error_summary(page) == ["Select yes if your response is confidential"]
    assert normalise(page.select_one("legend").text) == "Is your response confidential?"
    hint = normalise(page.select_one("#confidential-hint").text)
    assert "shown to SECAS and the Panel, but anonymised in anything published" in hint


def test_check_answers_lists_every_answer_with_change_links(
    client, get_page, consultation, signed_in
):
    answer_all(client, consultation, confidential="yes")
    page = get_page(respond_url(consultation, "check"))
    rows = summary_rows(page, "answers")
    assert rows == {
        "1. Do you agree with the proposed new end date?": (
            "Yes Please provide your rationale We support the new date."
        ),
        "2. Which of your systems are affected?": "Metering; Billing",
        "3. What would the impact be on your organisation?": (
            "Little impact: our SSI users are few."
        ),
        "4. Do you have any other comments?": "Not answered",
    }
    assert summary_rows(page, "confidentiality") == {"Is your response confidential?": "Yes"}
    change = page.select("#answers .govuk-summary-list__actions a")
    assert [normalise(a.text) for a in change][0] == "Change your answer to question 1"
    assert change[0].select_one(".govuk-visually-hidden")
    assert change[0]["href"].endswith(respond_url(consultation, "q1") + "?change=1")
    assert normalise(page.select_one("button#submit").text) == "Submit response"


def test_change_link_returns_to_check_answers(client, consultation, signed_in):
    answer_all(client, consultation)
    page = client.get(respond_url(consultation, "q2") + "?change=1").get_data(as_text=True)
    version = version_on(BeautifulSoup(page, "html.parser"))
    response = client.post(
        respond_url(consultation, "q2") + "?change=1",
        data={"version": version, "action": "continue", "answer": ["Billing"]},
    )
    assert response.location.endswith(respond_url(consultation, "check"))


def test_back_from_a_change_link_returns_to_check_answers(
    get_page, client, consultation, signed_in
):
    answer_all(client, consultation)
    check = get_page(respond_url(consultation, "check"))
    for link in (
        "Change your answer to question 2",
        "Change whether your response is confidential",
    ):
        change = check.find(lambda tag, name=link: tag.name == "a" and normalise(tag.text) == name)
        page = get_page(change["href"])
        assert page.select_one(".govuk-back-link")["href"] == respond_url(consultation, "check")


def test_all_answered_opens_check_and_submit(client, get_page, consultation, signed_in):
    answer_all(client, consultation)
    page = get_page(respond_url(consultation))
    assert normalise(page.select_one("#sections .govuk-task-list__status").text) == "Completed"
    check = page.select("#submit-tasks .govuk-task-list__item")[-1]
    assert check.select_one("a")["href"].endswith(respond_url(consultation, "check"))


def test_submitting_with_required_answers_missing_lists_them(
    client, get_page, consultation, signed_in
):
    client.post(
        respond_url(consultation, "q1"),
        data={"version": "0", "action": "later", "answer": "Yes"},
    )
    page = get_page(respond_url(consultation, "check"))
    page = get_page(
        respond_url(consultation, "check"),
        method="post",
        data={"version": version_on(page), "declaration": "y"},
    )
    assert error_summary(page) == [
        "Answer question 2: Which of your systems are affected?",
        "Answer question 3: What would the impact be on your organisation?",
    ]
    links = [a["href"] for a in page.select(".govuk-error-summary a")]
    assert links[0].endswith(respond_url(consultation, "q2") + "?change=1")


def test_submitting_gives_a_receipt_on_the_confirmation_page(
    client, get_page, consultation, signed_in
):
    answer_all(client, consultation)
    response = submit(client, consultation)
    assert response.location.endswith(respond_url(consultation, "confirmation"))
    page = get_page(response.location)
    assert normalise(page.select_one(".govuk-panel__title").text) == "Response submitted"
    assert normalise(page.select_one(".govuk-panel__body").text) == (
        "Your receipt reference SSI-2017-R0001"
    )
    assert page.select_one(".govuk-panel__body strong").text == "SSI-2017-R0001"
    assert f"We have sent a receipt to {signed_in.email}" in normalise(page.text)


def test_submitted_response_page_shows_the_receipt_and_answers(
    client, get_page, consultation, signed_in
):
    answer_all(client, consultation, confidential="yes")
    submit(client, consultation)
    page = get_page(response_url(consultation))
    details = summary_rows(page, "response-details")
    assert details["Receipt reference"] == "SSI-2017-R0001"
    assert details["Revision"] == "1"
    assert details["Confidential"] == "Yes"
    assert details["Late"] == "No"
    assert details["Status"] == "Submitted"
    answers = summary_rows(page, "answers")
    assert answers["2. Which of your systems are affected?"] == "Metering; Billing"
    assert page.select_one("a#amend")
    assert page.select_one("a#withdraw")


def test_amending_keeps_the_first_revision_and_adds_a_second(
    client, get_page, consultation, signed_in
):
    answer_all(client, consultation)
    submit(client, consultation)
    page = get_page(respond_url(consultation, "q1") + "?change=1")
    client.post(
        respond_url(consultation, "q1") + "?change=1",
        data={"version": version_on(page), "action": "continue", "answer": "No"},
    )
    assert "amending your submitted response" in normalise(
        get_page(respond_url(consultation)).select_one("#amending").text
    )
    before = get_page(response_url(consultation))
    assert summary_rows(before, "answers")["1. Do you agree with the proposed new end date?"] == (
        "Yes Please provide your rationale We support the new date."
    ), "the submitted revision must not show unsubmitted changes"
    submit(client, consultation)
    page = get_page(response_url(consultation))
    assert summary_rows(page, "response-details")["Revision"] == "2"
    assert summary_rows(page, "response-details")["Receipt reference"] == "SSI-2017-R0001"
    assert summary_rows(page, "answers")["1. Do you agree with the proposed new end date?"] == (
        "No"
    )
    history = [normalise(row.select("td")[0].text) for row in page.select("#revisions tbody tr")]
    assert history == ["2 (current)", "1"]


def test_the_task_list_says_submitted_until_something_changes(
    client, get_page, consultation, signed_in
):
    answer_all(client, consultation)
    submit(client, consultation)
    page = get_page(respond_url(consultation))
    assert page.select_one("#amending") is None
    assert normalise(page.select_one("#submitted").text) == (
        "Your organisation has submitted this response: SSI-2017-R0001. To amend it, change "
        "your answers here, then check and submit it again."
    )
    [*_, check] = page.select("#submit-tasks .govuk-task-list__item")
    assert normalise(check.select_one(".govuk-task-list__status").text) == "Submitted"


def test_check_answers_says_when_amending(client, get_page, consultation, signed_in):
    answer_all(client, consultation)
    submit(client, consultation)
    page = get_page(respond_url(consultation, "q1") + "?change=1")
    client.post(
        respond_url(consultation, "q1") + "?change=1",
        data={"version": version_on(page), "action": "continue", "answer": "No"},
    )
    page = get_page(respond_url(consultation, "check"))
    assert "amending your submitted response SSI-2017-R0001" in normalise(
        page.select_one("#amending").text
    )


def test_check_answers_says_submitted_while_nothing_changed(
    client, get_page, consultation, signed_in
):
    # As after the browser's Back from the confirmation page: submitting again would store
    # nothing, so the page must not say an amendment is under way.
    answer_all(client, consultation)
    submit(client, consultation)
    page = get_page(respond_url(consultation, "check"))
    assert page.select_one("#amending") is None
    assert normalise(page.select_one("#submitted").text) == (
        "Your organisation has submitted this response: SSI-2017-R0001, and nothing has "
        "changed since. To amend it, change your answers, then check and submit it again."
    )


def test_no_submitted_response_gives_a_friendly_page(get_page, consultation, signed_in):
    page = get_page(response_url(consultation))
    assert normalise(page.select_one("h1").text) == (
        "Your organisation has not submitted a response"
    )
    assert normalise(page.select_one("a#respond").text) == "Start your response"


def test_withdrawing_a_response(client, get_page, db, consultation, signed_in):
    answer_all(client, consultation)
    submit(client, consultation)
    page = get_page(f"{response_url(consultation)}/withdraw")
    assert normalise(page.select_one("h1").text) == (
        "Are you sure you want to withdraw your response?"
    )
    response = client.post(
        f"{response_url(consultation)}/withdraw", data={"version": version_on(page)}
    )
    assert response.location.endswith(response_url(consultation))
    page = get_page(response_url(consultation))
    assert summary_rows(page, "response-details")["Status"] == "Withdrawn"
    assert page.select_one("#withdrawn")
    assert page.select_one("a#amend") is None
    assert stored_response(db, consultation, signed_in.organisation_id).status is (
        ResponseStatus.withdrawn
    )


def test_the_withdrawn_response_says_at_what_time_it_was_withdrawn(
    client, get_page, db, consultation, signed_in
):
    answer_all(client, consultation)
    submit(client, consultation)
    page = get_page(f"{response_url(consultation)}/withdraw")
    client.post(f"{response_url(consultation)}/withdraw", data={"version": version_on(page)})
    withdrawn_at = stored_response(db, consultation, signed_in.organisation_id).updated_at
    page = get_page(response_url(consultation))
    assert normalise(page.select_one("#withdrawn .govuk-warning-text__text").text) == (
        f"Warning Your organisation withdrew this response at {uk_datetime(withdrawn_at)}. "
        "It is not counted in the summary for the Panel."
    )


def test_a_withdrawn_response_cannot_be_changed(client, get_page, consultation, signed_in):
    answer_all(client, consultation)
    submit(client, consultation)
    page = get_page(f"{response_url(consultation)}/withdraw")
    client.post(f"{response_url(consultation)}/withdraw", data={"version": version_on(page)})
    page = get_page(respond_url(consultation, "q1"))
    assert normalise(page.select_one("h1").text) == "Your response cannot be changed"


def test_answers_keep_what_was_typed_exactly(client, get_page, consultation, signed_in):
    text = "Line one\r\n  indented <b>not bold</b>\r\n"
    client.post(
        respond_url(consultation, "q3"),
        data={"version": "0", "action": "continue", "answer": text},
    )
    page = get_page(respond_url(consultation, "q3"))
    assert page.select_one("textarea#answer").text.strip("\n") == (
        "Line one\n  indented <b>not bold</b>"
    )
