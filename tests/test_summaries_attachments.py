"""The summary page lists the files respondents attached, each downloadable by the Panel
and SECAS, in the version asked for: the public one leaves out confidential respondents'
files, as its zip does. Only files a counted response's current revision was submitted
with appear."""

import copy
import io
import unicodedata
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.http import parse_options_header

from consult.db import utcnow
from consult.models import Attachment, PartyCategory
from consult.responses import attachments
from consult.responses import service as responses
from consult.summaries import views
from consult.summaries.archive import CountedAttachment
from tests import factories
from tests.conftest import normalise
from tests.summaries_helpers import (
    REFERENCE,
    count_queries,
    respondent_of,
    summary_url,
    table_head,
)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
EVIDENCE = PDF + b"British Gas evidence"
COSTS = PDF + b"Octopus costs"


def attach(app, db, arranged, name: str, filename: str, content: bytes, resubmit: bool = True):
    """Attach a file to the organisation's response, submitting it again unless told not to."""
    user = arranged.users[name]
    response = responses.find_response(db, arranged.consultation, user.organisation_id)
    now = arranged.consultation.closes_at - timedelta(minutes=30)
    root = app.config["UPLOAD_FOLDER"]
    attachment = factories.attach(db, response, user, filename, content, root=root, now=now)
    if resubmit:
        factories.resubmit(db, response, user, now=now)
    return attachment


@pytest.fixture
def attached(app, db, arranged):
    """British Gas (named) and Octopus Energy (confidential) each submitted a file."""
    attach(app, db, arranged, "British Gas", "evidence.pdf", EVIDENCE)
    attach(app, db, arranged, "Octopus Energy", "costs.pdf", COSTS)
    return arranged


def file_url(attachment_id: int, version: str | None = None) -> str:
    return summary_url(suffix=f"/attachments/{attachment_id}", version=version)


def file_id(db, filename: str) -> int:
    return db.scalar(select(Attachment.id).where(Attachment.filename == filename))


def visible_rows(page, table_id: str) -> list[list[str]]:
    """A table's body as a sighted reader sees it (visually hidden text left out)."""
    table = copy.copy(page.select_one(f"#{table_id}"))
    for hidden in table.select(".govuk-visually-hidden"):
        hidden.decompose()
    return [[normalise(c.text) for c in row.select("th, td")] for row in table.select("tbody tr")]


def download(client, url: str):
    """GET a download, read it whole and close it."""
    with client.get(url) as response:
        response.get_data()
        return response


def zip_names(client) -> list[str]:
    """The entry names of the Panel version's attachments zip."""
    data = download(client, summary_url(suffix="/attachments.zip")).get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def respond_with_files(app, db, arranged, organisation: str, attached: dict[str, bytes]) -> None:
    """A new organisation's response to the arranged consultation, submitted with these files."""
    user = respondent_of(db, organisation, PartyCategory.small_supplier)
    arranged.users[organisation] = user
    now = arranged.consultation.closes_at - timedelta(hours=1)
    response = factories.make_response(db, arranged.consultation, user, submit=False, now=now)
    for filename, content in attached.items():
        attach(app, db, arranged, organisation, filename, content, resubmit=False)
    factories.resubmit(db, response, user, now=now)


def filename_of(response) -> str:
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    return options["filename"]


# The list


def test_panel_version_lists_every_file_with_respondent_type_and_size(attached, as_panel, get_page):
    page = get_page(summary_url())
    assert table_head(page, "attached") == [
        "Respondent",
        "Receipt reference",
        "File",
        "Type",
        "Size",
    ]
    assert page.select_one("#attached caption")
    assert visible_rows(page, "attached") == [
        ["British Gas", "SSI-2017-R0001", "evidence.pdf", "PDF", f"{len(EVIDENCE)} bytes"],
        [
            "Octopus Energy Confidential",
            "SSI-2017-R0002",
            "costs.pdf",
            "PDF",
            f"{len(COSTS)} bytes",
        ],
    ]


def test_each_file_link_names_its_respondent_to_screen_readers(attached, as_panel, get_page):
    links = get_page(summary_url()).select("#attached a")
    assert [normalise(a.text) for a in links] == [
        "evidence.pdf from British Gas (SSI-2017-R0001)",
        "costs.pdf from Octopus Energy (SSI-2017-R0002)",
    ]


def test_public_version_leaves_out_confidential_respondents_files(attached, as_panel, get_page):
    page = get_page(summary_url(version="public"))
    assert visible_rows(page, "attached") == [
        ["British Gas", "SSI-2017-R0001", "evidence.pdf", "PDF", f"{len(EVIDENCE)} bytes"],
    ]
    listed = page.select_one("#attached").text
    assert "costs.pdf" not in listed and "Octopus" not in listed
    assert page.select_one("#attached a")["href"].endswith("?version=public")


