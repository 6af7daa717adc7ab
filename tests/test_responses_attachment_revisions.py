"""Attachments are part of the revision they were submitted with: while an organisation
amends its response, the Panel and the organisation's own record of what it submitted
keep showing the files of the current revision; resubmitting replaces them."""

import io
import zipfile

import pytest
from bs4 import BeautifulSoup
from docx import Document
from sqlalchemy import select

from consult.models import Attachment
from tests import factories
from tests.conftest import check_page, normalise
from tests.responses_helpers import (
    QUESTIONS,
    answer_all,
    fresh,
    respond_url,
    response_url,
    submit,
)
from tests.summaries_helpers import summary_url

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIRST = PDF + b"first evidence"
SECOND = PDF + b"second evidence"
REFERENCE = "SSI-2017"


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, REFERENCE, questions=QUESTIONS)


@pytest.fixture
def panel_client(app, login, panel):
    """The Panel member's browser, beside the respondent's."""
    a_client = app.test_client()
    login(panel, a_client)
    return a_client


def attachments_url(consultation, attachment_id: int | None = None, action: str = "") -> str:
    url = respond_url(consultation, "attachments")
    return url if attachment_id is None else f"{url}/{attachment_id}{action}"


def upload(client, consultation, content: bytes, name: str) -> None:
    """Upload through the attachments page, following the redirect as a browser would
    (so its "attached" message is shown and gone)."""
    response = client.post(
        attachments_url(consultation),
        data={"upload": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200 and response.history, f"uploading {name} failed"


def attachment_id(db, filename: str) -> int:
    return fresh(db).scalar(select(Attachment.id).where(Attachment.filename == filename))


@pytest.fixture
def amending(client, db, login, respondent, consultation):
    """Submitted with first.pdf; now amending: first.pdf removed, second.pdf added, and
    not yet resubmitted."""
    login(respondent)
    answer_all(client, consultation)
    upload(client, consultation, FIRST, "first.pdf")
    assert submit(client, consultation).status_code == 302
    first = attachment_id(db, "first.pdf")
    removed = client.post(attachments_url(consultation, first, "/remove"), follow_redirects=True)
    assert removed.status_code == 200 and removed.history
    upload(client, consultation, SECOND, "second.pdf")
    return consultation


@pytest.fixture
def resubmitted(client, amending):
    assert submit(client, amending).status_code == 302
    return amending


def page_of(a_client, url: str) -> BeautifulSoup:
    response = a_client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    check_page(page)
    return page


def zip_names(panel_client) -> list[str]:
    response = panel_client.get(summary_url(REFERENCE, "/attachments.zip"))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        return archive.namelist()


def panel_file_count(panel_client) -> str:
    link = page_of(panel_client, summary_url(REFERENCE)).select_one("#attachments-link")
    return normalise(link.text)


def listed_files(page: BeautifulSoup) -> list[str]:
    return [normalise(a.text) for a in page.select("#attachment-list a")]


def history(page: BeautifulSoup) -> dict[str, str]:
    """Each revision's number and its supporting documents, from the history table."""
    rows = page.select("#revisions tbody tr")
    cells = [[normalise(cell.text) for cell in row.select("td")] for row in rows]
    return {row[0]: row[-1] for row in cells}


def test_panel_zip_keeps_the_submitted_files_while_the_response_is_amended(panel_client, amending):
    assert zip_names(panel_client) == ["SSI-2017-R0001 British Gas - first.pdf"]


def test_panel_summary_counts_the_submitted_files_while_the_response_is_amended(
    panel_client, amending
):
    assert "(1 file)" in panel_file_count(panel_client)


def test_panel_zip_holds_the_new_files_once_the_amendment_is_submitted(panel_client, resubmitted):
    assert zip_names(panel_client) == ["SSI-2017-R0001 British Gas - second.pdf"]
    assert "(1 file)" in panel_file_count(panel_client)


def test_respondents_attachments_page_shows_the_amendments_files(get_page, amending):
    page = get_page(attachments_url(amending))
    assert [normalise(a.text) for a in page.select(".consult-attachment a")] == ["second.pdf"]


def test_own_response_page_lists_the_submitted_files_while_amending(get_page, amending):
    page = get_page(response_url(amending))
    assert listed_files(page) == ["first.pdf"]


def test_own_response_page_lists_the_new_files_once_resubmitted(get_page, resubmitted):
    page = get_page(response_url(resubmitted))
    assert listed_files(page) == ["second.pdf"]


def test_revision_history_lists_each_revisions_files(get_page, resubmitted):
    page = get_page(response_url(resubmitted))
    assert history(page) == {"2 (current)": "second.pdf", "1": "first.pdf"}


def test_a_file_removed_since_it_was_submitted_can_still_be_downloaded(client, db, amending):
    with client.get(attachments_url(amending, attachment_id(db, "first.pdf"))) as response:
        assert response.status_code == 200
        assert response.data == FIRST


def test_a_file_removed_before_it_was_ever_submitted_is_not_found(client, db, amending):
    draft_only = attachment_id(db, "second.pdf")
    client.post(attachments_url(amending, draft_only, "/remove"))
    assert client.get(attachments_url(amending, draft_only)).status_code == 404


def test_word_copy_lists_the_submitted_files_while_amending(client, amending):
    response = client.get(f"{response_url(amending)}/copy.docx")
    assert response.status_code == 200
    paragraphs = [p.text for p in Document(io.BytesIO(response.data)).paragraphs]
    assert paragraphs[paragraphs.index("Supporting documents") + 1 :] == ["first.pdf"]
