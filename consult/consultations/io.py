"""Consultations as JSON (the format in CONTRACT.md): import with full validation, export.

Import checks the whole document before writing anything and reports every problem on
one line, each named by its place in the document (``questions[1].kind: …``), so an
operator can fix a file in one go and a bad file never leaves half a consultation.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consult import audit, dates
from consult.consultations import service
from consult.errors import InvalidInput
from consult.models import (
    MAX_SUMMARY_LENGTH,
    RESERVED_QUESTION_KEYS,
    Consultation,
    ConsultationKind,
    Question,
    QuestionKind,
    Section,
    canonical_reference,
)
from consult.responses.service import DEFAULT_TEXT_LIMIT as TEXT_LIMIT

LONDON = ZoneInfo("Europe/London")
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]+")

CONSULTATION_FIELDS = {
    "reference",
    "title",
    "kind",
    "summary",
    "modification",
    "opens_at",
    "closes_at",
    "questions",
}
QUESTION_FIELDS = {
    "key",
    "kind",
    "text",
    "hint",
    "options",
    "rationale",
    "required",
    "max_length",
    "section",
}


class _Problems:
    """Collects validation problems so all of them are reported together."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.messages.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.messages:
            raise InvalidInput("; ".join(self.messages))


@dataclass
class _Reader:
    """Reads typed values from one JSON object, noting problems under a path prefix."""

    data: dict
    prefix: str
    problems: _Problems
    seen: set[str] = field(default_factory=set)

    def where(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def text(self, name: str, *, required: bool = True, max_length: int | None = None) -> Any:
        value = self.data.get(name)
        if value is None:
            if required:
                self.problems.add(self.where(name), "is required")
            return None
        if not isinstance(value, str):
            self.problems.add(self.where(name), "must be a string")
            return None
        if required and not value.strip():
            self.problems.add(self.where(name), "must not be blank")
        elif max_length is not None and len(value) > max_length:
            self.problems.add(self.where(name), f"must be {max_length:,} characters or fewer")
        return value

    def unknown_fields(self, allowed: set[str]) -> None:
        for name in sorted(set(self.data) - allowed):
            self.problems.add(self.where(name), "unknown field")


def parse(text: str) -> dict:
    """Decode a JSON document, raising InvalidInput with the line and column if malformed."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"not valid JSON: line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("the consultation must be a JSON object ({...})")
    if _has_nul(data):
        raise InvalidInput("the document contains a null character (\\u0000): remove it")
    return data


def _has_nul(value: Any) -> bool:
    """Whether a decoded JSON value holds character 0 anywhere (no database stores it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def build_consultation(data: dict, now: datetime) -> Consultation:
    """A new (unsaved, draft) Consultation from a decoded document, or InvalidInput."""
    problems = _Problems()
    reader = _Reader(data, "", problems)
    reader.unknown_fields(CONSULTATION_FIELDS)
    reference = reader.text("reference", max_length=40)
    if reference and not REFERENCE_PATTERN.fullmatch(reference):
        problems.add("reference", f"'{reference}' may contain only letters, digits and hyphens")
    kind = _consultation_kind(reader)
    opens_at = _aware_time(reader, "opens_at", now)
    closes_at = _aware_time(reader, "closes_at", now)
    if opens_at and closes_at and opens_at >= closes_at:
        problems.add("closes_at", "must be after opens_at")
    consultation = Consultation(
        reference=canonical_reference(reference) if reference else reference,
        title=reader.text("title", max_length=300),
        kind=kind,
        summary=reader.text("summary", required=False, max_length=MAX_SUMMARY_LENGTH) or "",
        modification=reader.text("modification", required=False, max_length=40) or None,
        opens_at=opens_at,
        closes_at=closes_at,
        questions=_questions(data.get("questions"), problems),
    )
    problems.raise_if_any()
    _group_into_sections(consultation, data["questions"])
    return consultation


def _group_into_sections(consultation: Consultation, specs: list[dict]) -> None:
    """Sections from the questions' optional "section" titles, in order of first use."""
    sections: dict[str, Section] = {}
    for question, spec in zip(consultation.questions, specs, strict=True):
        title = spec.get("section")
        if title is None:
            continue
        title = title.strip()
        if title not in sections:
            sections[title] = Section(position=len(sections) + 1, title=title)
            consultation.sections.append(sections[title])
        question.section = sections[title]


def _consultation_kind(reader: _Reader) -> ConsultationKind | None:
    value = reader.text("kind")
    if value is None:
        return None
    try:
        return ConsultationKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in ConsultationKind)
        reader.problems.add("kind", f"unknown consultation kind '{value}' (use {allowed})")
        return None


def _aware_time(reader: _Reader, name: str, now: datetime) -> datetime | None:
    value = reader.text(name)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        reader.problems.add(
            name, f"'{value}' is not an ISO 8601 time, e.g. 2017-06-07T09:00:00+01:00"
        )
        return None
    if moment.tzinfo is None:
        reader.problems.add(name, f"'{value}' needs a UTC offset, e.g. 2017-06-07T09:00:00+01:00")
        return None
    wrong = dates.problem(moment, now)
    if wrong:
        reader.problems.add(name, f"'{value}' {wrong}")
        return None
    return moment


def _questions(value: Any, problems: _Problems) -> list[Question]:
    if value is None:
        problems.add("questions", "is required (a list of questions)")
        return []
    if not isinstance(value, list):
        problems.add("questions", "must be a list of questions")
        return []
    questions = []
    for index, spec in enumerate(value):
        if not isinstance(spec, dict):
            problems.add(f"questions[{index}]", "must be an object")
            continue
        questions.append(_question(spec, index, problems))
    # Keys name pages, columns and spreadsheet sheets, and Excel's sheet names ignore case.
    for keys in _alike([q.key for q in questions if q.key], str.casefold):
        spellings = list(dict.fromkeys(keys))
        if len(spellings) > 1:
            named = " and ".join(f"'{key}'" for key in spellings)
            problems.add("questions", f"the keys {named} differ only in case: use one of them")
        elif len(keys) > 1:
            problems.add("questions", f"the key '{keys[0]}' is used more than once")
    _check_section_spellings(value, problems)
    return questions


def _alike(values: list[str], fold: Callable[[str], str]) -> list[list[str]]:
    """The values grouped by ``fold`` (each group in the order given), to find the same
    key or title given twice, or spelt two ways."""
    groups: dict[str, list[str]] = {}
    for value in values:
        groups.setdefault(fold(value), []).append(value)
    return list(groups.values())


def _check_section_spellings(specs: list, problems: _Problems) -> None:
    """Questions of one section title (spaces around it aside) share a section; the builder
    holds titles unique ignoring case, so a file must not spell one two ways."""
    titles = [spec.get("section") for spec in specs if isinstance(spec, dict)]
    stripped = [title.strip() for title in titles if isinstance(title, str) and title.strip()]
    for same in _alike(stripped, str.lower):
        spellings = list(dict.fromkeys(same))
        if len(spellings) > 1:
            named = " and ".join(f"'{title}'" for title in spellings)
            problems.add("questions", f"the sections {named} differ only in case: use one of them")


def _question(spec: dict, index: int, problems: _Problems) -> Question:
    reader = _Reader(spec, f"questions[{index}].", problems)
    reader.unknown_fields(QUESTION_FIELDS)
    key = reader.text("key", max_length=20)
    if key and not KEY_PATTERN.fullmatch(key):
        problems.add(reader.where("key"), f"'{key}' may contain only letters, digits, - and _")
    if key in RESERVED_QUESTION_KEYS:
        problems.add(reader.where("key"), f"'{key}' is reserved for a page of the response form")
    kind = _question_kind(reader)
    question = Question(
        position=index + 1,
        key=key,
        kind=kind,
        text=reader.text("text"),
        hint=reader.text("hint", required=False) or None,
        options=_options(reader, kind),
        rationale_prompt=reader.text("rationale", required=False) or None,
        required=_flag(reader, "required", default=True),
        max_length=_max_length(reader),
    )
    section = reader.text("section", required=False, max_length=300)
    if section is not None and not section.strip():
        problems.add(reader.where("section"), "must not be blank (leave it out instead)")
    if kind is QuestionKind.text and question.rationale_prompt:
        problems.add(reader.where("rationale"), "a text question has no rationale")
    return question


def _question_kind(reader: _Reader) -> QuestionKind | None:
    value = reader.text("kind")
    if value is None:
        return None
    try:
        return QuestionKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in QuestionKind)
        reader.problems.add(
            reader.where("kind"), f"unknown question kind '{value}' (use {allowed})"
        )
        return None


