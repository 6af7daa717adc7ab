"""The downloads: CSV and XLSX, written from the summary data by plain functions (the
DOCX is in ``docx_writer``, the attachments zip in ``archive``).

Every response row has the same columns, in question order, whatever was answered: the
fixed columns, then an answer and a rationale column per question, side by side.
``submitted_at`` is ISO 8601 in UTC, to the second, with its offset
(``2017-06-21T16:00:00+00:00``), so spreadsheets and scripts read it without guessing the
zone; the DOCX, which people read, gives times in UK time.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import xlsxwriter

from consult.filters import uk_datetime
from consult.summaries.chart import COLOURS
from consult.summaries.service import (
    CATEGORIES,
    ResponseRow,
    Summary,
    SummaryQuestion,
    Tally,
    Version,
)
from consult.xml_text import xml_safe

ZIP_MIMETYPE = "application/zip"

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

EXCEL_CELL_LIMIT = 32_767
CUT_SHORT = " […cut short: a cell holds 32,767 characters; the CSV and DOCX have it all]"

# Beside a multiple-choice tally, wherever one is shown.
MULTIPLE_CHOICE_NOTE = (
    "Respondents could choose more than one option, so the totals count choices, not respondents."
)

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
    # Question keys head columns, and a key may begin with "-": the header is neutralised too.
    yield "\ufeff" + writer.writerow([neutralise(c) for c in response_header(questions)])
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


def period_lines(summary: Summary) -> list[str]:
    """The consultation period and every change to it, in UK time."""
    lines = [
        f"Consultation period: {uk_datetime(summary.opens_at)} to "
        f"{uk_datetime(summary.closes_at)} (UK time)."
    ]
    for change in summary.changes:
        reason = f" Reason: {change.reason}" if change.reason else ""
        lines.append(f"{change.description}.{reason}")
    return lines


def write_xlsx(target: BinaryIO, summary: Summary, rows: Iterable[ResponseRow]) -> None:
    """The XLSX: a Summary sheet (figures, tallies and their charts), a Responses sheet and
    a sheet per text question, written in one pass over the rows in constant memory."""
    # constant_memory: each row goes to a temporary file as soon as the next begins.
    # strings_to_formulas off: text is only ever text, whatever it begins with.
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "in_memory": False}
    )
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    _write_summary_sheet(workbook, workbook.add_worksheet("Summary"), summary, bold)
    responses = workbook.add_worksheet("Responses")
    responses.write_row(0, 0, response_header(summary.questions), bold)
    responses.freeze_panes(1, 0)
    texts = [q for q in summary.questions if not q.is_choice]
    text_sheets = {q.id: _text_sheet(workbook, q, bold) for q in texts}
    next_row = dict.fromkeys(text_sheets, TEXT_SHEET_FIRST_ROW)
    for number, row in enumerate(rows, start=1):
        _write_values(responses, number, response_values(row, summary.questions))
        for question_id, sheet in text_sheets.items():
            cell = row.answers.get(question_id)
            if cell is not None and cell.answer:
                who = row.respondent
                values = [
                    who.receipt,
                    who.name,
                    who.category.label,
                    yes_no(who.confidential),
                    yes_no(who.late),
                    cell.answer,
                ]
                _write_values(sheet, next_row[question_id], values, wrap)
                next_row[question_id] += 1
    workbook.close()


TEXT_SHEET_HEAD = ["Receipt", "Respondent", "Category", "Confidential", "Late", "Answer"]
# A text question's sheet: the question as asked, its column heads, then the answers.
TEXT_SHEET_FIRST_ROW = 2


def text_sheet_name(question: SummaryQuestion) -> str:
    """A text question's sheet: "Question 3 answers", unique (unlike keys, which may
    differ only by case, as Excel's sheet names may not) and well within 31 characters."""
    return f"{question.label} answers"


def _text_sheet(workbook, question: SummaryQuestion, bold):
    sheet = workbook.add_worksheet(text_sheet_name(question))
    sheet.write_string(0, 0, xml_safe(question.heading), bold)
    sheet.write_row(1, 0, TEXT_SHEET_HEAD, bold)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 2, 20)
    sheet.set_column(5, 5, 80)
    sheet.freeze_panes(TEXT_SHEET_FIRST_ROW, 0)
    return sheet


def _within_a_cell(text: str) -> str:
    """Text an Excel cell can hold whole, or cut short saying so (xlsxwriter would cut it
    silently). Answers are limited to fewer characters than a cell holds; this is for one
    stored before that limit."""
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    return text[: EXCEL_CELL_LIMIT - len(CUT_SHORT)] + CUT_SHORT


def _write_values(sheet, number: int, values: list[str | int], style=None) -> None:
    for column, value in enumerate(values):
        if isinstance(value, str):
            if value:
                # As in the Word download: Word's line break stays a line break, other
                # control characters (invisible in a cell) are dropped.
                sheet.write_string(number, column, _within_a_cell(xml_safe(value)), style)
        else:
            sheet.write_number(number, column, value)


def _write_summary_sheet(workbook, sheet, summary: Summary, bold) -> None:
    rows: list[tuple[list, object]] = [
        ([f"{summary.reference}: {summary.title}"], bold),
        ([version_note(summary.version)], None),
        *(([line], None) for line in period_lines(summary)),
        ([], None),
        (["Party category", "Respondents"], bold),
        *((row, None) for row in category_rows(summary)),
        (["Confidential", summary.confidential_count], None),
        (["Late", summary.late_count], None),
    ]
    charts = []
    for question in summary.questions:
        if not question.is_choice:
            continue
        rows += [([], None), ([question.heading], bold)]
        head_row = len(rows)
        rows += [(tally_header(), bold)]
        rows += [(row, None) for row in tally_rows(summary.tally(question))]
        notes = [([MULTIPLE_CHOICE_NOTE], None)] if question.is_multiple else []
        rows += notes
        height = max(220, 60 + 36 * len(question.options))
        charts.append((head_row, question, height))
        # Leave room below the table for the chart beside it, so charts never overlap.
        rows += [([], None)] * max(0, -(-height // 20) - len(question.options) - 2 - len(notes))
    for number, (values, style) in enumerate(rows):
        sheet.write_row(number, 0, values, style)
    for head_row, question, height in charts:
        sheet.insert_chart(
            head_row - 1, len(CATEGORIES) + 3, _tally_chart(workbook, question, head_row, height)
        )
    sheet.set_column(0, 0, 40)


def _tally_chart(workbook, question: SummaryQuestion, head_row: int, height: int):
    """A native Excel bar chart of one tally, a series per party category, stacked."""
    chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
    first, last = head_row + 1, head_row + len(question.options)
    for column, category in enumerate(CATEGORIES, start=1):
        chart.add_series(
            {
                "name": ["Summary", head_row, column],
                "categories": ["Summary", first, 0, last, 0],
                "values": ["Summary", first, column, last, column],
                "fill": {"color": COLOURS[category]},
            }
        )
    chart.set_title({"name": f"{question.label}: answers by party category"})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"name": "Responses", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": height})
    return chart
