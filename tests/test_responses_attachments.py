"""Supporting documents: upload (checked by content), list, remove and download one's
own; every refusal as a GOV.UK error summary; a request too large for the server gets
the friendly 413 page."""

import io
from datetime import timedelta
from pathlib import Path

import docx
import openpyxl
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from consult.db import utcnow
from consult.filters import size_limit
from consult.models import Attachment, AuditEvent, Response, ResponseStatus
from tests import factories
from tests.conftest import normalise
from tests.responses_helpers import (
    ANSWERS,
    QUESTIONS,
    error_summary,
    fresh,
    respond_url,
    version_on,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSV = b"Category,Cost\nMetering,1200\nBilling,800\n"
LIMIT = 50_000


def word_document() -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Our evidence")
    document.save(buffer)
    return buffer.getvalue()


def spreadsheet() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Impact"
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "MAX_UPLOAD_BYTES": LIMIT}


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)


@pytest.fixture
def signed_in(login, respondent):
    login(respondent)
    return respondent


def page_url(consultation) -> str:
    return respond_url(consultation, "attachments")


def upload(client, consultation, content: bytes, name: str):
    return client.post(
        page_url(consultation),
        data={"upload": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def upload_unread(client, consultation, content: bytes, name: str):
    """An upload the server refuses before reading it. Encoded by hand: the test client
    spools a large body to a temporary file that stays open when the body is never read."""
    boundary, body = encode_multipart({"upload": FileStorage(io.BytesIO(content), name)})
    return client.post(
        page_url(consultation),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def stored(db) -> list[Attachment]:
    return list(fresh(db).scalars(select(Attachment).order_by(Attachment.id)))


def test_upload_page_has_a_multipart_form_with_a_labelled_file_input(
    get_page, consultation, signed_in
):
    page = get_page(page_url(consultation))
    form = page.select_one("form[enctype='multipart/form-data']")
    assert form.select_one("input[type=file]#upload")
    assert normalise(page.select_one("label[for=upload]").text) == "Upload a file"
    assert normalise(page.select_one("#no-files").text) == "No files attached."


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PDF, "evidence.pdf", "application/pdf"),
        (
            word_document(),
            "Our response.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            spreadsheet(),
            "costs.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (CSV, "costs.csv", "text/csv"),
    ],
)
def test_a_supported_file_is_attached_and_listed(
    client, get_page, db, consultation, signed_in, content, name, content_type
):
    response = upload(client, consultation, content, name)
    assert response.location.endswith(page_url(consultation))
    [attachment] = stored(db)
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        name,
        content_type,
        len(content),
    )
    assert attachment.uploaded_by_id == signed_in.id
    page = get_page(page_url(consultation))
    assert f"{name} has been attached." in normalise(page.text)
    assert normalise(page.select_one("#attached-files a").text) == name


