"""Consult works with JavaScript switched off (GOV.UK's progressive enhancement): every form
is plain HTML that posts, or for filters gets, and redirects to the next page; the character
count keeps its textarea and its limit from the server, which enforces it. A respondent
answers and submits, SECAS publishes a consultation and extends its deadline, and a Panel
member opens the summary and filters its answers, all in a browser that runs no script."""

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from consult.db import utcnow
from tests import factories
from tests.browser.conftest import open_page
from tests.browser.helpers import sign_in
from tests.browser.test_browser_admin_builder import fill_date
from tests.responses_helpers import QUESTIONS, add_sections
from tests.summaries_helpers import REFERENCE, arrange

# What a page would need JavaScript for: a button that submits no form, a link that goes
# nowhere, a form without a method. Hidden controls (GOV.UK's menu toggle, which its
# script reveals) do not count.
_NEEDS_SCRIPT = """() => {
  const problems = [];
  const shown = (el) => el.checkVisibility();
  for (const el of document.querySelectorAll("button, input[type=button], input[type=submit]")) {
    if (shown(el) && (el.type !== "submit" || !el.form)) problems.push(el.outerHTML);
  }
  for (const el of document.querySelectorAll("a")) {
    const href = el.getAttribute("href") || "";
    if (shown(el) && (href === "" || href === "#" || href.startsWith("javascript:"))) {
      problems.push(el.outerHTML);
    }
  }
  for (const form of document.forms) {
    if (!["get", "post"].includes(form.getAttribute("method"))) problems.push(form.outerHTML);
  }
  return problems;
}"""


@pytest.fixture
def plain_page(browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a browser context with JavaScript switched off."""
    yield from open_page(browser, request, java_script_enabled=False)


def assert_plain_html(page: Page) -> None:
    """No script ran (GOV.UK's template marks the body when one does), and nothing on the
    page needs one."""
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    problems = page.evaluate(_NEEDS_SCRIPT)
    assert not problems, f"{page.url} needs JavaScript for: {problems}"


def go(page: Page, control, url) -> None:
    """Activate a link or button, wait for ``url`` and check the page it lands on."""
    control.click()
    page.wait_for_url(url)
    assert_plain_html(page)


def test_a_respondent_answers_and_submits_without_javascript(plain_page, base_url, db, respondent):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    add_sections(db, consultation, {"Your view": ["q1", "q2"], "Impact": ["q3", "q4"]})
    page = plain_page
    respond = f"{base_url}/consultations/SSI-2017/respond"
    sign_in(page, base_url, respondent)
    page.goto(f"{base_url}/consultations/SSI-2017")
    assert_plain_html(page)
    go(page, page.get_by_role("button", name="Respond"), respond)

    save = page.get_by_role("button", name="Save and continue")
    go(page, page.get_by_role("link", name="Your view"), f"{respond}/q1")
    page.get_by_label("Yes").check()
    page.get_by_label("Please provide your rationale").fill("We support the new date.")
    go(page, save, f"{respond}/q2")
    page.get_by_label("Metering").check()
    go(page, save, respond)

    go(page, page.get_by_role("link", name="Impact"), f"{respond}/q3")
    impact = page.get_by_label("What would the impact be on your organisation?")
    expect(impact).to_be_visible()
    expect(page.locator(".govuk-character-count")).to_have_attribute("data-maxlength", "500")
    limit = page.locator(".govuk-character-count__message")
    expect(limit).to_have_text("You can enter up to 500 characters")
    expect(limit).to_be_visible()
    assert limit.get_attribute("id") in impact.get_attribute("aria-describedby").split()
    impact.fill("x" * 501)
    save.click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Your answer must be 500 characters or fewer"
    )
    assert_plain_html(page)
    impact.fill("Little impact: our SSI users are few.")
    go(page, save, f"{respond}/q4")
    go(page, save, respond)

    confidentiality = page.get_by_role("link", name="Say whether your response is confidential")
    go(page, confidentiality, f"{respond}/confidentiality")
    page.get_by_label("No").check()
    go(page, save, f"{respond}/check")
    page.get_by_label("I confirm I am authorised to respond on behalf of British Gas").check()
    go(page, page.get_by_role("button", name="Submit response"), f"{respond}/confirmation")
    expect(page.locator("#receipt")).to_have_text("SSI-2017-R0001")


def test_secas_publishes_and_extends_without_javascript(plain_page, base_url, db, secas):
    factories.make_consultation(db, "SSI-2017", status="draft")
    page = plain_page
    overview = f"{base_url}/admin/build/SSI-2017"
    admin = f"{base_url}/admin/consultations/SSI-2017"
    sign_in(page, base_url, secas)
    page.goto(overview)
    assert_plain_html(page)

    go(page, page.get_by_role("link", name="Publish", exact=True), f"{admin}/publish")
    page.get_by_label("Now: it opens for responses at once").check()
    go(page, page.get_by_role("button", name="Publish consultation"), overview)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("SSI-2017 is published")

    go(page, page.get_by_role("link", name="Extend the deadline"), f"{admin}/extend")
    fill_date(page, "New closing date", utcnow() + timedelta(days=30))
    page.get_by_label("New closing time").fill("17:00")
    page.get_by_label("Reason for the change").fill("Parties asked for more time")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Extend the deadline of SSI-2017\?"))
    assert_plain_html(page)
    go(page, page.get_by_role("button", name="Extend deadline"), overview)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("SSI-2017 is extended")


def test_the_panel_filters_answers_without_javascript(plain_page, base_url, db, panel):
    arrange(db)
    page = plain_page
    summary = f"{base_url}/panel/consultations/{REFERENCE}/summary"
    sign_in(page, base_url, panel)
    page.goto(f"{base_url}/panel/consultations")
    assert_plain_html(page)
    go(
        page,
        page.get_by_role("link", name="Changing the end date of the SSI variations – summary"),
        summary,
    )
    expect(page.get_by_role("img", name="Answers to question 1 by party category")).to_be_visible()

    go(page, page.locator("#all-answers-q1"), f"{summary}/questions/q1")
    assert page.locator("#answers-filter").get_attribute("method") == "get"
    page.get_by_label("Party category").select_option("Large Supplier")
    page.get_by_label("Option chosen").select_option("Yes")
    go(
        page,
        page.get_by_role("button", name="Show answers"),
        re.compile(r"category=large_supplier"),
    )
    assert "option=Yes" in page.url
    expect(page.locator("#answer-count")).to_have_text("2 answers matching these filters.")
    expect(page.get_by_label("Party category")).to_have_value("large_supplier")

    go(page, page.get_by_role("link", name="Clear filters"), f"{summary}/questions/q1")
    expect(page.locator("#answer-count")).to_have_text("5 answers.")
