"""The Content-Security-Policy as the browser enforces it (other browser tests bypass it
so that axe-core can be injected)."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_page


@pytest.fixture
def enforcing_page(browser, request: pytest.FixtureRequest) -> Iterator:
    yield from open_page(browser, request)


def test_the_gov_uk_script_runs_and_nothing_is_blocked(enforcing_page, base_url):
    page = enforcing_page
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{base_url}/auth/login")
    # The inline script marks the body, which the GOV.UK components then initialise on.
    expect(page.locator("body.js-enabled.govuk-frontend-supported")).to_have_count(1)
    expect(page.locator("button.govuk-password-input__toggle")).to_be_visible()
    assert blocked == []
