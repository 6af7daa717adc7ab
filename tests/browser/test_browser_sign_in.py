"""Signing in, in a real browser: labelled controls, keyboard only, accessible."""

from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import follow


def test_sign_in_page_passes_axe(page, base_url, assert_accessible):
    page.goto(f"{base_url}/auth/login")
    expect(page.get_by_label("Email address")).to_be_visible()
    assert_accessible(page)


def test_wrong_password_shows_an_accessible_error_summary(
    page, base_url, respondent, assert_accessible
):
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email address").fill(respondent.email)
    page.get_by_label("Password", exact=True).fill("not the password")
    follow(page, page.get_by_role("button", name="Sign in"))
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct email address and password" in summary.inner_text()
    assert_accessible(page)


def test_sign_in_with_the_keyboard_alone(page, base_url, respondent):
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email address").focus()
    page.keyboard.type(respondent.email)
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/auth/login" not in page.url
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
