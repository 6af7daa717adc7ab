"""The public consultation page: dates, summary, documents, deadline changes, Respond."""

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from consult.consultations import service
from consult.db import utcnow
from consult.filters import uk_datetime
from consult.models import Document
from consult.responses.service import withdraw
from tests import factories
from tests.conftest import normalise
from tests.summaries_helpers import count_queries

PDF_BYTES = b"%PDF-1.4\n% a consultation document\n%%EOF\n"


def add_document(app, db, consultation, content: bytes = PDF_BYTES, store: bool = True):
    """A document row, with its file stored the way uploads store it (by hash)."""
    digest = hashlib.sha256(content).hexdigest()
    if store:
        folder = Path(app.config["UPLOAD_FOLDER"]) / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / digest).write_bytes(content)
    document = Document(
        consultation_id=consultation.id,
        title="Consultation document",
        filename="ssi-consultation.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=digest,
    )
    db.add(document)
    db.commit()
    return document


def set_dates(db, consultation, opens_at: datetime, closes_at: datetime) -> None:
    consultation.opens_at = opens_at
    consultation.closes_at = closes_at
    db.commit()


def detail(page, key: str) -> str:
    for row in page.select("#consultation-details .govuk-summary-list__row"):
        if normalise(row.select_one("dt").text) == key:
            return normalise(row.select_one("dd").text)
    raise AssertionError(f"no {key!r} row")


def test_page_shows_title_reference_kind_and_status(db, get_page):
    factories.make_consultation(db, "SSI-2017", status="open")
    page = get_page("/consultations/SSI-2017")
    assert normalise(page.select_one("h1").text) == "Changing the end date of the SSI variations"
    assert detail(page, "Reference") == "SSI-2017"
    assert detail(page, "Type") == "Panel consultation"
    assert normalise(page.select_one("main .govuk-tag").text) == "Open"


def test_page_shows_the_linked_modification(db, get_page):
    consultation = factories.make_consultation(db, "SECMP0035-MRC", status="closed")
    consultation.modification = "SECMP0035"
    db.commit()
    page = get_page("/consultations/SECMP0035-MRC")
    assert detail(page, "Modification") == "SECMP0035"


