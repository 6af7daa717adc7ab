"""The summary downloads: CSV, XLSX and DOCX, in the panel and public versions."""

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from consult.db import utcnow
from consult.filters import uk_datetime
from consult.models import DeadlineChange, DeadlineChangeKind, PartyCategory
from consult.responses import attachments
from consult.responses import service as responses
from consult.responses.service import AnswerInput
from tests import factories
from tests.conftest import normalise
from tests.summaries_helpers import (
    CONFIDENTIAL,
    COUNTED,
    FORMULA,
    NOT_COUNTED,
    REFERENCE,
    answers,
    count_queries,
    download_name,
    respondent_of,
    summary_url,
)

HEADER = [
    "response_id",
    "receipt",
    "organisation",
    "category",
    "confidential",
    "late",
    "submitted_at",
    "revision",
    "q1 answer",
    "q1 rationale",
    "q2 answer",
    "q2 rationale",
    "q3 answer",
    "q3 rationale",
]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"

PUBLIC_NAMES = [
    "British Gas",
    "Confidential respondent (Small Supplier)",
    "Western Power",
    "SGN",
    "Confidential respondent (Large Supplier)",
]


def download(client, suffix: str, version: str | None = None, filename: str | None = None):
    response = client.get(summary_url(suffix=suffix, version=version))
    assert response.status_code == 200
    expected = filename or download_name(suffix, version or "panel")
    assert response.headers["Content-Disposition"] == f"attachment; filename={expected}"
    return response


def csv_rows(client, version: str | None = None) -> tuple[bytes, list[list[str]]]:
    data = download(client, ".csv", version).get_data()
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def docx_tables(data: bytes) -> list[list[list[str]]]:
    document = Document(io.BytesIO(data))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell for table in docx_tables(data) for row in table for cell in row]
    return "\n".join(paragraphs + cells)


