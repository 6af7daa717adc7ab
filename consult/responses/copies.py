"""A copy of one's own response (its current revision) as PDF or DOCX.

Both are written from one outline, so they say the same. The PDF uses a Unicode TrueType
font: text pasted from Word (smart quotes, dashes, bullets, non-breaking spaces) prints
as typed; a character the font has no glyph for (e.g. an emoji) is written as its
``[U+1F44D]`` code point rather than silently dropped. The DOCX keeps every character
XML can hold; the outline itself holds none it cannot (``consult.xml_text``): Word's line
break pasted into an answer is a line break in both copies, a stray bell in neither.
"""

import io
from dataclasses import dataclass, field
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

from consult.errors import ConsultError
from consult.filters import uk_datetime
from consult.models import Response, Revision
from consult.responses.service import answer_text
from consult.word import new_document
from consult.xml_text import xml_safe

DEFAULT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


class CopyUnavailable(ConsultError):
    """The copy cannot be made on this server (e.g. its font is not installed)."""


@dataclass
class Outline:
    """What a copy says: a title, facts, then each question and its answer."""

    title: str
    facts: list[tuple[str, str]]
    answers: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)


def outline(response: Response, revision: Revision) -> Outline:
    """The copy's content, from the response's current revision, as XML can hold it."""
    consultation = response.consultation
    facts = [
        ("Consultation", f"{consultation.reference}: {consultation.title}"),
        ("Organisation", response.organisation.name),
        ("Receipt reference", response.receipt or ""),
        ("Status", _status(response)),
        ("Revision", str(revision.number)),
        ("Submitted", uk_datetime(revision.submitted_at)),
        ("Confidential", "Yes" if revision.confidential else "No"),
        ("Late", "Yes, accepted under a late allowance" if revision.late else "No"),
    ]
    result = Outline(
        xml_safe(f"Response to {consultation.reference}"),
        [(key, xml_safe(value)) for key, value in facts],
    )
    given = {a.question_id: a for a in revision.answers}
    for number, question in enumerate(consultation.questions, start=1):
        answer = given.get(question.id)
        extra = []
        if question.rationale_prompt and answer is not None and answer.rationale:
            extra.append((xml_safe(question.rationale_prompt), xml_safe(answer.rationale)))
        text = answer_text(question, answer) or "Not answered"
        result.answers.append((xml_safe(f"{number}. {question.text}"), xml_safe(text), extra))
    result.attachments = [xml_safe(a.filename) for a in revision.attachments]
    return result


def _status(response: Response) -> str:
    # A copy is of a submitted revision: a draft that has one was withdrawn, then started
    # again, and that revision no longer counts.
    if response.started_again:
        return "Withdrawn, then started again: not submitted since"
    return response.status.value.capitalize()


def as_docx(content: Outline) -> bytes:
    """The outline as a Word document."""
    document = new_document(content.title)
    document.add_heading(content.title, level=1)
    table = document.add_table(rows=0, cols=2)
    for key, value in content.facts:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value
    document.add_heading("Answers", level=2)
    for question, answer, extra in content.answers:
        document.add_heading(question, level=3)
        document.add_paragraph(answer)
        for prompt, text in extra:
            document.add_paragraph().add_run(prompt).bold = True
            document.add_paragraph(text)
    if content.attachments:
        document.add_heading("Supporting documents", level=2)
        for name in content.attachments:
            document.add_paragraph(name, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_pdf(content: Outline, font_path: str | Path = DEFAULT_FONT) -> bytes:
    """The outline as a PDF in a Unicode font; CopyUnavailable if the font is missing."""
    font_path = Path(font_path)
    if not font_path.is_file():
        raise CopyUnavailable(
            f"The PDF copy needs the font {font_path}, which is not installed on this server. "
            "Download the Word copy instead, or ask SECAS to install the font."
        )
    printable = _glyph_filter(font_path)
    pdf = FPDF(format="A4")
    pdf.set_title(content.title)
    pdf.add_font("Body", fname=str(font_path))
    pdf.add_page()
    pdf.set_font("Body", size=18)
    _write(pdf, printable(content.title), 9)
    pdf.set_font("Body", size=11)
    for key, value in content.facts:
        _write(pdf, printable(f"{key}: {value}"), 6)
    for question, answer, extra in content.answers:
        pdf.ln(4)
        pdf.set_font("Body", size=13)
        _write(pdf, printable(question), 7)
        pdf.set_font("Body", size=11)
        _write(pdf, printable(answer), 6)
        for prompt, text in extra:
            _write(pdf, printable(f"{prompt}:"), 6)
            _write(pdf, printable(text), 6)
    if content.attachments:
        pdf.ln(4)
        pdf.set_font("Body", size=13)
        _write(pdf, "Supporting documents", 7)
        pdf.set_font("Body", size=11)
        for name in content.attachments:
            _write(pdf, printable(f"• {name}"), 6)
    return bytes(pdf.output())


def _write(pdf: FPDF, text: str, height: float) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _glyph_filter(font_path: Path):
    """A function writing characters the font lacks as their code point, visibly."""
    with TTFont(str(font_path), lazy=True) as font:
        covered = set(font.getBestCmap())

    def printable(text: str) -> str:
        return "".join(
            ch if ord(ch) in covered or ch in "\n\t" else f"[U+{ord(ch):04X}]" for ch in text
        )

    return printable
