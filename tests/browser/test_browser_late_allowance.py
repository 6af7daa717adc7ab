"""After close, SECAS grant an organisation a late allowance and its respondent submits
late: in a real browser, with axe-core on every page."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from consult.db import utcnow
from tests import factories
from tests.browser.helpers import error_summary_says, follow, sign_in


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017", status="closed")


def test_secas_grant_a_late_allowance_and_the_respondent_submits_late(
    page, browser, base_url, db, consultation, secas, respondent, assert_accessible
):
    factories.make_response(db, consultation, respondent, submit=False)
    until = utcnow() + timedelta(days=5)

    sign_in(page, base_url, secas)
    page.goto(f"{base_url}/admin/consultations/SSI-2017/responses")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Grant British Gas a late allowance"))
    assert "SSI-2017 closed at" in page.locator("#closing").inner_text()
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Grant late allowance"))
    error_summary_says(page, "Enter the reason for the late allowance")
    assert_accessible(page)
    page.get_by_label("Day").fill(str(until.day))
    page.get_by_label("Month").fill(str(until.month))
    page.get_by_label("Year").fill(str(until.year))
    page.get_by_label("Time").fill("17:00")
    page.get_by_label("Reason").fill("Their system was down on the closing day")
    follow(page, page.get_by_role("button", name="Grant late allowance"))
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "British Gas may submit late until 5pm on" in banner
    assert_accessible(page)

    context = browser.new_context(bypass_csp=True)
    late = context.new_page()
    try:
        sign_in(late, base_url, respondent)
        late.goto(f"{base_url}/consultations/SSI-2017/respond")
        assert "You can still respond until 5pm on" in late.locator("#deadline").inner_text()
        assert_accessible(late)
        late.goto(f"{base_url}/consultations/SSI-2017/respond/check")
        assert "your response will be marked as late" in late.locator("#late-note").inner_text()
        assert_accessible(late)
        late.get_by_label("I confirm I am authorised to respond on behalf of British Gas").check()
        follow(late, late.get_by_role("button", name="Submit response"))
        assert late.url.endswith("/respond/confirmation")
        assert late.locator("#receipt").inner_text() == "SSI-2017-R0001"
        assert "(late allowance)" in late.locator("#deadline").inner_text()
        assert_accessible(late)
    finally:
        context.close()

    page.reload()
    row = page.locator("tr", has_text="British Gas")
    expect(row.locator(".govuk-tag")).to_have_text("Submitted late")
    assert_accessible(page)