def _options(reader: _Reader, kind: QuestionKind | None) -> list[str]:
    value = reader.data.get("options")
    where = reader.where("options")
    if kind is QuestionKind.text:
        if value:
            reader.problems.add(where, "a text question has no options")
        return []
    if kind is None:
        return []
    if not isinstance(value, list) or not all(isinstance(o, str) for o in value):
        reader.problems.add(where, "a choice question needs a list of option strings")
        return []
    options = [o.strip() for o in value]
    if any(not o or len(o) > 300 for o in options):
        reader.problems.add(where, "each option must be 1 to 300 characters")
    if len(set(options)) != len(options):
        reader.problems.add(where, "options must be distinct")
    elif len(options) < 2:
        reader.problems.add(where, "a choice question needs at least 2 options")
    return options


def _flag(reader: _Reader, name: str, *, default: bool) -> bool:
    value = reader.data.get(name, default)
    if not isinstance(value, bool):
        reader.problems.add(reader.where(name), "must be true or false")
        return default
    return value


def _max_length(reader: _Reader) -> int | None:
    value = reader.data.get("max_length")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= TEXT_LIMIT:
        reader.problems.add(
            reader.where("max_length"), f"must be a whole number from 1 to {TEXT_LIMIT:,}"
        )
        return None
    return value


