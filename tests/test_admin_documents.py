"""The builder's documents: upload, replace, retitle, reorder and remove, checked by content."""

import io
from pathlib import Path

import docx
import pytest

from tests import factories
from tests.admin_builder_helpers import audit_events, banner, error_messages, reload
from tests.conftest import normalise

pytestmark = pytest.mark.usefixtures("signed_in_secas")

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def signed_in_secas(secas, login):
    login(secas)
    return secas


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017")


def _docx() -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Appendix A – Consultation response form")
    document.save(buffer)
    return buffer.getvalue()


def upload(
    get_page, title: str, content: bytes, name: str, url="/admin/build/SSI-2017/documents/new"
):
    return get_page(
        url,
        method="post",
        data={"title": title, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_the_upload_form_labels_its_controls(consultation, get_page):
    page = get_page("/admin/build/SSI-2017/documents/new")
    assert normalise(page.select_one("label[for=title]").text) == "Title"
    assert normalise(page.select_one("label[for=file]").text) == "File"
    assert page.select_one("form[enctype='multipart/form-data']") is not None


def test_an_uploaded_document_is_listed_publicly_with_type_and_size(
    app, db, consultation, get_page
):
    page = upload(get_page, "Consultation document", PDF_BYTES, "ssi.pdf")
    assert banner(page) == "Success “Consultation document” is uploaded."
    document = reload(db, "SSI-2017").documents[0]
    stored = Path(app.config["UPLOAD_FOLDER"]) / "documents" / document.sha256
    assert stored.read_bytes() == PDF_BYTES
    public = get_page("/consultations/SSI-2017")
    listed = normalise(public.select_one(".consult-document").text)
    assert listed == f"Consultation document (PDF, {len(PDF_BYTES)} bytes)"
    event = audit_events(db, "document.")[0]
    assert (event.action, event.detail["after"]["filename"]) == ("document.added", "ssi.pdf")


def test_documents_keep_their_order_and_can_be_moved(db, consultation, get_page):
    upload(get_page, "Consultation document", PDF_BYTES, "ssi.pdf")
    upload(get_page, "Appendix A – Consultation response form", _docx(), "appendix.docx")
    titles = [d.title for d in reload(db, "SSI-2017").documents]
    assert titles == ["Consultation document", "Appendix A – Consultation response form"]
    second = reload(db, "SSI-2017").documents[1]
    page = get_page(
        f"/admin/build/SSI-2017/documents/{second.id}/move",
        method="post",
        data={"direction": "up"},
        follow_redirects=True,
    )
    assert normalise(page.select_one(".govuk-notification-banner").text) == (
        "Success “Appendix A – Consultation response form” is now document 1 of 2."
    )
    public = get_page("/consultations/SSI-2017")
    assert [normalise(a.text) for a in public.select(".consult-document a")] == [
        "Appendix A – Consultation response form",
        "Consultation document",
    ]


def test_a_file_that_is_not_what_it_claims_is_refused(db, consultation, get_page):
    page = upload(get_page, "Annex 1", b"MZ\x90\x00 a program", "annex.pdf")
    assert page.select_one("title").text.startswith("Error: ")
    assert error_messages(page) == [
        "The selected file must be a PDF, Word document or Excel spreadsheet"
    ]
    assert reload(db, "SSI-2017").documents == []


def test_a_document_whose_name_lies_about_its_type_is_refused(db, consultation, get_page):
    page = upload(get_page, "Annex 1", _docx(), "annex.exe")
    assert error_messages(page) == [
        "The selected file is a Word document but its name ends in .exe: rename it to end in "
        ".docx and upload it again"
    ]
    assert reload(db, "SSI-2017").documents == []


def test_a_document_needs_a_title_and_a_file(db, consultation, get_page):
    page = get_page("/admin/build/SSI-2017/documents/new", method="post", data={"title": "Annex 1"})
    assert error_messages(page) == ["Select a file"]
    page = upload(get_page, "", PDF_BYTES, "annex.pdf")
    assert error_messages(page) == ["Enter the document’s title"]


def test_replacing_a_document_keeps_its_place_and_audits_the_change(db, consultation, get_page):
    upload(get_page, "Consultation document", PDF_BYTES, "ssi.pdf")
    document = reload(db, "SSI-2017").documents[0]
    url = f"/admin/build/SSI-2017/documents/{document.id}"
    page = get_page(url)
    assert "ssi.pdf" in normalise(page.select_one("#current-file").text)
    upload(get_page, "Consultation document (revised)", _docx(), "ssi-v2.docx", url=url)
    document = reload(db, "SSI-2017").documents[0]
    assert (document.title, document.filename) == ("Consultation document (revised)", "ssi-v2.docx")
    event = audit_events(db, "document.replaced")[0]
    assert event.detail["before"]["filename"] == "ssi.pdf"
    assert event.detail["after"]["filename"] == "ssi-v2.docx"


def test_retitling_without_a_new_file_keeps_the_file(db, consultation, get_page):
    upload(get_page, "Consultation document", PDF_BYTES, "ssi.pdf")
    document = reload(db, "SSI-2017").documents[0]
    get_page(
        f"/admin/build/SSI-2017/documents/{document.id}",
        method="post",
        data={"title": "Main document"},
        follow_redirects=True,
    )
    document = reload(db, "SSI-2017").documents[0]
    assert (document.title, document.filename) == ("Main document", "ssi.pdf")
    assert [e.action for e in audit_events(db, "document.")][-1] == "document.edited"


def test_removing_a_document_asks_first_then_takes_it_off_the_public_page(
    db, consultation, get_page
):
    upload(get_page, "Consultation document", PDF_BYTES, "ssi.pdf")
    document = reload(db, "SSI-2017").documents[0]
    url = f"/admin/build/SSI-2017/documents/{document.id}/delete"
    assert normalise(get_page(url).select_one("h1").text) == "Remove “Consultation document”?"
    get_page(url, method="post", follow_redirects=True)
    assert reload(db, "SSI-2017").documents == []
    public = get_page("/consultations/SSI-2017")
    assert public.select_one(".consult-document") is None
    assert audit_events(db, "document.removed")[0].detail["before"]["title"] == (
        "Consultation document"
    )


def test_another_consultations_document_is_not_found(db, consultation, get_page):
    upload(get_page, "Consultation document", PDF_BYTES, "ssi.pdf")
    document = reload(db, "SSI-2017").documents[0]
    factories.make_consultation(db, "OTHER-1")
    get_page(f"/admin/build/OTHER-1/documents/{document.id}", status=404)


def test_a_second_document_with_the_same_title_is_refused(db, consultation, get_page):
    upload(get_page, "Consultation document", PDF_BYTES, "ssi.pdf")
    page = upload(get_page, "consultation DOCUMENT ", PDF_BYTES, "again.pdf")
    assert error_messages(page) == [
        "There is already a document called “Consultation document”: give each document a "
        "different title"
    ]
    assert page.select_one(".govuk-error-summary a")["href"] == "#title"
    assert [d.title for d in reload(db, "SSI-2017").documents] == ["Consultation document"]
    # A document keeps its own title when its file is replaced.
    [document] = reload(db, "SSI-2017").documents
    page = upload(
        get_page,
        "Consultation document",
        PDF_BYTES + b"%v2",
        "ssi-v2.pdf",
        url=f"/admin/build/SSI-2017/documents/{document.id}",
    )
    assert "is saved" in normalise(page.select_one(".govuk-notification-banner").text)