def xlsx_sheets(data: bytes) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    sheets = {
        sheet.title: [_trimmed(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }
    workbook.close()
    return sheets


def _trimmed(row: tuple) -> list:
    """A sheet row without the empty cells that pad it to the sheet's width."""
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return values


# CSV


def test_csv_starts_with_a_byte_order_mark_and_is_named_after_the_version(
    client, arranged, as_panel
):
    response = download(client, ".csv")
    assert response.mimetype == "text/csv"
    assert response.get_data().startswith(b"\xef\xbb\xbf")


def test_csv_is_streamed_rather_than_built_in_memory(client, arranged, as_panel):
    response = client.get(summary_url(suffix=".csv"))
    assert response.is_streamed


def test_csv_has_answer_and_rationale_columns_in_question_order(client, arranged, as_panel):
    _, rows = csv_rows(client)
    assert rows[0] == HEADER


def test_csv_has_one_row_per_counted_response(client, arranged, as_panel):
    _, rows = csv_rows(client)
    assert [row[2] for row in rows[1:]] == COUNTED


def test_csv_row_holds_the_latest_revision_and_flags(client, arranged, as_panel):
    _, rows = csv_rows(client)
    western_power = dict(zip(HEADER, rows[3], strict=True))
    assert western_power["receipt"] == "SSI-2017-R0003"
    assert western_power["category"] == "Electricity Network"
    assert western_power["revision"] == "2"
    assert western_power["q1 answer"] == "Yes"
    assert western_power["q1 rationale"] == "Changed our mind."
    assert western_power["q2 answer"] == "Metering"
    assert western_power["submitted_at"].endswith("+00:00")
    sgn = dict(zip(HEADER, rows[4], strict=True))
    assert (sgn["late"], sgn["confidential"]) == ("Yes", "No")
    assert sgn["q1 rationale"] == "Our systems need longer.\nSecond line."


def test_csv_joins_multiple_choices_in_option_order(client, arranged, as_panel):
    _, rows = csv_rows(client)
    british_gas = dict(zip(HEADER, rows[1], strict=True))
    assert british_gas["q2 answer"] == "Metering; Billing"
    assert british_gas["q3 answer"] == "No further comments."


def test_csv_neutralises_formulas(client, arranged, as_panel):
    _, rows = csv_rows(client)
    octopus = dict(zip(HEADER, rows[2], strict=True))
    assert octopus["q1 rationale"] == "'" + FORMULA


def test_csv_neutralises_a_question_key_that_looks_like_a_formula(client, db, as_panel):
    questions = [{"key": "-1", "kind": "text", "text": "Anything else?", "required": False}]
    factories.make_consultation(db, "KEYS-1", questions=questions)
    header = next(csv.reader(io.StringIO(client.get(summary_url("KEYS-1", ".csv")).text)))
    assert header[-2:] == ["'-1 answer", "'-1 rationale"]


def test_csv_leaves_out_drafts_and_withdrawn_responses(client, arranged, as_panel):
    data, _ = csv_rows(client)
    for name in NOT_COUNTED:
        assert name.encode() not in data


def test_public_csv_anonymises_confidential_respondents(client, arranged, as_panel):
    data, rows = csv_rows(client, "public")
    assert [row[2] for row in rows[1:]] == PUBLIC_NAMES
    for name in CONFIDENTIAL:
        assert name.encode() not in data


def test_csv_of_a_consultation_without_responses_has_only_the_header(client, db, as_panel):
    factories.make_consultation(db, "EMPTY-1", status="open")
    response = client.get(summary_url("EMPTY-1", ".csv"))
    assert response.get_data().decode("utf-8-sig").splitlines() == [",".join(HEADER)]


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_documents_of_a_consultation_without_responses_still_download(client, db, as_panel, suffix):
    factories.make_consultation(db, "EMPTY-1", status="open")
    response = client.get(summary_url("EMPTY-1", suffix))
    assert response.status_code == 200
    assert response.get_data().startswith(b"PK")  # a zip container, as XLSX and DOCX are


# XLSX


def test_xlsx_has_a_summary_sheet_a_responses_sheet_and_a_sheet_per_text_question(
    client, arranged, as_panel
):
    sheets = xlsx_sheets(download(client, ".xlsx").get_data())
    assert list(sheets) == ["Summary", "Responses", "Question 3 answers"]


def test_xlsx_summary_sheet_holds_respondents_by_category_and_tallies(client, arranged, as_panel):
    rows = xlsx_sheets(download(client, ".xlsx").get_data())["Summary"]
    assert ["Large Supplier", 2] in rows
    assert ["Total", 5] in rows
    assert ["Confidential", 2] in rows and ["Late", 1] in rows
    q1 = rows.index(["Question 1: Do you agree with the proposed new end date?"])
    assert rows[q1 + 2] == ["Yes", 2, 0, 1, 0, 0, 0, 0, 3]
    assert rows[q1 + 3] == ["No", 0, 1, 0, 1, 0, 0, 0, 2]


def test_xlsx_responses_sheet_has_the_csv_columns(client, arranged, as_panel):
    rows = xlsx_sheets(download(client, ".xlsx").get_data())["Responses"]
    assert rows[0] == HEADER
    assert [row[2] for row in rows[1:]] == COUNTED
    # Empty answers are empty cells, so the rows are shorter than the header.
    octopus = dict(zip(HEADER, rows[2], strict=False))
    assert octopus["q1 rationale"] == FORMULA
    british_gas = dict(zip(HEADER, rows[1], strict=False))
    assert british_gas["revision"] == 1
    assert british_gas["q2 answer"] == "Metering; Billing"


def test_xlsx_writes_text_that_looks_like_a_formula_as_text(client, arranged, as_panel):
    data = download(client, ".xlsx").get_data()
    sheet = load_workbook(io.BytesIO(data))["Responses"]
    cell = sheet.cell(row=3, column=HEADER.index("q1 rationale") + 1)
    assert (cell.value, cell.data_type) == (FORMULA, "s")


def test_public_xlsx_anonymises_confidential_respondents(client, arranged, as_panel):
    sheets = xlsx_sheets(download(client, ".xlsx", "public").get_data())
    assert [row[2] for row in sheets["Responses"][1:]] == PUBLIC_NAMES
    cells = [str(v) for rows in sheets.values() for row in rows for v in row if v is not None]
    for name in CONFIDENTIAL:
        assert not any(name in cell for cell in cells)


# DOCX


def test_docx_has_title_period_and_respondents(client, arranged, as_panel):
    data = download(client, ".docx").get_data()
    document = Document(io.BytesIO(data))
    assert document.paragraphs[0].text.startswith(f"{REFERENCE}: ")
    assert "Consultation period:" in docx_text(data)
    respondents = next(t for t in docx_tables(data) if t[0][0] == "Respondent" and len(t[0]) == 7)
    assert [row[0] for row in respondents[1:]] == COUNTED


def test_docx_has_a_tally_and_an_answers_table_per_choice_question(client, arranged, as_panel):
    data = download(client, ".docx").get_data()
    headings = [
        p.text for p in Document(io.BytesIO(data)).paragraphs if p.style.name == "Heading 1"
    ]
    assert "Question 1: Do you agree with the proposed new end date?" in headings
    tables = docx_tables(data)
    tallies = [t for t in tables if t[0][0] == "Option"]
    assert tallies[0][1] == ["Yes", "2", "0", "1", "0", "0", "0", "0", "3"]
    answers = [t for t in tables if t[0] == ["Respondent", "Category", "Answer", "Rationale"]]
    assert len(answers) == 3
    assert answers[0][1] == ["British Gas", "Large Supplier", "Yes", "We support the new date."]
    assert answers[0][2][0] == "Octopus Energy [confidential]"
    assert answers[0][4][0] == "SGN [late]"
    assert len(answers[0]) == 1 + len(COUNTED)
    # Every respondent has a row under every question, saying so when they said nothing.
    assert answers[2][2] == [
        "Octopus Energy [confidential]",
        "Small Supplier",
        "(not answered)",
        "",
    ]


def test_public_docx_anonymises_confidential_respondents(client, arranged, as_panel):
    data = download(client, ".docx", "public").get_data()
    text = docx_text(data)
    for name in CONFIDENTIAL:
        assert name not in text
    assert "Confidential respondent (Small Supplier)" in text
    assert "[confidential]" not in text


def test_docx_leaves_out_drafts_and_withdrawn_responses(client, arranged, as_panel):
    text = docx_text(download(client, ".docx").get_data())
    for absent in [*NOT_COUNTED, "Withdrawn view.", "First thoughts."]:
        assert absent not in text


def test_docx_survives_control_characters_in_answers(client, db, as_panel):
    consultation = factories.make_consultation(db, "HOSTILE-1", status="open")
    user = respondent_of(db, "Odd Energy", PartyCategory.other_sec_party)
    factories.make_response(db, consultation, user, answers("Yes", "Bell\x07 and\x0bfeed"))
    response = client.get(summary_url("HOSTILE-1", ".docx"))
    assert response.status_code == 200
    # The bell is dropped; Word's line break (a vertical tab) stays a line break.
    assert "Bell and\nfeed" in docx_text(response.get_data())


def test_xlsx_keeps_words_line_break_and_drops_other_control_characters(client, db, as_panel):
    consultation = factories.make_consultation(db, "HOSTILE-1", status="open")
    user = respondent_of(db, "Odd Energy", PartyCategory.other_sec_party)
    factories.make_response(db, consultation, user, answers("Yes", "Bell\x07 and\x0bfeed"))
    sheets = xlsx_sheets(client.get(summary_url("HOSTILE-1", ".xlsx")).get_data())
    cells = [cell for row in sheets["Responses"] for cell in row if isinstance(cell, str)]
    assert "Bell and\nfeed" in cells
    assert not any("\x07" in cell or "_x0007_" in cell for cell in cells)


# Bad requests


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx"])
def test_download_of_an_unknown_version_is_a_400_page(get_page, arranged, as_panel, suffix):
    page = get_page(summary_url(suffix=suffix, version="everything"), status=400)
    assert "There is no “everything” version of the summary" in normalise(page.text)


def test_download_of_an_unknown_version_links_to_the_summary(get_page, arranged, as_panel):
    page = get_page(summary_url(suffix=".csv", version="everything"), status=400)
    assert page.select_one("#way-back")["href"] == summary_url()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx"])
def test_download_of_a_draft_is_not_found(client, db, as_panel, suffix):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    assert client.get(summary_url("DRAFT-1", suffix)).status_code == 404


# XLSX: charts and text sheets


def test_xlsx_summary_sheet_has_a_native_chart_per_choice_question(client, arranged, as_panel):
    data = download(client, ".xlsx").get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
        first = archive.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in first and '<c:grouping val="stacked"/>' in first
    assert "Summary!$A$" in first  # the options, read from the tally beside it
    assert first.count("<c:ser>") == len(PartyCategory)


def test_xlsx_has_a_sheet_per_text_question_with_its_answers(client, arranged, as_panel):
    rows = xlsx_sheets(download(client, ".xlsx").get_data())["Question 3 answers"]
    assert rows == [
        ["Question 3: Do you have any other comments?"],
        ["Receipt", "Respondent", "Category", "Confidential", "Late", "Answer"],
        ["SSI-2017-R0001", "British Gas", "Large Supplier", "No", "No", "No further comments."],
        ["SSI-2017-R0005", "EDF Energy", "Large Supplier", "Yes", "No", "Thanks."],
    ]


def test_questions_are_numbered_as_respondents_saw_them_whatever_their_keys(client, db, as_panel):
    # A question added later and moved first keeps its key (q4) but is "Question 1" to
    # respondents; keys may even differ only by case, which Excel's sheet names may not.
    questions = [
        {"key": "q4", "kind": "text", "text": "Anything else?", "required": False},
        {"key": "Q1", "kind": "text", "text": "Anything more?", "required": False},
        {"key": "q1", "kind": "text", "text": "Anything at all?", "required": False},
    ]
    consultation = factories.make_consultation(db, "CASES-1", questions=questions)
    user = respondent_of(db, "Odd Energy", PartyCategory.other_sec_party)
    factories.make_response(db, consultation, user, {"q4": AnswerInput(text="First.")})
    response = client.get(summary_url("CASES-1", ".xlsx"))
    assert response.status_code == 200
    sheets = xlsx_sheets(response.get_data())
    assert list(sheets)[2:] == ["Question 1 answers", "Question 2 answers", "Question 3 answers"]
    assert sheets["Question 1 answers"][0] == ["Question 1: Anything else?"]
    assert sheets["Question 1 answers"][2][-1] == "First."
    headings = [
        p.text
        for p in Document(
            io.BytesIO(client.get(summary_url("CASES-1", ".docx")).get_data())
        ).paragraphs
        if p.style.name == "Heading 1"
    ]
    assert headings[-3:] == [
        "Question 1: Anything else?",
        "Question 2: Anything more?",
        "Question 3: Anything at all?",
    ]


def test_xlsx_says_so_when_an_answer_is_longer_than_a_cell_holds(client, db, as_panel):
    # Answers are limited to 20,000 characters now; one stored under an older, higher
    # limit must not be cut silently.
    limit = 40_000
    questions = [
        {"key": "q1", "kind": "text", "text": "Comments?", "required": True, "max_length": limit}
    ]
    consultation = factories.make_consultation(db, "LONG-1", questions=questions)
    user = respondent_of(db, "Wordy Energy", PartyCategory.other_sec_party)
    factories.make_response(db, consultation, user, {"q1": AnswerInput(text="a" * limit)})
    sheets = xlsx_sheets(client.get(summary_url("LONG-1", ".xlsx")).get_data())
    cell = sheets["Question 1 answers"][2][5]
    assert len(cell) == 32_767
    assert cell.endswith("cut short: a cell holds 32,767 characters; the CSV and DOCX have it all]")
    rows = list(csv.reader(io.StringIO(client.get(summary_url("LONG-1", ".csv")).text)))
    assert rows[1][-2] == "a" * limit


def test_xlsx_and_docx_say_multiple_choice_totals_count_choices(client, arranged, as_panel):
    note = "Respondents could choose more than one option, so the totals count choices"
    summary = xlsx_sheets(download(client, ".xlsx").get_data())["Summary"]
    q2 = summary.index(["Question 2: Which of your systems are affected?"])
    assert [row for row in summary if row and str(row[0]).startswith(note)] == [
        summary[q2 + 2 + 4]  # after the head, the three options and the total
    ]
    assert docx_text(download(client, ".docx").get_data()).count(note) == 1


def test_xlsx_summary_sheet_gives_the_period(client, arranged, as_panel):
    rows = xlsx_sheets(download(client, ".xlsx").get_data())["Summary"]
    assert rows[2][0].startswith("Consultation period: ")


# DOCX: period, extensions, and tables whose head repeats on every page


def test_docx_gives_the_period_and_each_extension(client, db, arranged, as_panel):
    consultation = arranged.consultation
    db.add(
        DeadlineChange(
            consultation_id=consultation.id,
            kind=DeadlineChangeKind.extended,
            previous_closes_at=consultation.closes_at - timedelta(days=7),
            new_closes_at=consultation.closes_at,
            reason="More time for suppliers.",
        )
    )
    db.commit()
    paragraphs = [
        p.text for p in Document(io.BytesIO(download(client, ".docx").get_data())).paragraphs
    ]
    assert paragraphs[1] == (
        f"Consultation period: {uk_datetime(consultation.opens_at)} to "
        f"{uk_datetime(consultation.closes_at)} (UK time)."
    )
    assert paragraphs[2].startswith("Deadline extended from ")
    assert paragraphs[2].endswith("Reason: More time for suppliers.")


def test_docx_table_heads_repeat_on_every_page(client, arranged, as_panel):
    document = Document(io.BytesIO(download(client, ".docx").get_data()))
    for table in document.tables:
        head = table.rows[0]._tr
        assert head.trPr is not None and head.trPr.find(qn("w:tblHeader")) is not None


def test_docx_keeps_line_breaks_in_answers(client, arranged, as_panel):
    tables = docx_tables(download(client, ".docx").get_data())
    q1 = next(t for t in tables if t[0] == ["Respondent", "Category", "Answer", "Rationale"])
    assert q1[4][3] == "Our systems need longer.\nSecond line."


# Attachments zip


def _attach(app, db, arranged, name: str, filename: str, content: bytes) -> None:
    """Amend the organisation's response with one more file, and resubmit it."""
    user = arranged.users[name]
    response = responses.find_response(db, arranged.consultation, user.organisation_id)
    now = arranged.consultation.closes_at - timedelta(minutes=30)
    attachments.add(
        db,
        response,
        io.BytesIO(content),
        filename,
        root=Path(app.config["UPLOAD_FOLDER"]),
        max_bytes=1024 * 1024,
        user=user,
        now=now,
    )
    responses.submit(
        db, response, expected_version=response.version, user=user, now=now, declared=True
    )
    db.commit()


@pytest.fixture
def attached(app, db, arranged):
    _attach(app, db, arranged, "British Gas", "evidence.pdf", PDF + b"British Gas")
    _attach(app, db, arranged, "British Gas", "evidence.pdf", PDF + b"a second file")
    _attach(app, db, arranged, "Octopus Energy", "costs.pdf", PDF + b"Octopus costs")
    return arranged


def _zip_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def test_attachments_zip_names_each_file_after_receipt_and_respondent(client, attached, as_panel):
    response = download(
        client, "/attachments.zip", filename=download_name(".zip", what="attachments")
    )
    assert response.mimetype == "application/zip"
    data = response.get_data()
    assert _zip_names(data) == [
        "SSI-2017-R0001 British Gas - evidence.pdf",
        "SSI-2017-R0001 British Gas - evidence (2).pdf",
        "SSI-2017-R0002 Octopus Energy - costs.pdf",
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("SSI-2017-R0002 Octopus Energy - costs.pdf") == PDF + b"Octopus costs"


def test_public_attachments_zip_leaves_out_confidential_respondents_files(
    client, attached, as_panel
):
    name = download_name(".zip", "public", "attachments")
    data = download(client, "/attachments.zip", "public", filename=name).get_data()
    assert _zip_names(data) == [
        "SSI-2017-R0001 British Gas - evidence.pdf",
        "SSI-2017-R0001 British Gas - evidence (2).pdf",
    ]


def test_attachments_of_withdrawn_responses_are_left_out(client, app, db, arranged, as_panel):
    consultation = factories.make_consultation(db, "WD-1", status="open")
    user = respondent_of(db, "Leaving Energy", PartyCategory.small_supplier)
    response = factories.make_response(db, consultation, user, submit=False)
    attachments.add(
        db,
        response,
        io.BytesIO(PDF),
        "gone.pdf",
        root=Path(app.config["UPLOAD_FOLDER"]),
        max_bytes=1024 * 1024,
        user=user,
        now=utcnow(),
    )
    responses.submit(
        db, response, expected_version=response.version, user=user, now=utcnow(), declared=True
    )
    responses.withdraw(db, response, expected_version=response.version, user=user, now=utcnow())
    db.commit()
    data = client.get(summary_url("WD-1", "/attachments.zip")).get_data()
    assert _zip_names(data) == []


def test_a_missing_stored_file_is_listed_not_fatal(client, app, attached, as_panel):
    for stored in (Path(app.config["UPLOAD_FOLDER"]) / "attachments").iterdir():
        if stored.read_bytes() == PDF + b"Octopus costs":
            stored.unlink()
    data = download(client, "/attachments.zip", filename=download_name(".zip", what="attachments"))
    names = _zip_names(data.get_data())
    assert names[-1] == "Files that could not be found.txt"
    with zipfile.ZipFile(io.BytesIO(data.get_data())) as archive:
        missing = archive.read(names[-1]).decode()
    assert missing == "SSI-2017-R0002 Octopus Energy - costs.pdf\n"


def test_page_counts_the_attachments_of_each_version(get_page, attached, as_panel):
    assert "(3 files)" in get_page(summary_url()).select_one("#attachments-link").text
    public = get_page(summary_url(version="public")).select_one("#attachments-link").text
    assert "(2 files;" in public


# Every download in a constant number of queries


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx", "/attachments.zip"])
def test_download_queries_do_not_grow_with_responses(app, client, db, as_panel, suffix):
    def queries_for(reference: str, responses_made: int) -> int:
        consultation = factories.make_consultation(db, reference, status="open")
        for n in range(responses_made):
            user = respondent_of(db, f"{reference} {n}", list(PartyCategory)[n % 7])
            factories.make_response(db, consultation, user, confidential=n % 2 == 0)
        return count_queries(app, client, summary_url(reference, suffix))

    assert queries_for("FEW-1", 2) == queries_for("MANY-1", 12)