def test_a_file_not_yet_submitted_never_appears(app, client, db, attached, as_panel, get_page):
    draft = attach(app, db, attached, "British Gas", "draft.pdf", PDF + b"draft", resubmit=False)
    page = get_page(summary_url())
    assert "draft.pdf" not in page.text
    assert client.get(file_url(draft.id)).status_code == 404


def test_a_withdrawn_responses_file_never_appears(app, client, db, as_panel, get_page):
    consultation = factories.make_consultation(db, "WD-1", status="open")
    user = respondent_of(db, "Leaving Energy", PartyCategory.small_supplier)
    response = factories.make_response(db, consultation, user, submit=False)
    root = app.config["UPLOAD_FOLDER"]
    gone = factories.attach(db, response, user, "gone.pdf", PDF, root=root)
    factories.resubmit(db, response, user)
    responses.withdraw(db, response, expected_version=response.version, user=user, now=utcnow())
    db.commit()
    page = get_page(summary_url("WD-1"))
    assert "gone.pdf" not in page.text
    assert client.get(summary_url("WD-1", f"/attachments/{gone.id}")).status_code == 404


def test_no_files_is_said(arranged, as_panel, get_page):
    page = get_page(summary_url())
    assert normalise(page.select_one("#no-attached").text) == "No respondent attached a file."
    assert page.select_one("#attached") is None


def test_many_files_are_capped_with_a_link_to_the_zip(
    app, db, attached, as_panel, get_page, monkeypatch
):
    attach(app, db, attached, "SGN", "plan.pdf", PDF + b"SGN plan")
    monkeypatch.setattr(views, "ATTACHMENTS_LISTED", 2)
    page = get_page(summary_url())
    assert len(page.select("#attached tbody tr")) == 2
    range_text = page.select_one("#attached-range")
    assert normalise(range_text.text).startswith("The first 2 of 3 files are listed")
    zip_link = range_text.select_one("a")
    assert normalise(zip_link.text) == "Download all 3 files as a zip"
    assert zip_link["href"].endswith(f"/panel/consultations/{REFERENCE}/summary/attachments.zip")


def test_page_queries_do_not_grow_with_attached_files(app, client, db, as_panel):
    def queries_for(reference: str, count: int) -> int:
        consultation = factories.make_consultation(db, reference, status="open")
        for n in range(count):
            user = respondent_of(db, f"{reference} org {n}", list(PartyCategory)[n % 7])
            response = factories.make_response(db, consultation, user, submit=False)
            content = PDF + f"{reference} {n}".encode()
            root = app.config["UPLOAD_FOLDER"]
            factories.attach(db, response, user, f"file {n}.pdf", content, root=root)
            factories.resubmit(db, response, user)
        return count_queries(app, client, summary_url(reference))

    assert queries_for("FEW-1", 2) == queries_for("MANY-1", 12)


# Downloading one file


def test_panel_downloads_a_file_named_as_in_the_zip(client, db, attached, as_panel, get_page):
    href = get_page(summary_url()).select("#attached a")[1]["href"]
    response = download(client, href)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.get_data() == COSTS
    assert filename_of(response) == "SSI-2017-R0002 Octopus Energy - costs.pdf"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_secas_downloads_a_file_too(client, attached, login, secas, get_page):
    login(secas)
    href = get_page(summary_url(version="public")).select_one("#attached a")["href"]
    response = download(client, href)
    assert response.get_data() == EVIDENCE
    assert filename_of(response) == "SSI-2017-R0001 British Gas - evidence.pdf"


def test_public_version_refuses_a_confidential_respondents_file(client, db, attached, as_panel):
    costs = file_id(db, "costs.pdf")
    assert client.get(file_url(costs, version="public")).status_code == 404


def test_an_earlier_revisions_file_is_not_served(app, client, db, attached, as_panel):
    user = attached.users["British Gas"]
    response = responses.find_response(db, attached.consultation, user.organisation_id)
    evidence = response.attachments[0]
    now = attached.consultation.closes_at - timedelta(minutes=20)
    attachments.remove(db, response, evidence.id, user=user, now=now)
    factories.resubmit(db, response, user, now=now)
    assert client.get(file_url(evidence.id)).status_code == 404