def test_the_file_is_stored_under_its_content_hash(app, client, db, consultation, signed_in):
    upload(client, consultation, PDF, "evidence.pdf")
    [attachment] = stored(db)
    path = Path(app.config["UPLOAD_FOLDER"]) / "attachments" / attachment.sha256
    assert path.read_bytes() == PDF


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "report.pdf", "must be a"),
        (b"just some words", "notes.docx", "must be a"),
        (b"", "empty.pdf", "The selected file is empty"),
        (b"%PDF-1.4\n" + b"x" * LIMIT, "big.pdf", "must be smaller than"),
    ],
    ids=["program-named-pdf", "text-named-docx", "empty", "oversize"],
)
def test_a_refused_file_is_explained_in_the_error_summary(
    get_page, db, consultation, signed_in, content, name, message
):
    page = get_page(
        page_url(consultation),
        method="post",
        data={"upload": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    [error] = error_summary(page)
    assert message in error
    assert page.select_one(".govuk-error-summary a")["href"] == "#upload"
    assert page.select_one("#upload-error")
    assert stored(db) == []


def test_the_upload_hint_and_the_refusal_give_the_size_limit_alike(
    app, get_page, consultation, signed_in
):
    app.config["MAX_UPLOAD_BYTES"] = 10 * 1024 * 1024  # the default
    page = get_page(page_url(consultation))
    assert normalise(page.select_one("#upload-hint").text).endswith("smaller than 10 MB.")
    app.config["MAX_UPLOAD_BYTES"] = 256 * 1024  # a file over it still fits in a request
    page = get_page(page_url(consultation))
    assert normalise(page.select_one("#upload-hint").text).endswith("smaller than 0.25 MB.")
    page = get_page(
        page_url(consultation),
        method="post",
        data={"upload": (io.BytesIO(PDF + b"x" * 256 * 1024), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert error_summary(page) == ["The selected file must be smaller than 0.25 MB"]


def test_no_file_chosen_says_select_a_file(get_page, consultation, signed_in):
    page = get_page(page_url(consultation), method="post", data={})
    assert error_summary(page) == ["Select a file to upload"]


def test_a_request_larger_than_the_server_takes_gets_the_friendly_413_page(
    client, db, consultation, signed_in
):
    response = upload_unread(
        client, consultation, b"%PDF-1.4\n" + b"x" * (LIMIT + 2 * 1024 * 1024), "x.pdf"
    )
    assert response.status_code == 413
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert normalise(page.select_one("h1").text) == "The file is too large"
    assert f"Choose a file smaller than {size_limit(LIMIT)}, then send the form again." in (
        normalise(page.text)
    )
    way_back = page.select_one("#way-back")
    assert (normalise(way_back.text), way_back["href"]) == (
        "Go back to the form",
        page_url(consultation),
    )
    assert stored(db) == []


def test_a_file_up_to_twice_the_limit_is_refused_on_its_own_form(
    client, get_page, db, consultation, signed_in
):
    page = get_page(
        page_url(consultation),
        method="post",
        data={"upload": (io.BytesIO(PDF + b"x" * (2 * LIMIT - len(PDF))), "twice.pdf")},
        content_type="multipart/form-data",
    )
    assert error_summary(page) == [f"The selected file must be smaller than {size_limit(LIMIT)}"]
    assert stored(db) == []


def test_removing_an_attachment(client, get_page, db, consultation, signed_in):
    upload(client, consultation, PDF, "evidence.pdf")
    get_page(page_url(consultation))
    [attachment] = stored(db)
    response = client.post(f"{page_url(consultation)}/{attachment.id}/remove")
    assert response.location.endswith(page_url(consultation))
    page = get_page(page_url(consultation))
    assert normalise(page.select_one("#no-files").text) == "No files attached."
    # Kept, marked removed: a submitted revision may hold it.
    assert [a.removed_at is not None for a in stored(db)] == [True]
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["response.attachment_added", "response.attachment_removed"]


def test_downloading_ones_own_attachment(client, db, consultation, signed_in):
    upload(client, consultation, PDF, "evidence.pdf")
    [attachment] = stored(db)
    with client.get(f"{page_url(consultation)}/{attachment.id}") as response:
        assert response.status_code == 200
        assert response.data == PDF
        assert "evidence.pdf" in response.headers["Content-Disposition"]


def test_another_organisation_cannot_download_or_remove_it(
    app, client, login, db, consultation, signed_in, other_respondent
):
    upload(client, consultation, PDF, "evidence.pdf")
    [attachment] = stored(db)
    other = app.test_client()
    login(other_respondent, other)
    assert other.get(f"{page_url(consultation)}/{attachment.id}").status_code == 404
    assert other.post(f"{page_url(consultation)}/{attachment.id}/remove").status_code == 404
    assert len(stored(db)) == 1


def test_attachments_show_on_check_answers(client, get_page, consultation, signed_in):
    upload(client, consultation, CSV, "costs.csv")
    page = get_page(respond_url(consultation, "check"))
    assert normalise(page.select_one("#attachments .govuk-summary-list__value").text) == (
        "costs.csv"
    )


def test_attachments_cannot_change_after_close(client, db, consultation, signed_in):
    upload(client, consultation, PDF, "evidence.pdf")
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    db.commit()
    response = upload_unread(client, consultation, CSV, "late.csv")
    assert "This consultation has closed" in normalise(response.get_data(as_text=True))
    assert [a.filename for a in stored(db)] == ["evidence.pdf"]


def test_a_file_added_by_a_colleague_makes_my_check_answers_page_out_of_date(
    app, client, get_page, db, login, consultation, signed_in, colleague
):
    for key, data in ANSWERS.items():
        client.post(respond_url(consultation, key), data={**data, "version": version(db)})
    client.post(
        respond_url(consultation, "confidentiality"),
        data={"confidential": "no", "version": version(db)},
    )
    mine = get_page(respond_url(consultation, "check"))
    theirs = app.test_client()
    login(colleague, theirs)
    upload(theirs, consultation, CSV, "costs.csv")
    page = get_page(
        respond_url(consultation, "check"),
        method="post",
        data={"version": version_on(mine), "declaration": "y"},
    )
    assert error_summary(page)[0].startswith(
        "Your response was not submitted because Colleague changed it at"
    )
    assert "costs.csv" in normalise(page.select_one("#attachments").text)
    fresh(db)
    assert db.scalar(select(Response.status)) is ResponseStatus.draft


def version(db) -> str:
    fresh(db)
    found = db.scalar(select(Response.version))
    return str(found or 0)


def test_an_answer_too_long_for_the_server_says_so_and_links_back(client, consultation, signed_in):
    url = respond_url(consultation, "q3")
    response = client.post(
        url, data={"answer": "x" * (2 * LIMIT + 1024 * 1024 + 1), "version": "1"}
    )
    assert response.status_code == 413
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert normalise(page.select_one("h1").text) == "What you sent is too long"
    assert "Shorten what you typed, then send the form again." in normalise(page.text)
    assert page.select_one("#way-back")["href"] == url
