"""A respondent completes the whole journey with the keyboard alone (WCAG 2.1.1): from the
consultation page through signing in, every kind of question, confidentiality and check
your answers to the receipt, with no click, fill or check, only Tab, Shift+Tab, Enter,
Space, arrow keys and typing; and every link and button used shows GOV.UK's yellow focus
style (WCAG 2.4.7)."""

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.helpers import focus_is_visible, has_focus, tab_to
from tests.responses_helpers import QUESTIONS, add_sections


@pytest.fixture
def consultation(db):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    add_sections(db, consultation, {"Your view": ["q1", "q2"], "Impact": ["q3", "q4"]})
    return consultation


def activate(page: Page, target, url: str) -> None:
    """Tab to a link or button, check its focus can be seen, press Enter and wait for
    ``url`` (a glob) to load."""
    tab_to(page, target)
    assert focus_is_visible(page), f"no visible focus on {target} at {page.url}"
    page.keyboard.press("Enter")
    page.wait_for_url(url)


def answer(page: Page, number: str) -> list[str]:
    """The lines of an answer on check your answers, by its question's number ("1.")."""
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key", has_text=number)
    )
    return row.locator(".consult-answer").inner_text().splitlines()


def save_and_continue(page: Page, url: str) -> None:
    activate(page, page.get_by_role("button", name="Save and continue"), url)


def test_a_respondent_completes_the_journey_with_the_keyboard_alone(
    page, base_url, consultation, respondent
):
    respond = f"{base_url}/consultations/{consultation.reference}/respond"
    page.goto(f"{base_url}/consultations/{consultation.reference}")
    activate(page, page.get_by_role("button", name="Respond"), "**/auth/login?next=*")

    tab_to(page, page.get_by_label("Email address"))
    assert focus_is_visible(page)
    page.keyboard.type(respondent.email)
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(respond)

    activate(page, page.get_by_role("link", name="Your view"), f"{respond}/q1")
    tab_to(page, page.get_by_label("Yes"))  # into the radios: the first has the focus
    assert focus_is_visible(page)
    page.keyboard.press("ArrowDown")  # moves to and selects "No"
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    page.keyboard.press("Tab")  # out of the radios to the rationale
    assert has_focus(page.get_by_label("Please provide your rationale"))
    page.keyboard.type("The new date is too soon for our release cycle.")
    save_and_continue(page, f"{respond}/q2")

    tab_to(page, page.get_by_label("Metering"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Billing"))
    page.keyboard.press("Space")
    save_and_continue(page, respond)

    activate(page, page.get_by_role("link", name="Impact"), f"{respond}/q3")
    tab_to(page, page.get_by_label("What would the impact be on your organisation?"))
    page.keyboard.type("Little impact.")
    page.keyboard.press("Enter")  # a new line in the answer, not a submission
    page.keyboard.type("Our SSI users are few.")
    save_and_continue(page, f"{respond}/q4")
    tab_to(page, page.get_by_label("Do you have any other comments?"))
    page.keyboard.type("None.")
    save_and_continue(page, respond)

    confidentiality = page.get_by_role("link", name="Say whether your response is confidential")
    activate(page, confidentiality, f"{respond}/confidentiality")
    tab_to(page, page.get_by_label("Yes"))
    page.keyboard.press("ArrowRight")  # the radios are inline: "No" is to the right
    expect(page.get_by_label("No")).to_be_checked()
    save_and_continue(page, f"{respond}/check")

    assert answer(page, "1.") == ["No"]
    assert answer(page, "2.") == ["Metering; Billing"]
    assert answer(page, "3.") == ["Little impact.", "Our SSI users are few."]
    assert page.locator(".consult-rationale").inner_text().startswith("The new date is too soon")
    # From the end of the page backwards: Submit response, then the declaration above it.
    declaration = page.get_by_label("I confirm I am authorised to respond on behalf of")
    tab_to(page, declaration, backwards=True)
    assert focus_is_visible(page)
    page.keyboard.press("Space")
    expect(declaration).to_be_checked()
    activate(page, page.get_by_role("button", name="Submit response"), f"{respond}/confirmation")
    expect(page.locator("#receipt")).to_have_text("SSI-2017-R0001")
