"""The Panel's summary in a real browser: charts and tables pass axe, the answer filters
work without JavaScript's help, and the published public summary is accessible too."""

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import ROOT
from tests.summaries_helpers import REFERENCE, arrange


def _sign_in(page, base_url: str, user) -> None:
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_summary_page_with_charts_passes_axe(page, base_url, db, panel, assert_accessible):
    arrange(db)
    _sign_in(page, base_url, panel)
    page.goto(f"{base_url}/panel/consultations")
    page.get_by_role("link", name="Changing the end date of the SSI variations – summary").click()
    expect(page.locator("#chart-q1 .consult-chart__svg")).to_be_visible()
    expect(page.get_by_role("img", name="Answers to question 1 by party category")).to_be_visible()
    page.screenshot(path=str(ROOT / "test-results" / "summary-page.png"), full_page=True)
    assert_accessible(page)


def test_filtering_answers_in_the_browser(page, base_url, db, panel, assert_accessible):
    arrange(db)
    _sign_in(page, base_url, panel)
    page.goto(f"{base_url}/panel/consultations/{REFERENCE}/summary")
    page.locator("#all-answers-q1").click()
    page.get_by_label("Party category").select_option("Large Supplier")
    page.get_by_label("Option chosen").select_option("Yes")
    with page.expect_navigation():
        page.get_by_role("button", name="Show answers").click()
    assert "category=large_supplier" in page.url
    assert page.locator("#answer-count").inner_text() == "2 answers matching these filters."
    assert_accessible(page)


def test_reading_one_response_and_the_next_passes_axe(page, base_url, db, panel, assert_accessible):
    arrange(db)
    _sign_in(page, base_url, panel)
    page.goto(f"{base_url}/panel/consultations/{REFERENCE}/summary")
    respondents = page.get_by_role("region", name="Respondents", exact=True)
    respondents.get_by_role("link", name="British Gas", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("British Gas")
    assert_accessible(page)
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Octopus Energy")
    assert_accessible(page)


def test_published_summary_on_the_public_page_passes_axe(
    page, base_url, db, secas, assert_accessible
):
    arrange(db)
    _sign_in(page, base_url, secas)
    page.goto(f"{base_url}/panel/consultations/{REFERENCE}/summary")
    page.get_by_role("button", name="Publish what respondents said").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish what respondents said").click()
    assert (
        "Published what respondents said" in page.locator(".govuk-notification-banner").inner_text()
    )
    page.goto(f"{base_url}/consultations/{REFERENCE}")
    expect(page.get_by_role("heading", name="What respondents said")).to_be_visible()
    assert_accessible(page)
