"""The downloads: CSV, XLSX and DOCX, written from the summary data by plain functions.

Every response row has the same columns, in question order, whatever was answered: the
fixed columns, then an answer and a rationale column per question, side by side.
``submitted_at`` is ISO 8601 in UTC, to the second, with its offset
(``2017-06-21T16:00:00+00:00``), so spreadsheets and scripts read it without guessing the
zone; the DOCX, which people read, gives times in UK time.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator

import xlsxwriter
from docx import Document
from docx.table import Table

from consult.filters import uk_datetime
from consult.summaries.service import (
    CATEGORIES,
    Respondent,
    ResponseRow,
    Summary,
    SummaryQuestion,
    Tally,
    Version,
)

FIXED_COLUMNS = (
    "response_id",
    "receipt",
    "organisation",
    "category",
    "confidential",
    "late",
    "submitted_at",
    "revision",
)

# A spreadsheet runs a cell beginning with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def yes_no(value: bool) -> str:
    """'Yes' or 'No'."""
    return "Yes" if value else "No"


def response_header(questions: list[SummaryQuestion]) -> list[str]:
    """The column names of a response row."""
    columns = list(FIXED_COLUMNS)
    for question in questions:
        columns += [f"{question.key} answer", f"{question.key} rationale"]
    return columns


def response_values(row: ResponseRow, questions: list[SummaryQuestion]) -> list[str | int]:
    """A response row's values, in the order of ``response_header``."""
    who = row.respondent
    values: list[str | int] = [
        who.response_id,
        who.receipt,
        who.name,
        who.category.label,
        yes_no(who.confidential),
        yes_no(who.late),
        who.submitted_at.isoformat(timespec="seconds"),
        who.revision,
    ]
    for question in questions:
        cell = row.cell(question)
        values += [cell.answer, cell.rationale]
    return values


def neutralise(value: str | int) -> str | int:
    """Prefix an apostrophe to text a spreadsheet would otherwise run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose ``write`` hands back the line, for streaming csv.writer."""

    def write(self, line: str) -> str:
        return line


def csv_lines(questions: list[SummaryQuestion], rows: Iterable[ResponseRow]) -> Iterator[str]:
    """The CSV, a line at a time: a byte order mark so Excel reads UTF-8, then the rows."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(response_header(questions))
    for row in rows:
        yield writer.writerow([neutralise(v) for v in response_values(row, questions)])


def tally_header() -> list[str]:
    """The head of a tally table: option, every party category, total."""
    return ["Option", *(c.label for c in CATEGORIES), "Total"]


def tally_rows(tally: Tally) -> list[list[str | int]]:
    """A tally as rows of counts: one per option in the question's order, then the totals."""
    rows: list[list[str | int]] = [
        [option, *(tally.count(option, c) for c in CATEGORIES), tally.option_total(option)]
        for option in tally.question.options
    ]
    rows.append(["Total", *(tally.category_total(c) for c in CATEGORIES), tally.total])
    return rows


def category_rows(summary: Summary) -> list[list[str | int]]:
    """Respondents per party category, then the total."""
    rows: list[list[str | int]] = [[c.label, summary.by_category[c]] for c in CATEGORIES]
    rows.append(["Total", summary.total])
    return rows


def version_note(version: Version) -> str:
    """What a reader must know about this version of the summary."""
    if version is Version.public:
        return "Public version: confidential respondents are anonymised."
    return "Panel version: names confidential respondents. Do not publish."


def xlsx_bytes(summary: Summary) -> bytes:
    """The XLSX: a Summary sheet (respondents and tallies) and a Responses sheet."""
    buffer = io.BytesIO()
    # strings_to_formulas off: text is only ever text, whatever it begins with.
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True})
    _write_summary_sheet(workbook.add_worksheet("Summary"), summary, bold)
    _write_responses_sheet(workbook.add_worksheet("Responses"), summary, bold)
    workbook.close()
    return buffer.getvalue()


def _write_summary_sheet(sheet, summary: Summary, bold) -> None:
    rows: list[tuple[list, object]] = [
        ([f"{summary.reference}: {summary.title}"], bold),
        ([version_note(summary.version)], None),
        ([], None),
        (["Party category", "Respondents"], bold),
        *((row, None) for row in category_rows(summary)),
        (["Confidential", summary.confidential_count], None),
        (["Late", summary.late_count], None),
    ]
    for question in summary.questions:
        if not question.is_choice:
            continue
        rows += [([], None), ([f"{question.key}. {question.text}"], bold), (tally_header(), bold)]
        rows += [(row, None) for row in tally_rows(summary.tally(question))]
    for number, (values, style) in enumerate(rows):
        sheet.write_row(number, 0, values, style)
    sheet.set_column(0, 0, 40)


def _write_responses_sheet(sheet, summary: Summary, bold) -> None:
    sheet.write_row(0, 0, response_header(summary.questions), bold)
    for number, row in enumerate(summary.responses, start=1):
        for column, value in enumerate(response_values(row, summary.questions)):
            if isinstance(value, str):
                sheet.write_string(number, column, value)
            else:
                sheet.write_number(number, column, value)
    sheet.freeze_panes(1, 0)


def docx_bytes(summary: Summary) -> bytes:
    """The collated-responses document: per question, Respondent | Category | Answer | Rationale."""
    document = Document()
    document.add_heading(f"{summary.reference}: {summary.title}", level=0)
    document.add_paragraph(
        f"Consultation period: {uk_datetime(summary.opens_at)} to "
        f"{uk_datetime(summary.closes_at)} (UK time)."
    )
    document.add_paragraph(version_note(summary.version))
    document.add_heading("Respondents by party category", level=1)
    _add_table(document, ["Party category", "Respondents"], category_rows(summary))
    document.add_paragraph(
        f"Confidential responses: {summary.confidential_count}. "
        f"Late responses: {summary.late_count}."
    )
    document.add_heading("Respondents", level=1)
    _add_table(
        document,
        ["Respondent", "Category", "Receipt", "Submitted", "Revision", "Confidential", "Late"],
        [_respondent_row(row.respondent) for row in summary.responses],
    )
    for question in summary.questions:
        _add_question(document, summary, question)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _respondent_row(who: Respondent) -> list[str | int]:
    return [
        who.name,
        who.category.label,
        who.receipt,
        uk_datetime(who.submitted_at),
        who.revision,
        yes_no(who.confidential),
        yes_no(who.late),
    ]


def _add_question(document, summary: Summary, question: SummaryQuestion) -> None:
    document.add_heading(f"{question.key}. {question.text}", level=1)
    if question.is_choice:
        _add_table(document, tally_header(), tally_rows(summary.tally(question)))
        document.add_paragraph()
    rows = [
        [_marked_name(row.respondent, summary.version), row.respondent.category.label]
        + [row.cell(question).answer, row.cell(question).rationale]
        for row in summary.responses
    ]
    _add_table(document, ["Respondent", "Category", "Answer", "Rationale"], rows)


def _marked_name(who: Respondent, version: Version) -> str:
    """The name with the confidential and late markers the Panel is used to."""
    marks = []
    if who.confidential and version is Version.panel:
        marks.append("confidential")
    if who.late:
        marks.append("late")
    return who.name + "".join(f" [{mark}]" for mark in marks)


def _add_table(document, head: list[str], rows: list[list[str | int]]) -> Table:
    table = document.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = _xml_safe(str(value))
    return table


def _xml_safe(text: str) -> str:
    """Drop control characters XML cannot hold, which python-docx would refuse."""
    return _XML_INVALID.sub("", text)
