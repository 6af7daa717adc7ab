"""SECAS builds a consultation in a real browser, publishes it, extends it and closes it,
with axe-core checking every admin page on the way."""

from datetime import timedelta

from playwright.sync_api import expect

from consult.db import utcnow
from consult.filters import LONDON
from tests import factories
from tests.browser.helpers import follow


def fill_date(page, legend: str, moment) -> None:
    group = page.get_by_role("group", name=legend)
    local = moment.astimezone(LONDON)
    group.get_by_label("Day").fill(str(local.day))
    group.get_by_label("Month").fill(str(local.month))
    group.get_by_label("Year").fill(str(local.year))


def test_build_publish_extend_and_close(page, base_url, secas, assert_accessible):
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email address").fill(secas.email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    follow(page, page.get_by_role("button", name="Sign in"))

    page.goto(f"{base_url}/admin/consultations")
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Create a consultation"))
    assert_accessible(page)

    # A mistake first: the error summary must be accessible too.
    follow(page, page.get_by_role("button", name="Save and continue"))
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Reference").fill("SSI-2017")
    page.get_by_label("Title").fill("Changing the end date of the SSI variations")
    page.get_by_label("Panel consultation").check()
    page.get_by_label("Summary").fill("The DCC asked to **change** the end date.")
    fill_date(page, "Opening date", utcnow() + timedelta(days=1))
    page.get_by_label("Opening time").fill("09:00")
    fill_date(page, "Closing date", utcnow() + timedelta(days=15))
    page.get_by_label("Closing time").fill("17:00")
    follow(page, page.get_by_role("button", name="Save and continue"))
    assert (
        "SSI-2017 is created as a draft" in page.locator(".govuk-notification-banner").inner_text()
    )
    assert_accessible(page)

    follow(page, page.get_by_role("button", name="Add a question"))
    assert_accessible(page)
    page.get_by_label("Single choice (radio buttons)").check()
    page.get_by_label("Question", exact=True).fill("Do you agree with the proposed new end date?")
    page.get_by_label("Options").fill("Yes\nNo")
    page.get_by_label("Rationale prompt (optional)").fill("Please provide your rationale")
    follow(page, page.get_by_role("button", name="Save question"))

    follow(page, page.get_by_role("button", name="Add a question"))
    page.get_by_label("Free text").check()
    page.get_by_label("Question", exact=True).fill("Do you have any other comments?")
    page.get_by_label("No, it is optional").check()
    follow(page, page.get_by_role("button", name="Save question"))
    follow(page, page.get_by_role("button", name="Move up question q2"))
    assert page.locator("#questions tbody tr").first.inner_text().startswith("1\tq2")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Preview the form as respondents see it"))
    expect(page.get_by_label("Do you have any other comments?")).to_be_visible()
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Back"))

    follow(page, page.get_by_role("link", name="Publish", exact=True))
    assert_accessible(page)
    page.get_by_label("Now: it opens for responses at once").check()
    follow(page, page.get_by_role("button", name="Publish consultation"))
    assert "SSI-2017 is published" in page.locator(".govuk-notification-banner").inner_text()

    follow(page, page.get_by_role("link", name="Extend the deadline"))
    assert_accessible(page)
    fill_date(page, "New closing date", utcnow() + timedelta(days=30))
    page.get_by_label("New closing time").fill("17:00")
    page.get_by_label("Reason for the change").fill("Parties asked for more time")
    follow(page, page.get_by_role("button", name="Continue"))
    assert page.title().startswith("Extend the deadline of SSI-2017?")
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Extend deadline"))
    assert "SSI-2017 is extended" in page.locator(".govuk-notification-banner").inner_text()

    follow(page, page.get_by_role("link", name="Close now"))
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Close consultation now"))
    assert "SSI-2017 is closed" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="See the public page"))
    changes = page.locator(".consult-deadline-change").all_inner_texts()
    assert any(
        "Deadline extended from" in c and "Parties asked for more time" in c for c in changes
    )
    assert any(c.startswith("Closed early") for c in changes)
