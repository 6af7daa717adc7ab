"""What a builder page shows after its save was refused because a colleague had changed
the same thing: what is saved now, field by field, where it differs from what was typed.

What was typed stays in the form, so nothing is lost; the page carries the version saved
now, so saving again (having seen the colleague's change) goes through.
"""

from dataclasses import dataclass

from consult.admin.builder_service import ConsultationDetails, QuestionDetails
from consult.admin.forms import QUESTION_KIND_LABELS
from consult.filters import uk_datetime
from consult.models import Consultation, Question, Section


@dataclass(frozen=True)
class Difference:
    """One field whose saved value is not what was typed."""

    field: str  # the form's field, for the error summary to link to
    label: str
    saved: str


def _differences(rows: list[tuple[str, str, str, str]]) -> list[Difference]:
    return [
        Difference(field, label, saved or "None")
        for field, label, saved, yours in rows
        if saved != yours
    ]


def details(consultation: Consultation, yours: ConsultationDetails) -> list[Difference]:
    """The saved details that differ from those typed (dates to the minute, as shown)."""
    return _differences(
        [
            ("reference", "Reference", consultation.reference, yours.reference.upper()),
            ("title", "Title", consultation.title, yours.title),
            ("kind", "Type of consultation", consultation.kind.label, yours.kind.label),
            (
                "modification",
                "Modification",
                consultation.modification or "",
                yours.modification or "",
            ),
            ("summary", "Summary", consultation.summary, yours.summary),
            (
                "opens_date",
                "Opens",
                uk_datetime(consultation.opens_at),
                uk_datetime(yours.opens_at),
            ),
            (
                "closes_date",
                "Closes",
                uk_datetime(consultation.closes_at),
                uk_datetime(yours.closes_at),
            ),
        ]
    )


def _section_title(consultation: Consultation, section_id: int | None) -> str:
    found = next((s for s in consultation.sections if s.id == section_id), None)
    return found.title if found else "No section"


def _limit(value: int | None) -> str:
    return str(value) if value else ""


def question(
    consultation: Consultation, saved: Question, yours: QuestionDetails
) -> list[Difference]:
    """The saved question's fields that differ from those typed."""
    required = {True: "Yes", False: "No, it is optional"}
    return _differences(
        [
            (
                "kind",
                "Type of answer",
                QUESTION_KIND_LABELS[saved.kind],
                QUESTION_KIND_LABELS[yours.kind],
            ),
            ("text", "Question", saved.text, yours.text),
            ("hint", "Hint", saved.hint or "", yours.hint or ""),
            ("options", "Options", "\n".join(saved.options), "\n".join(yours.options)),
            (
                "rationale_prompt",
                "Rationale prompt",
                saved.rationale_prompt or "",
                yours.rationale_prompt or "",
            ),
            (
                "required",
                "Must respondents answer it?",
                required[saved.required],
                required[yours.required],
            ),
            ("max_length", "Character limit", _limit(saved.max_length), _limit(yours.max_length)),
            (
                "section",
                "Section",
                _section_title(consultation, saved.section_id),
                _section_title(consultation, yours.section_id),
            ),
        ]
    )


def section(saved: Section, yours: str) -> list[Difference]:
    """The saved section's title, when it differs from the one typed."""
    return _differences([("title", "Section title", saved.title, yours.strip())])
