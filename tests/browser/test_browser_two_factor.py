"""Two-factor sign-in in a real browser, with axe-core on every page: a SECAS user, whose
role must use it, is sent to set it up, turns it on with a code from the app, signs out,
and signs in again with the password and then a code (a wrong one first)."""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from consult.auth import twofactor
from tests.browser.helpers import error_summary_says, follow, sign_in


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "TWO_FACTOR_REQUIRED_ROLES": ["secas"]}


def test_secas_set_up_two_factor_sign_in_and_sign_in_with_a_code(
    page, base_url, secas, assert_accessible
):
    sign_in(page, base_url, secas)
    assert page.url.endswith("/account/two-factor")
    expect(page.locator("#two-factor-required")).to_contain_text("Your role must use two-factor")
    expect(
        page.get_by_role("img", name="QR code to add Consult to an authenticator app")
    ).to_be_visible()
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Turn on two-factor sign-in"))
    error_summary_says(page, "Enter the 6-digit code shown in your authenticator app")
    assert_accessible(page)

    app = pyotp.TOTP("".join(page.locator("#secret").inner_text().split()))
    page.get_by_label("Security code").fill(app.now())
    follow(page, page.get_by_role("button", name="Turn on two-factor sign-in"))
    assert page.url.endswith("/account/preferences")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Two-factor sign-in is on" in banner
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Sign out"))

    sign_in(page, base_url, secas)
    assert page.url.endswith("/auth/two-factor")
    expect(page.locator("h1")).to_have_text("Enter your security code")
    assert_accessible(page)
    page.get_by_label("Security code").fill(app.at(time.time() - 3600))  # long expired
    follow(page, page.get_by_role("button", name="Continue"))
    assert "/auth/two-factor" in page.url
    error_summary_says(page, twofactor.BAD_CODE)
    assert_accessible(page)
    # The code the app shows next: the one used to turn it on cannot be used again.
    page.get_by_label("Security code").fill(app.at(time.time() + 30))
    follow(page, page.get_by_role("button", name="Continue"))
    assert "/auth/" not in page.url
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)