def test_dates_are_shown_in_london_time(db, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", status="closed")
    set_dates(
        db,
        consultation,
        datetime(2017, 6, 7, 8, 0, tzinfo=UTC),
        datetime(2017, 6, 21, 16, 0, tzinfo=UTC),
    )
    page = get_page("/consultations/SSI-2017")
    assert detail(page, "Opens") == "9am on 7 June 2017"
    assert detail(page, "Closed") == "5pm on 21 June 2017"


def test_summary_is_rendered_from_markdown(db, get_page):
    factories.make_consultation(db, "SSI-2017")
    page = get_page("/consultations/SSI-2017")
    assert normalise(page.select_one(".consult-summary strong").text) == "change"


def test_headings_in_the_summary_sit_below_the_pages_own(db, get_page):
    consultation = factories.make_consultation(db, "SSI-2017")
    consultation.summary = "# Background\n\nThe DCC asked.\n\n## Timeline\n\n23 May 2017."
    db.commit()
    page = get_page("/consultations/SSI-2017")
    assert [normalise(h.text) for h in page.select("h1")] == [consultation.title]
    summary = page.select_one(".consult-summary")
    assert [(h.name, normalise(h.text)) for h in summary.select("h3, h4")] == [
        ("h3", "Background"),
        ("h4", "Timeline"),
    ]


def test_script_in_the_summary_is_not_rendered_as_a_tag(db, get_page):
    consultation = factories.make_consultation(db, "SSI-2017")
    consultation.summary = "Hello <script>alert('x')</script> [link](javascript:alert(1))"
    db.commit()
    page = get_page("/consultations/SSI-2017")
    summary = page.select_one(".consult-summary")
    assert summary.select("script") == []
    assert not any(a.get("href", "").startswith("javascript") for a in summary.select("a"))
    assert "<script>" in summary.text  # shown as text, harmlessly


def test_documents_are_listed_with_type_and_size(app, db, get_page):
    consultation = factories.make_consultation(db, "SSI-2017")
    add_document(app, db, consultation)
    page = get_page("/consultations/SSI-2017")
    item = page.select_one(".consult-document")
    assert normalise(item.select_one("a").text) == "Consultation document"
    meta = normalise(item.select_one(".consult-document__meta").text)
    assert meta == f"(PDF, {len(PDF_BYTES)} bytes)"


def test_document_downloads_with_its_name_and_type(app, db, client, get_page):
    consultation = factories.make_consultation(db, "SSI-2017")
    add_document(app, db, consultation)
    href = get_page("/consultations/SSI-2017").select_one(".consult-document a")["href"]
    with client.get(href) as response:
        assert response.status_code == 200
        assert response.data == PDF_BYTES
        assert response.mimetype == "application/pdf"
        assert "ssi-consultation.pdf" in response.headers["Content-Disposition"]


def test_document_whose_file_is_missing_is_not_found(app, db, client):
    consultation = factories.make_consultation(db, "SSI-2017")
    document = add_document(app, db, consultation, store=False)
    assert client.get(f"/consultations/SSI-2017/documents/{document.id}").status_code == 404


def test_document_of_another_consultation_is_not_found(app, db, client):
    factories.make_consultation(db, "SSI-2017")
    other = factories.make_consultation(db, "OTHER-1")
    document = add_document(app, db, other)
    assert client.get(f"/consultations/SSI-2017/documents/{document.id}").status_code == 404


def test_document_of_a_draft_is_not_found_for_visitors(app, db, client):
    draft = factories.make_consultation(db, "DRAFT-1", status="draft")
    document = add_document(app, db, draft)
    assert client.get(f"/consultations/DRAFT-1/documents/{document.id}").status_code == 404


def test_extension_is_shown_publicly_with_its_reason(db, secas, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", status="open")
    consultation.closes_at = datetime(2030, 6, 21, 16, 0, tzinfo=UTC)
    db.commit()
    service.extend(
        db,
        consultation,
        datetime(2030, 6, 28, 16, 0, tzinfo=UTC),
        "Parties asked for more time",
        utcnow(),
        secas.id,
    )
    db.commit()
    page = get_page("/consultations/SSI-2017")
    change = page.select_one(".consult-deadline-change")
    assert normalise(change.select_one(".consult-deadline-change__what").text) == (
        "Deadline extended from 5pm on 21 June 2030 to 5pm on 28 June 2030"
    )
    assert normalise(change.select_one(".consult-deadline-change__reason").text) == (
        "Reason: Parties asked for more time"
    )


def test_early_close_is_shown_publicly(db, secas, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", status="open")
    service.close_now(db, consultation, utcnow(), secas.id)
    db.commit()
    page = get_page("/consultations/SSI-2017")
    what = normalise(page.select_one(".consult-deadline-change__what").text)
    change = consultation.deadline_changes[-1]
    assert what == (
        f"Closed early at {uk_datetime(change.new_closes_at)} "
        f"(it was due to close at {uk_datetime(change.previous_closes_at)})"
    )


def test_reopening_is_shown_publicly_with_its_reason(db, secas, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", status="closed")
    service.extend(
        db, consultation, utcnow() + timedelta(days=3), "Late papers", utcnow(), secas.id
    )
    db.commit()
    page = get_page("/consultations/SSI-2017")
    what = normalise(page.select_one(".consult-deadline-change__what").text)
    assert what.startswith("Reopened on ")
    assert (
        f"it had closed at {uk_datetime(consultation.deadline_changes[0].previous_closes_at)}"
        in what
    )
    assert "Late papers" in normalise(page.select_one(".consult-deadline-change").text)


def test_open_consultation_has_a_respond_start_button(db, get_page):
    factories.make_consultation(db, "SSI-2017", status="open")
    page = get_page("/consultations/SSI-2017")
    button = page.select_one("a.govuk-button--start")
    assert normalise(button.text) == "Respond"
    assert button["href"] == "/consultations/SSI-2017/respond"


@pytest.mark.parametrize("status", ["upcoming", "closed"])
def test_no_respond_button_unless_open(db, get_page, status):
    factories.make_consultation(db, "SSI-2017", status=status)
    page = get_page("/consultations/SSI-2017")
    assert page.select_one(".govuk-button--start") is None
    assert page.select_one(".consult-availability") is not None


def test_respondent_with_a_submitted_response_gets_a_link_to_it(db, respondent, login, get_page):
    consultation = factories.make_consultation(db, "SSI-2017")
    factories.make_response(db, consultation, respondent)
    login(respondent)
    page = get_page("/consultations/SSI-2017")
    assert page.select_one("#view-response")["href"] == "/consultations/SSI-2017/response"


def test_respondent_with_a_submitted_response_is_offered_to_view_or_amend_it(
    db, respondent, login, get_page
):
    consultation = factories.make_consultation(db, "SSI-2017")
    factories.make_response(db, consultation, respondent)
    login(respondent)
    page = get_page("/consultations/SSI-2017")
    assert page.select_one("#respond") is None
    assert normalise(page.select_one("a.govuk-button#view-response").text) == (
        "View or amend your response"
    )


def test_respondent_whose_organisation_withdrew_is_told_so_instead_of_respond(
    db, respondent, login, get_page
):
    consultation = factories.make_consultation(db, "SSI-2017")
    response = factories.make_response(db, consultation, respondent)
    withdraw(db, response, expected_version=response.version, user=respondent, now=utcnow())
    db.commit()
    login(respondent)
    page = get_page("/consultations/SSI-2017")
    assert page.select_one("#respond") is None
    assert normalise(page.select_one("#withdrawn").text).startswith(
        "Your organisation withdrew its response to this consultation"
    )
    assert page.select_one("#view-response")["href"] == "/consultations/SSI-2017/response"


def test_draft_response_gives_no_link_to_a_submitted_response(db, respondent, login, get_page):
    consultation = factories.make_consultation(db, "SSI-2017")
    factories.make_response(db, consultation, respondent, submit=False)
    login(respondent)
    assert get_page("/consultations/SSI-2017").select_one("#view-response") is None


def test_a_respondents_page_reads_only_what_it_shows(app, client, db, respondent, login):
    # Signed in, the page is rendered for them each time (visitors share a kept copy):
    # the user, the consultation, its documents and deadline changes, their response's
    # status and their late allowance. Not the questions, nor their answers, which it
    # does not show.
    consultation = factories.make_consultation(db, "SSI-2017")
    factories.make_response(db, consultation, respondent)
    login(respondent)
    assert count_queries(app, client, "/consultations/SSI-2017") <= 7


def test_unknown_reference_is_not_found(get_page):
    page = get_page("/consultations/NOPE-1", status=404)
    assert normalise(page.select_one("h1").text) == "Page not found"


@pytest.mark.parametrize("role", [None, "respondent", "panel"])
def test_draft_is_not_found_except_for_secas(request, db, login, get_page, role):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    if role:
        login(request.getfixturevalue(role))
    get_page("/consultations/DRAFT-1", status=404)


def test_secas_may_preview_a_draft(db, secas, login, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    login(secas)
    page = get_page("/consultations/DRAFT-1")
    assert normalise(page.select_one("main .govuk-tag").text) == "Draft"
    assert "only SECAS can see it" in normalise(page.select_one(".govuk-warning-text").text)


def test_panel_members_find_the_summary_from_the_consultation_page(db, get_page, login, panel):
    factories.make_consultation(db, "SUM-LINK")
    login(panel)
    page = get_page("/consultations/SUM-LINK")
    link = page.select_one("#view-summary")
    assert link["href"] == "/panel/consultations/SUM-LINK/summary"
    assert page.select_one("#respond") is None


def test_respondents_are_not_offered_the_summary(db, get_page, login, respondent):
    factories.make_consultation(db, "SUM-LINK")
    login(respondent)
    page = get_page("/consultations/SUM-LINK")
    assert page.select_one("#view-summary") is None
    assert page.select_one("#respond") is not None