def import_consultation(
    session: Session,
    data: dict,
    *,
    now: datetime,
    publish: bool = False,
    actor_id: int | None = None,
) -> Consultation:
    """Create a consultation from a decoded document; publish it too if asked."""
    consultation = build_consultation(data, now)
    if _reference_taken(session, consultation.reference):
        raise InvalidInput(f"a consultation with reference {consultation.reference} already exists")
    session.add(consultation)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise InvalidInput(
            f"a consultation with reference {consultation.reference} already exists"
        ) from None
    audit.record(
        session,
        "consultation.imported",
        actor_id=actor_id,
        consultation_id=consultation.id,
        reference=consultation.reference,
    )
    if publish:
        service.publish(session, consultation, now, actor_id)
    return consultation


def _reference_taken(session: Session, reference: str) -> bool:
    """References are URL keys, so refuse one differing only in case too."""
    query = select(func.count()).where(func.lower(Consultation.reference) == reference.lower())
    return bool(session.scalar(query))


def export_consultation(consultation: Consultation) -> dict:
    """The consultation as a JSON-ready dict that ``import_consultation`` accepts."""
    document: dict[str, Any] = {
        "reference": consultation.reference,
        "title": consultation.title,
        "kind": consultation.kind.value,
        "summary": consultation.summary,
    }
    if consultation.modification:
        document["modification"] = consultation.modification
    document["opens_at"] = consultation.opens_at.astimezone(LONDON).isoformat()
    document["closes_at"] = consultation.closes_at.astimezone(LONDON).isoformat()
    document["questions"] = [_export_question(q) for q in consultation.questions]
    return document


def _export_question(question: Question) -> dict:
    spec: dict[str, Any] = {"key": question.key, "kind": question.kind.value, "text": question.text}
    if question.hint:
        spec["hint"] = question.hint
    if question.is_choice:
        spec["options"] = list(question.options)
    if question.rationale_prompt:
        spec["rationale"] = question.rationale_prompt
    spec["required"] = question.required
    if question.max_length is not None:
        spec["max_length"] = question.max_length
    if question.section is not None:
        spec["section"] = question.section.title
    return spec


def dumps(document: dict) -> str:
    """Format an exported consultation for people to read and edit."""
    return json.dumps(document, indent=2, ensure_ascii=False)
