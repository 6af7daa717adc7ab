"""A consultation's questions as a Word document: the form people used to fill in, to
draft answers with colleagues before responding online. Only the online response counts."""

import io
from datetime import datetime

from docx.document import Document

from consult.filters import uk_datetime
from consult.models import Consultation, ConsultationStatus, Question, QuestionKind
from consult.responses.service import DEFAULT_TEXT_LIMIT
from consult.responses.tasks import groups
from consult.word import new_document
from consult.xml_text import xml_safe

UNCHECKED = "☐"


def how_to_answer(question: Question) -> str:
    """What the question asks for, in a few words, as GOV.UK words it: 'Select one',
    'Select all that apply', or the length of answer it takes."""
    if question.kind is QuestionKind.single_choice:
        return "Select one"
    if question.kind is QuestionKind.multiple_choice:
        return "Select all that apply"
    return f"Answer in up to {question.max_length or DEFAULT_TEXT_LIMIT:,} characters"


def as_docx(consultation: Consultation, respond_url: str, now: datetime) -> bytes:
    """The questions in order, under their sections, each with its hint, what it asks
    for and room for the answer (and the rationale, where asked)."""
    title = f"{consultation.reference}: {consultation.title}"
    document = new_document(title)
    document.add_heading(xml_safe(title), level=1)
    closes = uk_datetime(consultation.closes_at)
    if consultation.status_at(now) is ConsultationStatus.closed:
        document.add_paragraph(f"This consultation closed at {closes}.")
    else:
        document.add_paragraph(f"Opens {uk_datetime(consultation.opens_at)}. Closes {closes}.")
        document.add_paragraph(
            "Use this document to draft your organisation’s answers. Only a response "
            f"submitted online counts: {respond_url}"
        )
    sectioned = bool(consultation.sections)
    for group in groups(consultation):
        if sectioned:
            document.add_heading(xml_safe(group.title), level=2)
        for question in group.questions:
            _add_question(document, question, level=3 if sectioned else 2)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_question(document: Document, question: Question, level: int) -> None:
    document.add_heading(xml_safe(f"{question.label}: {question.text}"), level=level)
    if question.hint:
        document.add_paragraph().add_run(xml_safe(question.hint)).italic = True
    asks = how_to_answer(question) + ("" if question.required else " (optional)")
    document.add_paragraph().add_run(asks).bold = True
    if question.is_choice:
        for option in question.options:
            document.add_paragraph(xml_safe(f"{UNCHECKED} {option}"))
    else:
        document.add_paragraph("")
    if question.rationale_prompt:
        document.add_paragraph().add_run(xml_safe(question.rationale_prompt)).bold = True
        document.add_paragraph("")
