"""The respondent's main path in a real browser, axe-core on every page: task list,
answer, save and come back, a colleague resumes in a second browser, check answers,
submit, amend and withdraw; and a question answered with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from consult.responses import service
from tests import factories
from tests.browser.helpers import follow
from tests.responses_helpers import QUESTIONS, add_sections


@pytest.fixture
def consultation(db):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    add_sections(db, consultation, {"Your view": ["q1", "q2"], "Impact": ["q3", "q4"]})
    return consultation


def sign_in(page, base_url: str, user) -> None:
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/auth/login).*$"))


def test_main_path_task_list_to_withdrawal_with_a_colleague(
    page, browser, base_url, consultation, respondent, colleague, assert_accessible
):
    respond = f"{base_url}/consultations/{consultation.reference}/respond"
    sign_in(page, base_url, respondent)
    page.goto(respond)
    expect(page.locator("#sections")).to_be_visible()
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Your view"))
    assert_accessible(page)
    page.get_by_label("Yes").check()
    page.get_by_label("Please provide your rationale").fill("We support the new date.")
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_url(respond)
    assert "Your answers have been saved" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    context = browser.new_context(bypass_csp=True)
    other = context.new_page()
    try:
        sign_in(other, base_url, colleague)
        other.goto(respond)
        assert f"Last saved by {respondent.name}" in other.locator("#sections").inner_text()
        assert "In progress" in other.locator("#sections").inner_text()
        other.get_by_role("link", name="Your view").click()
        assert "/respond/q2" in other.url
        other.get_by_label("Metering").check()
        other.get_by_role("button", name="Save and continue").click()
        other.wait_for_url(respond)
        other.get_by_role("link", name="Impact").click()
        other.get_by_label("What would the impact be on your organisation?").fill(
            "Little impact: “our SSI users are few” – 👍"
        )
        assert_accessible(other)
        other.get_by_role("button", name="Save and continue").click()
        other.wait_for_url(f"{respond}/q4")
        other.get_by_role("button", name="Save and continue").click()
        other.wait_for_url(respond)
        follow(other, other.get_by_role("link", name="Say whether your response is confidential"))
        assert_accessible(other)
        other.get_by_label("No").check()
        other.get_by_role("button", name="Save and continue").click()
        other.wait_for_url(f"{respond}/check")
        assert "Check your answers" in other.locator("h1").inner_text()
        assert_accessible(other)
        other.get_by_label("I confirm I am authorised to respond on behalf of British Gas").check()
        other.get_by_role("button", name="Submit response").click()
        other.wait_for_url(f"{respond}/confirmation")
        assert other.locator("#receipt").inner_text() == "SSI-2017-R0001"
        assert_accessible(other)
    finally:
        context.close()

    page.goto(f"{base_url}/consultations/{consultation.reference}/response")
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Amend your response"))
    assert_accessible(page)
    page.get_by_role("link", name="Check and submit your response").click()
    page.get_by_role("link", name="Change your answer to question 1").click()
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"{respond}/check")
    page.get_by_label("I confirm I am authorised to respond on behalf of British Gas").check()
    page.get_by_role("button", name="Submit response").click()
    page.wait_for_url(f"{respond}/confirmation")
    follow(page, page.get_by_role("link", name="View your submitted response"))
    assert "2 (current)" in page.locator("#revisions").inner_text()
    follow(page, page.locator("a#withdraw"))
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw response").click()
    expect(page.locator("#withdrawn")).to_be_visible()
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Your responses"))
    assert "Withdrawn" in page.locator("#my-responses").inner_text()
    assert_accessible(page)


def test_supporting_documents_page_passes_axe(
    page, base_url, consultation, respondent, assert_accessible, tmp_path
):
    sign_in(page, base_url, respondent)
    page.goto(f"{base_url}/consultations/{consultation.reference}/respond/attachments")
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Upload file"))
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    evidence = tmp_path / "evidence.csv"
    evidence.write_text("Category,Cost\nMetering,1200\n")
    page.get_by_label("Upload a file").set_input_files(str(evidence))
    follow(page, page.get_by_role("button", name="Upload file"))
    assert page.locator("#attached-files").inner_text().startswith("evidence.csv")
    assert_accessible(page)


def test_a_question_answered_with_the_keyboard_alone(page, base_url, consultation, respondent):
    sign_in(page, base_url, respondent)
    page.goto(f"{base_url}/consultations/{consultation.reference}/respond")
    page.get_by_role("link", name="Your view").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_label("Yes").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # leaves the radio group for the rationale
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # on "Save and continue"
    assert page.url.endswith("/respond/q2")
    page.goto(f"{base_url}/consultations/{consultation.reference}/respond/q1")
    expect(page.get_by_label("Yes")).to_be_checked()
    assert page.get_by_label("Please provide your rationale").input_value() == (
        "Typed without a mouse."
    )


def test_a_withdrawn_response_started_again_and_submitted(
    page, db, base_url, consultation, respondent, assert_accessible
):
    response = factories.make_response(db, consultation, respondent)
    now = factories.while_open(consultation)
    service.withdraw(db, response, expected_version=response.version, user=respondent, now=now)
    db.commit()
    respond = f"{base_url}/consultations/{consultation.reference}/respond"
    sign_in(page, base_url, respondent)
    page.goto(f"{base_url}/consultations/{consultation.reference}/response")
    expect(page.locator("#withdrawn")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start this response again").click()
    page.wait_for_url(respond)
    assert "is a draft again" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    page.goto(f"{base_url}/consultations/{consultation.reference}/response")
    expect(page.locator("#restarted")).to_be_visible()
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Continue your response"))
    page.get_by_role("link", name="Check and submit your response").click()
    page.get_by_label("I confirm I am authorised to respond on behalf of British Gas").check()
    page.get_by_role("button", name="Submit response").click()
    page.wait_for_url(f"{respond}/confirmation")
    assert page.locator("#receipt").inner_text() == response.receipt
    follow(page, page.get_by_role("link", name="View your submitted response"))
    assert "2 (current)" in page.locator("#revisions").inner_text()
