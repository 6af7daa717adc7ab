"""SECAS's view of one response lists the files submitted with the revision shown, each
downloadable by SECAS alone; a file only in a draft never shows."""

import pytest
from werkzeug.http import parse_options_header

from consult.responses import attachments
from tests import factories
from tests.conftest import normalise
from tests.people_helpers import table_rows

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVIDENCE = PDF + b"our evidence"
COSTS = b"item,cost\nmeters,100\nbilling,200\n"
DRAFT_ONLY = PDF + b"not yet submitted"


@pytest.fixture
def signed_in(secas, login):
    login(secas)
    return secas


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017")


@pytest.fixture
def root(app) -> str:
    return app.config["UPLOAD_FOLDER"]


@pytest.fixture
def submitted(db, consultation, respondent, root):
    """British Gas submitted evidence.pdf and costs.csv, then attached draft-only.pdf to
    its working copy without submitting again."""
    response = factories.make_response(db, consultation, respondent, submit=False)
    factories.attach(db, response, respondent, "evidence.pdf", EVIDENCE, root=root)
    factories.attach(db, response, respondent, "costs.csv", COSTS, root=root)
    factories.resubmit(db, response, respondent)
    factories.attach(db, response, respondent, "draft-only.pdf", DRAFT_ONLY, root=root)
    return response


def response_url(response, revision: int | None = None) -> str:
    url = f"/admin/consultations/SSI-2017/responses/{response.id}"
    return f"{url}?revision={revision}" if revision else url


def file_url(response, attachment_id: int) -> str:
    return f"{response_url(response)}/attachments/{attachment_id}"


def download(client, url: str):
    """GET a download, read it whole and close it (an unclosed file is a test error)."""
    with client.get(url) as response:
        response.get_data()
        return response


def attachment_id(response, filename: str) -> int:
    return next(a.id for a in response.all_attachments if a.filename == filename)


def test_the_revision_shown_lists_its_files_with_type_and_size(submitted, signed_in, get_page):
    page = get_page(response_url(submitted))
    heading = page.select_one("#attachments").find_previous("h2")
    assert normalise(heading.text) == "Supporting documents in revision 1"
    assert [normalise(th.text) for th in page.select("#attachments thead th")] == [
        "File",
        "Type",
        "Size",
    ]
    assert normalise(page.select_one("#attachments caption").text) == (
        "Files submitted with revision 1"
    )
    assert table_rows(page, "#attachments") == [
        ["evidence.pdf", "PDF", f"{len(EVIDENCE)} bytes"],
        ["costs.csv", "CSV", f"{len(COSTS)} bytes"],
    ]


def test_a_file_attached_since_the_last_submission_is_not_listed(submitted, signed_in, get_page):
    page = get_page(response_url(submitted))
    assert "draft-only.pdf" not in page.text


def test_secas_downloads_a_submitted_file(client, submitted, signed_in, get_page):
    page = get_page(response_url(submitted))
    link = page.select_one("#attachments a[href]")
    response = download(client, link["href"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.get_data() == EVIDENCE
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert (disposition, options["filename"]) == ("attachment", "evidence.pdf")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_file_only_in_the_draft_cannot_be_downloaded(client, submitted, signed_in):
    draft_only = attachment_id(submitted, "draft-only.pdf")
    assert client.get(file_url(submitted, draft_only)).status_code == 404


def test_each_revision_lists_the_files_it_was_submitted_with(
    client, db, submitted, respondent, signed_in, get_page
):
    evidence = attachment_id(submitted, "evidence.pdf")
    attachments.remove(
        db, submitted, evidence, user=respondent, now=factories.while_open(submitted.consultation)
    )
    factories.resubmit(db, submitted, respondent)
    current = get_page(response_url(submitted))
    assert [row[0] for row in table_rows(current, "#attachments")] == [
        "costs.csv",
        "draft-only.pdf",
    ]
    first = get_page(response_url(submitted, revision=1))
    assert [row[0] for row in table_rows(first, "#attachments")] == ["evidence.pdf", "costs.csv"]
    # Removed from the working copy since, it is still what revision 1 was submitted with.
    assert download(client, file_url(submitted, evidence)).get_data() == EVIDENCE


def test_a_response_never_submitted_lists_no_files(
    client, db, consultation, respondent, root, signed_in, get_page
):
    draft = factories.make_response(db, consultation, respondent, submit=False)
    factories.attach(db, draft, respondent, "draft-only.pdf", DRAFT_ONLY, root=root)
    page = get_page(response_url(draft))
    assert normalise(page.select_one("#no-attachments").text) == (
        "Files the organisation attaches are shown here once it submits its response."
    )
    assert "draft-only.pdf" not in page.text
    draft_only = attachment_id(draft, "draft-only.pdf")
    assert client.get(file_url(draft, draft_only)).status_code == 404


def test_a_revision_without_files_says_so(db, consultation, respondent, signed_in, get_page):
    response = factories.make_response(db, consultation, respondent)
    page = get_page(response_url(response))
    assert normalise(page.select_one("#no-attachments").text) == (
        "No files were submitted with this revision."
    )


def test_another_responses_file_is_not_found_through_this_response(
    client, db, consultation, submitted, other_respondent, root, signed_in
):
    other = factories.make_response(db, consultation, other_respondent, submit=False)
    theirs = factories.attach(db, other, other_respondent, "theirs.pdf", PDF + b"x", root=root)
    factories.resubmit(db, other, other_respondent)
    assert client.get(file_url(submitted, theirs.id)).status_code == 404
    assert download(client, file_url(other, theirs.id)).status_code == 200


def test_a_file_is_not_found_under_another_consultation(client, db, submitted, signed_in):
    factories.make_consultation(db, "OTHER-1")
    evidence = attachment_id(submitted, "evidence.pdf")
    url = f"/admin/consultations/OTHER-1/responses/{submitted.id}/attachments/{evidence}"
    assert client.get(url).status_code == 404


def test_the_download_name_is_safe_and_kept_in_full(
    client, db, consultation, respondent, root, signed_in
):
    response = factories.make_response(db, consultation, respondent, submit=False)
    odd = factories.attach(
        db, response, respondent, 'Évaluation "final"; v2.pdf', EVIDENCE, root=root
    )
    factories.resubmit(db, response, respondent)
    sent = download(client, file_url(response, odd.id))
    _, options = parse_options_header(sent.headers["Content-Disposition"])
    assert options["filename"] == 'Évaluation "final"; v2.pdf'


def test_repeated_file_names_get_hidden_context(
    db, consultation, respondent, root, signed_in, get_page
):
    response = factories.make_response(db, consultation, respondent, submit=False)
    factories.attach(db, response, respondent, "evidence.pdf", EVIDENCE, root=root)
    factories.attach(db, response, respondent, "evidence.pdf", PDF + b"more", root=root)
    factories.resubmit(db, response, respondent)
    links = get_page(response_url(response)).select("#attachments a")
    assert [normalise(a.text) for a in links] == ["evidence.pdf (file 1)", "evidence.pdf (file 2)"]


@pytest.mark.parametrize("who", ["respondent", "panel"])
def test_only_secas_may_download(request, client, login, submitted, who):
    login(request.getfixturevalue(who))
    evidence = attachment_id(submitted, "evidence.pdf")
    assert client.get(file_url(submitted, evidence)).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, submitted):
    evidence = attachment_id(submitted, "evidence.pdf")
    response = client.get(file_url(submitted, evidence))
    assert response.status_code == 302
    assert "/auth/login" in response.location
