"""The collated-responses document (DOCX) the Panel is used to, written in constant memory.

python-docx keeps a whole document in memory, which a consultation with 100,000
responses would not fit. So python-docx builds a small skeleton (title, period, figures,
tallies and, for each long table, its head and one marked template row); the skeleton's
``word/document.xml`` is then written out with each template row repeated once per
respondent, straight into the zip entry, from one streamed query per table.
"""

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO
from xml.sax.saxutils import escape

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from sqlalchemy.orm import Session

from consult.filters import uk_datetime
from consult.summaries import service
from consult.summaries.service import Respondent, Summary, SummaryQuestion, Version
from consult.summaries.writers import (
    MULTIPLE_CHOICE_NOTE,
    category_rows,
    period_lines,
    tally_header,
    tally_rows,
    version_note,
    yes_no,
)
from consult.word import new_document
from consult.xml_text import xml_safe

RESPONDENTS_HEAD = [
    "Respondent",
    "Category",
    "Receipt",
    "Submitted",
    "Revision",
    "Confidential",
    "Late",
]
ANSWERS_HEAD = ["Respondent", "Category", "Answer", "Rationale"]
_MARKER = "@@CONSULT-ROW-{table}-{cell}@@"
_MARKER_TEXT = re.compile(r"<w:t>@@CONSULT-ROW-(\d+)-(\d+)@@</w:t>")
_DOCUMENT = "word/document.xml"
# Rows buffered before each write to the zip entry.
_CHUNK = 200

RowSource = Callable[[], Iterable[list[str]]]


def write_docx(target: BinaryIO, session: Session, summary: Summary) -> None:
    """Write the document: per question, a table Respondent | Category | Answer | Rationale."""
    sources: list[RowSource] = [lambda: _respondent_rows(session, summary)]
    sources += [lambda q=q: _answer_rows(session, summary, q) for q in summary.questions]
    skeleton = _skeleton(summary)
    with zipfile.ZipFile(io.BytesIO(skeleton)) as source:
        document_xml = source.read(_DOCUMENT).decode("utf-8")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            for item in source.infolist():
                if item.filename != _DOCUMENT:
                    out.writestr(item, source.read(item.filename))
            with out.open(_DOCUMENT, "w", force_zip64=True) as entry:
                for piece in _document_pieces(document_xml, sources):
                    entry.write(piece.encode("utf-8"))


def _document_pieces(document_xml: str, sources: list[RowSource]) -> Iterator[str]:
    """The document's XML with each template row replaced by the rows of its table."""
    position = 0
    for table, source in enumerate(sources):
        marker = _MARKER.format(table=table, cell=0)
        at = document_xml.index(marker, position)
        row_start = document_xml.rindex("<w:tr>", position, at)
        row_end = document_xml.index("</w:tr>", at) + len("</w:tr>")
        yield document_xml[position:row_start]
        template = _MARKER_TEXT.split(document_xml[row_start:row_end])
        buffer: list[str] = []
        for values in source():
            buffer.append(_fill(template, values))
            if len(buffer) >= _CHUNK:
                yield "".join(buffer)
                buffer.clear()
        yield "".join(buffer)
        position = row_end
    yield document_xml[position:]


def _fill(template: list[str], values: list[str]) -> str:
    """A template row split around its markers ([xml, table, cell, xml, ...]), filled in."""
    parts = [template[0]]
    for index in range(1, len(template), 3):
        parts.append(_runs(values[int(template[index + 1])]))
        parts.append(template[index + 2])
    return "".join(parts)


def _runs(text: str) -> str:
    """Text as the inside of a Word run: line breaks kept as breaks."""
    lines = escape(xml_safe(text)).split("\n")
    return "<w:br/>".join(f'<w:t xml:space="preserve">{line}</w:t>' for line in lines)


def _respondent_rows(session: Session, summary: Summary) -> Iterator[list[str]]:
    for who in service.iter_respondents(session, summary):
        yield [
            who.name,
            who.category.label,
            who.receipt,
            uk_datetime(who.submitted_at),
            str(who.revision),
            yes_no(who.confidential),
            yes_no(who.late),
        ]


NOT_ANSWERED = "(not answered)"


def _answer_rows(
    session: Session, summary: Summary, question: SummaryQuestion
) -> Iterator[list[str]]:
    rows = service.iter_response_rows(
        session, summary.reference, summary.consultation_id, [question], summary.version
    )
    for row in rows:
        cell = row.cell(question)
        who = row.respondent
        # Every respondent has a row, as in the collations the Panel knows; an empty one
        # would leave the reader wondering whether something was lost.
        answer = cell.answer or ("" if cell.rationale else NOT_ANSWERED)
        yield [marked_name(who, summary.version), who.category.label, answer, cell.rationale]


def marked_name(who: Respondent, version: Version) -> str:
    """The name with the confidential and late markers the Panel is used to."""
    marks = []
    if who.confidential and version is Version.panel:
        marks.append("confidential")
    if who.late:
        marks.append("late")
    return who.name + "".join(f" [{mark}]" for mark in marks)


def _skeleton(summary: Summary) -> bytes:
    """The document with every long table reduced to its head and one template row."""
    document = new_document(f"{summary.reference}: {summary.title}")
    document.add_heading(f"{summary.reference}: {summary.title}", level=0)
    for line in period_lines(summary):
        document.add_paragraph(xml_safe(line))
    document.add_paragraph(version_note(summary.version))
    document.add_heading("Respondents by party category", level=1)
    _add_table(document, ["Party category", "Respondents"], category_rows(summary))
    document.add_paragraph(
        f"Confidential responses: {summary.confidential_count}. "
        f"Late responses: {summary.late_count}."
    )
    document.add_heading("Respondents", level=1)
    _add_template_table(document, RESPONDENTS_HEAD, 0)
    for table, question in enumerate(summary.questions, start=1):
        document.add_heading(xml_safe(question.heading), level=1)
        if question.is_choice:
            _add_table(document, tally_header(), tally_rows(summary.tally(question)))
            document.add_paragraph(MULTIPLE_CHOICE_NOTE if question.is_multiple else "")
        _add_template_table(document, ANSWERS_HEAD, table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_template_table(document, head: list[str], table: int) -> None:
    cells = [_MARKER.format(table=table, cell=n) for n in range(len(head))]
    _add_table(document, head, [cells])


def _add_table(document, head: list[str], rows: list[list[str | int]]):
    table = document.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    header = table.rows[0]
    # Repeat the head on every page the table runs onto.
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    header._tr.trPr.find(qn("w:tblHeader")).set(qn("w:val"), "true")
    for cell, text in zip(header.cells, head, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = xml_safe(str(value))
    return table
