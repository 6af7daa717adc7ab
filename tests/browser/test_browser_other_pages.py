"""The pages no journey test reaches, each opened in a real browser with axe-core run on
it, and where it has a form, on the error summary an empty or cleared form gives back:
the builder's editing and deleting pages, the rest of SECAS's people pages, reopening,
withdrawing a published summary, the public "What respondents said" answers, a
consultation's questions, and the account's password pages (a reset from the e-mailed
link to signing in again)."""

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from consult.db import utcnow
from consult.models import Document, OutboxMessage, Section
from consult.summaries import publishing
from tests import factories
from tests.browser.helpers import error_summary_says, follow, sign_in
from tests.people_helpers import link_in, outbox
from tests.responses_helpers import QUESTIONS, add_sections

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW_PASSWORD = "a brand new passphrase"


def submit_form(page) -> None:
    """Press the page's own form's submit button (not the header's Sign out, nor a
    password field's Show button)."""
    button = page.locator("#main-content form").first.locator("[type=submit]")
    follow(page, button.first)


def visit(page, url: str, assert_accessible, *, clear: str | None = None) -> None:
    """Open ``url`` and check it; with ``clear``, empty that field, send the form, and
    check the error summary it comes back with."""
    response = page.goto(url)
    assert response.status == 200, f"{url}: {response.status}"
    assert page.url == url, f"{url} led to {page.url}"  # not to the sign-in page, say
    assert_accessible(page)
    if clear is None:
        return
    page.get_by_label(clear, exact=True).fill("")
    submit_form(page)
    error_summary_says(page)
    assert_accessible(page)


@pytest.fixture
def closed(db, respondent, secas):
    """A closed consultation with a submitted response, its public summary published."""
    consultation = factories.make_consultation(db, "SSI-2017", status="closed")
    factories.make_response(db, consultation, respondent)
    publishing.publish(db, consultation, user=secas, now=utcnow())
    db.commit()
    return consultation


def test_the_builders_editing_pages(page, base_url, db, secas, assert_accessible):
    draft = factories.make_consultation(db, "DRAFT-1", status="draft")
    add_sections(db, draft, {"Your view": ["q1", "q2"], "Impact": ["q3"]})
    section = db.scalar(select(Section).where(Section.title == "Impact"))
    build = f"{base_url}/admin/build/DRAFT-1"
    sign_in(page, base_url, secas)

    visit(page, f"{build}/details", assert_accessible, clear="Title")
    visit(page, f"{build}/sections/new", assert_accessible, clear="Section title")
    visit(page, f"{build}/sections/{section.id}", assert_accessible, clear="Section title")
    visit(page, f"{build}/sections/{section.id}/delete", assert_accessible)
    visit(page, f"{build}/questions/q1", assert_accessible, clear="Question")
    visit(page, f"{build}/questions/q1/delete", assert_accessible)
    visit(page, f"{base_url}/admin/build/duplicate", assert_accessible)
    submit_form(page)  # nothing chosen, nothing typed
    error_summary_says(page)
    assert_accessible(page)

    visit(page, f"{build}/documents/new", assert_accessible)
    submit_form(page)  # no title, no file
    error_summary_says(page)
    assert_accessible(page)
    page.get_by_label("Title").fill("Consultation document")
    page.locator("input[type=file]").set_input_files(
        {"name": "ssi.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    submit_form(page)
    assert "is uploaded" in page.locator(".govuk-notification-banner").inner_text()
    db.commit()
    document = db.scalar(select(Document).where(Document.title == "Consultation document"))
    visit(page, f"{build}/documents/{document.id}", assert_accessible, clear="Title")
    visit(page, f"{build}/documents/{document.id}/delete", assert_accessible)


def test_secas_other_pages(
    page, base_url, db, closed, secas, organisation, colleague, assert_accessible
):
    factories.grant_late_allowance(db, closed, organisation, utcnow() + timedelta(days=3))
    colleague.totp_secret = pyotp.random_base32()
    db.commit()
    receipt = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "receipt"))
    admin = f"{base_url}/admin"
    sign_in(page, base_url, secas)

    visit(page, f"{admin}/organisations/{organisation.id}/edit", assert_accessible, clear="Name")
    visit(page, f"{admin}/build/SSI-2017/questions/q1", assert_accessible)  # locked: as it is
    visit(page, f"{admin}/users/{colleague.id}/two-factor/reset", assert_accessible)
    visit(
        page,
        f"{admin}/consultations/SSI-2017/organisations/{organisation.id}/late-allowance/revoke",
        assert_accessible,
    )
    submit_form(page)  # no reason
    error_summary_says(page)
    assert_accessible(page)
    visit(page, f"{admin}/outbox/{receipt.id}", assert_accessible)
    visit(page, f"{admin}/consultations/SSI-2017/reopen", assert_accessible)
    submit_form(page)  # no new closing date, no reason
    error_summary_says(page)
    assert_accessible(page)
    visit(page, f"{base_url}/panel/consultations/SSI-2017/summary/withdraw", assert_accessible)


def test_what_respondents_said_answers_page(page, base_url, closed, assert_accessible):
    visit(page, f"{base_url}/consultations/SSI-2017/what-respondents-said/q1", assert_accessible)
    assert "We support the new date." in page.locator("#main-content").inner_text()
    page.get_by_label("Words to find").fill("one two three four five six seven eight nine")
    follow(page, page.get_by_role("button", name="Show answers"))
    error_summary_says(page)
    assert_accessible(page)


def test_the_questions_page(page, base_url, db, assert_accessible):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    add_sections(db, consultation, {"Your view": ["q1", "q2"], "Impact": ["q3", "q4"]})
    page.goto(f"{base_url}/consultations/SSI-2017")
    follow(page, page.get_by_role("link", name="Read the questions"))
    visit(page, f"{base_url}/consultations/SSI-2017/questions", assert_accessible)
    with page.expect_download() as download:
        page.get_by_role("link", name="download the questions as a Word document").click()
    assert download.value.suggested_filename == "SSI-2017-questions.docx"


def test_password_pages_from_changing_it_to_a_reset_by_email(
    page, base_url, db, respondent, assert_accessible
):
    sign_in(page, base_url, respondent)
    visit(page, f"{base_url}/account/password", assert_accessible)
    submit_form(page)
    error_summary_says(page)
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Sign out"))

    visit(page, f"{base_url}/account/reset-password", assert_accessible, clear="Email address")
    page.get_by_label("Email address").fill(respondent.email)
    submit_form(page)
    assert respondent.email in page.locator("#reset-sent").inner_text()
    assert_accessible(page)

    [message] = [m for m in outbox(db) if "password" in m.subject.lower()]
    visit(page, base_url + link_in(message), assert_accessible)
    submit_form(page)
    error_summary_says(page)
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    submit_form(page)
    page.get_by_label("Email address").fill(respondent.email)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    follow(page, page.get_by_role("button", name="Sign in"))
    assert "/auth/login" not in page.url