def test_a_file_of_another_consultation_is_not_found(client, db, app, attached, as_panel):
    consultation = factories.make_consultation(db, "OTHER-1", status="open")
    user = respondent_of(db, "Elsewhere Energy", PartyCategory.small_supplier)
    response = factories.make_response(db, consultation, user, submit=False)
    root = app.config["UPLOAD_FOLDER"]
    theirs = factories.attach(db, response, user, "theirs.pdf", PDF + b"other", root=root)
    factories.resubmit(db, response, user)
    assert client.get(file_url(theirs.id)).status_code == 404


def test_a_missing_stored_file_is_not_found(app, client, attached, as_panel, get_page):
    href = get_page(summary_url()).select_one("#attached a")["href"]
    for stored in (Path(app.config["UPLOAD_FOLDER"]) / "attachments").iterdir():
        stored.unlink()
    assert client.get(href).status_code == 404


def test_a_respondent_may_not_download_even_their_own_file(client, db, attached, login):
    login(attached.users["British Gas"])
    evidence = file_id(db, "evidence.pdf")
    for version in (None, "public"):
        assert client.get(file_url(evidence, version=version)).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, db, attached):
    response = client.get(file_url(file_id(db, "evidence.pdf")))
    assert response.status_code == 302
    assert "/auth/login" in response.location


# Names that unzip on Windows and macOS

# Windows gives no file a name longer than 255 characters; the zip's names keep within 240.
NAME_LIMIT = 240
LONG_ORGANISATION = (
    "The Association of Independent Smart Metering Suppliers and Operators of Great Britain"
)
LONG_FILENAME = ("Evidence for the SEC Panel, " * 7)[:187] + ".pdf"  # 191 characters


def test_names_replace_the_characters_windows_forbids(app, client, db, arranged, as_panel):
    respond_with_files(
        app, db, arranged, 'Foo/Bar: "Energy" <North|South> Ltd?*', {"Q&A: costs?.pdf": COSTS}
    )
    expected = "SSI-2017-R0007 Foo-Bar- -Energy- -North-South- Ltd-- - Q&A- costs-.pdf"
    assert zip_names(client) == [expected]
    single = download(client, file_url(file_id(db, "Q&A: costs?.pdf")))
    assert filename_of(single) == expected


def test_names_differing_only_by_case_are_numbered(app, client, db, attached, as_panel):
    attach(app, db, attached, "British Gas", "Evidence.pdf", PDF + b"British Gas, again")
    assert zip_names(client) == [
        "SSI-2017-R0001 British Gas - evidence.pdf",
        "SSI-2017-R0001 British Gas - Evidence (2).pdf",
        "SSI-2017-R0002 Octopus Energy - costs.pdf",
    ]


def test_names_spelt_with_the_same_accented_letters_are_one_name(
    app, client, db, attached, as_panel
):
    # "é" typed as one character on Windows, as "e" and a combining accent on macOS: the
    # same name to macOS, whose unzip would put one file over the other.
    composed, decomposed = "Réponse.pdf", "Re\u0301ponse.pdf"
    attach(app, db, attached, "British Gas", composed, PDF + b"typed on Windows")
    attach(app, db, attached, "British Gas", decomposed, PDF + b"typed on a Mac")
    names = [name for name in zip_names(client) if "ponse" in name]
    assert names == [
        "SSI-2017-R0001 British Gas - Réponse.pdf",
        "SSI-2017-R0001 British Gas - Réponse (2).pdf",
    ]
    assert all(unicodedata.is_normalized("NFC", name) for name in names)


def test_a_long_name_is_shortened_keeping_receipt_and_extension(
    app, client, db, arranged, as_panel
):
    two_copies = {LONG_FILENAME: EVIDENCE, LONG_FILENAME.upper(): COSTS}
    respond_with_files(app, db, arranged, LONG_ORGANISATION, two_copies)
    first, second = zip_names(client)
    assert first.startswith(f"SSI-2017-R0007 {LONG_ORGANISATION} - Evidence for the SEC Panel")
    assert first.endswith(".pdf") and not first.endswith(" (2).pdf")
    assert second.endswith(" (2).PDF")
    assert max(len(first), len(second)) <= NAME_LIMIT
    single = download(client, file_url(file_id(db, LONG_FILENAME)))
    assert filename_of(single) == first


def test_a_long_name_without_a_real_extension_stays_within_the_limit():
    # Uploads always end in an accepted extension; a name stored otherwise (an early dot,
    # then 198 characters) must still not make an entry longer than the limit.
    attachment = CountedAttachment(
        1, "A" * 40 + "-R0001", "Very long organisation name " * 5, False, "x." + "b" * 198,
        "application/pdf", 1, "0" * 64,
    )  # fmt: skip
    assert len(attachment.download_name) <= NAME_LIMIT
    assert attachment.download_name.startswith("A" * 40 + "-R0001 Very long organisation")
