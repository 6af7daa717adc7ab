"""SECAS add an organisation and invite a user, who sets a password from the e-mailed
link and signs in: in a real browser, with axe-core on every page."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from consult.models import OutboxMessage
from tests import factories
from tests.browser.helpers import follow

NEW_PASSWORD = "a brand new passphrase"


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def invitation_path(db) -> str:
    db.commit()
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_secas_invites_a_user_who_sets_a_password_and_signs_in(
    page, base_url, db, secas, assert_accessible
):
    sign_in(page, base_url, secas.email, factories.PASSWORD)
    page.goto(f"{base_url}/admin/organisations")
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Add an organisation"))
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Save organisation"))
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("Name").fill("EDF Energy")
    page.get_by_label("Large Supplier").check()
    page.get_by_label("SEC Party identifier (optional)").fill("SEC0042")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.get_by_role("heading", name="EDF Energy")).to_be_visible()
    assert_accessible(page)

    follow(page, page.get_by_role("button", name="Invite a user"))
    assert_accessible(page)
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("ada@example.com")
    # Invited from the organisation's page: respondent, of EDF Energy, already chosen.
    expect(page.get_by_label("Respondent", exact=True)).to_be_checked()
    chosen = page.get_by_label("Organisation (respondents only)").input_value()
    assert page.locator(f"#organisation option[value='{chosen}']").inner_text() == (
        "EDF Energy (Large Supplier)"
    )
    follow(page, page.get_by_role("button", name="Send invitation"))
    assert "An invitation is on its way to ada@example.com" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    page.goto(base_url + invitation_path(db))
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    follow(page, page.get_by_role("button", name="Set password"))
    assert "Your password is set" in page.inner_text("main")
    assert_accessible(page)

    sign_in(page, base_url, "ada@example.com", NEW_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert "Ada Lovelace (EDF Energy)" in page.inner_text("header")
    page.goto(f"{base_url}/account/preferences")
    assert_accessible(page)


def test_oversight_outbox_and_audit_pages_pass_axe(
    page, base_url, db, secas, respondent, other_organisation, assert_accessible
):
    consultation = factories.make_consultation(db, "SSI-2017")
    response = factories.make_response(db, consultation, respondent)
    sign_in(page, base_url, secas.email, factories.PASSWORD)
    for path in (
        "/admin/consultations/SSI-2017/responses",
        "/admin/consultations/SSI-2017/remind",
        f"/admin/consultations/SSI-2017/responses/{response.id}",
        f"/admin/consultations/SSI-2017/organisations/{other_organisation.id}/late-allowance",
        "/admin/users",
        f"/admin/users/{respondent.id}",
        f"/admin/users/{respondent.id}/role",
        f"/admin/users/{respondent.id}/deactivate",
        "/admin/outbox",
        "/admin/audit",
        "/admin/audit?date_from=nonsense",
    ):
        page.goto(base_url + path)
        assert_accessible(page)
