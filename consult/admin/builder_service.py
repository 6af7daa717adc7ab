"""The consultation builder's rules: details, sections, questions and duplication.

Every change writes an audit event with the state before and after. Questions lock as
soon as any response has been submitted (a revision exists), because a submitted answer
must keep meaning what the respondent read; the lock is checked here, not only hidden
in the page.

A page that edits details, a question or a section carries a version: a fingerprint of
what it showed. A save whose version is no longer the stored one's is refused
(StaleEdit), so two people editing the same thing never overwrite each other unawares.
A fingerprint, not a counter, because these tables have no version column, and it moves
only when what the page shows moves (not when, say, a document is uploaded).
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

from consult import audit
from consult.dates import check_reasonable
from consult.errors import InvalidInput, NotFound, QuestionsLocked, StaleEdit
from consult.models import (
    RESERVED_QUESTION_KEYS,
    AuditEvent,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    Question,
    QuestionKind,
    Response,
    Revision,
    Section,
    canonical_reference,
)
from consult.responses.service import DEFAULT_TEXT_LIMIT

REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
RESERVED_KEYS = RESERVED_QUESTION_KEYS
_NUMBERED_KEY = re.compile(r"q(\d+)", re.IGNORECASE)  # an imported "Q3" is taken too
LOCKED_MESSAGE = (
    "The questions cannot be changed because a response has already been submitted. "
    "Respondents answered the questions as they stood, so changing them would change "
    "what those answers mean."
)
MAX_OPTION_LENGTH = 300


@dataclass(frozen=True)
class ConsultationDetails:
    """What the details form sets."""

    reference: str
    title: str
    kind: ConsultationKind
    modification: str | None
    summary: str
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class QuestionDetails:
    """What the question form sets."""

    kind: QuestionKind
    text: str
    hint: str | None
    options: list[str]
    rationale_prompt: str | None
    required: bool
    max_length: int | None
    section_id: int | None


# Consultations


def fingerprint(snapshot: Any) -> str:
    """A short digest of a snapshot: the version a page carries."""
    encoded = json.dumps(snapshot, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:20]


def _check_version(expected: str | None, current: str, what: str) -> None:
    """Refuse a save from a page showing what has changed since. ``expected`` None: a
    caller with no page (the CLI, a test) checks nothing."""
    if expected is not None and expected != current:
        raise StaleEdit(
            f"A colleague changed {what} after you opened this page. Yours has not been "
            "saved: compare it with what is saved now, then save again to keep yours"
        )


def _read_again(
    session: Session, thing: Section | Question, names: list[str] | None = None
) -> None:
    """Read a section or question again, as committed by the time the consultation's row
    was locked (``ensure_questions_editable``): a colleague's change committed since this
    request read it must show in its version. Deleted meanwhile: NotFound, as if already."""
    try:
        session.refresh(thing, names)
    except InvalidRequestError:
        raise NotFound(f"That {type(thing).__name__.lower()} has been deleted") from None


def details_version(consultation: Consultation) -> str:
    """The version of the consultation's details, as the details page carries it."""
    return fingerprint(_details_snapshot(consultation))


def _check_details(
    session: Session, details: ConsultationDetails, own_id: int | None, now: datetime
) -> None:
    if not REFERENCE_PATTERN.fullmatch(details.reference) or len(details.reference) > 40:
        raise InvalidInput(
            "The reference must be 40 characters or fewer: letters, digits and hyphens only",
            "reference",
        )
    query = select(func.count()).where(
        func.lower(Consultation.reference) == details.reference.lower()
    )
    if own_id is not None:
        query = query.where(Consultation.id != own_id)
    if session.scalar(query):
        raise InvalidInput(
            f"A consultation with reference {details.reference} already exists", "reference"
        )
    if not details.title.strip():
        raise InvalidInput("Enter the title", "title")
    if details.opens_at >= details.closes_at:
        raise InvalidInput("The closing date must be after the opening date", "closes_date")
    check_reasonable(details.opens_at, now, "opening date", "opens_date")
    check_reasonable(details.closes_at, now, "closing date", "closes_date")


_DETAIL_COLUMNS = (
    "reference",
    "title",
    "kind",
    "modification",
    "summary",
    "opens_at",
    "closes_at",
    "published_at",
)


def _details_snapshot(consultation: Consultation) -> dict[str, Any]:
    return {
        "reference": consultation.reference,
        "title": consultation.title,
        "kind": consultation.kind.value,
        "modification": consultation.modification,
        "summary": consultation.summary,
        "opens_at": consultation.opens_at.isoformat(),
        "closes_at": consultation.closes_at.isoformat(),
    }


def create_consultation(
    session: Session, details: ConsultationDetails, now: datetime, actor_id: int | None
) -> Consultation:
    """A new draft consultation with no questions yet."""
    details = replace(details, reference=canonical_reference(details.reference))
    _check_details(session, details, None, now)
    consultation = Consultation(**asdict(details))
    session.add(consultation)
    session.flush()
    audit.record(
        session,
        "consultation.created",
        actor_id=actor_id,
        consultation_id=consultation.id,
        before=None,
        after=_details_snapshot(consultation),
    )
    return consultation


def update_details(
    session: Session,
    consultation: Consultation,
    details: ConsultationDetails,
    now: datetime,
    actor_id: int | None,
    *,
    expected_version: str | None = None,
) -> None:
    """Change the details; the reference and dates only while they are not yet in use."""
    # Read again under the row's lock (PostgreSQL; SQLite has one writer at a time), so
    # that a colleague's save committed since this request read the row is seen.
    session.refresh(consultation, list(_DETAIL_COLUMNS), with_for_update={"key_share": True})
    _check_version(expected_version, details_version(consultation), "these details")
    details = replace(details, reference=canonical_reference(details.reference))
    status = consultation.status_at(now)
    if details.reference != consultation.reference and status is not ConsultationStatus.draft:
        raise InvalidInput(
            "The reference cannot change once published: people have its address", "reference"
        )
    dates_changed = _to_the_minute(details.opens_at, details.closes_at) != _to_the_minute(
        consultation.opens_at, consultation.closes_at
    )
    if not dates_changed:  # kept to the second, as publishing now or closing now set them
        details = replace(details, opens_at=consultation.opens_at, closes_at=consultation.closes_at)
    if dates_changed and status not in (ConsultationStatus.draft, ConsultationStatus.upcoming):
        raise InvalidInput(
            "The dates of an open or closed consultation change only by closing, "
            "extending or reopening it",
            "opens_date",
        )
    if dates_changed and status is ConsultationStatus.upcoming and details.opens_at <= now:
        raise InvalidInput(
            "The opening date must be in the future, or publish it to open now", "opens_date"
        )
    _check_details(session, details, consultation.id, now)
    before = _details_snapshot(consultation)
    for name, value in asdict(details).items():
        setattr(consultation, name, value)
    after = _details_snapshot(consultation)
    changed = {k for k in after if before[k] != after[k]}
    if changed:
        audit.record(
            session,
            "consultation.edited",
            actor_id=actor_id,
            consultation_id=consultation.id,
            before={k: before[k] for k in sorted(changed)},
            after={k: after[k] for k in sorted(changed)},
        )


def _to_the_minute(*moments: datetime) -> tuple[datetime, ...]:
    """Times as the details form shows them, in hours and minutes: a date stored with
    seconds ("Now", "Close now") comes back from the form without them, unchanged."""
    return tuple(moment.replace(second=0, microsecond=0) for moment in moments)


def duplicate(
    session: Session,
    source: Consultation,
    details: ConsultationDetails,
    now: datetime,
    actor_id: int | None,
) -> Consultation:
    """A new draft with the source's sections, questions and summary, under a new reference."""
    consultation = create_consultation(session, details, now, actor_id)
    sections = {}
    for section in source.sections:
        copy = Section(position=section.position, title=section.title)
        copy.description = section.description
        consultation.sections.append(copy)
        sections[section.id] = copy
    taken = {q.key for q in source.questions if q.key not in RESERVED_KEYS}
    number = _highest_number(taken)
    for question in source.questions:
        key = question.key
        if key in RESERVED_KEYS:
            number += 1
            key = f"q{number}"
        consultation.questions.append(
            Question(
                position=question.position,
                key=key,
                kind=question.kind,
                text=question.text,
                hint=question.hint,
                options=list(question.options),
                rationale_prompt=question.rationale_prompt,
                required=question.required,
                max_length=question.max_length,
                section=sections.get(question.section_id),
            )
        )
    session.flush()
    audit.record(
        session,
        "consultation.duplicated",
        actor_id=actor_id,
        consultation_id=consultation.id,
        before={"source": source.reference},
        after={"reference": consultation.reference, "questions": len(source.questions)},
    )
    return consultation


# The lock


def questions_locked(session: Session, consultation: Consultation) -> bool:
    """Whether any response to the consultation has ever been submitted."""
    query = select(
        exists().where(
            Revision.response_id == Response.id, Response.consultation_id == consultation.id
        )
    )
    return bool(session.scalar(query))


def ensure_questions_editable(session: Session, consultation: Consultation) -> None:
    """Raise QuestionsLocked once a response has been submitted.

    The consultation's row is locked first (PostgreSQL; SQLite has one writer at a time):
    a submission takes that row's lock for its receipt number, so an edit and a first
    submission cannot both go through, each unaware of the other. Without it, a response
    could be submitted against the old wording, and a summary kept in between (no
    submission yet, as far as the edit could tell) would outlive the edit."""
    # NO KEY UPDATE, as the receipt number's UPDATE takes: rows that merely refer to the
    # consultation (a new response, a document) are not held up.
    session.execute(
        select(Consultation.id)
        .where(Consultation.id == consultation.id)
        .with_for_update(key_share=True)
    )
    if questions_locked(session, consultation):
        raise QuestionsLocked(LOCKED_MESSAGE)


# Sections


def find_section(consultation: Consultation, section_id: int) -> Section:
    """The consultation's section with this id, or NotFound."""
    found = next((s for s in consultation.sections if s.id == section_id), None)
    if found is None:
        raise NotFound(f"No section {section_id} in {consultation.reference}")
    return found


def _check_section_title(
    session: Session, consultation: Consultation, title: str, own: Section | None = None
) -> str:
    """The title, stripped, once it is known to be usable and not taken.

    Titles are unique in a consultation, ignoring case, because export-consultation names
    each question's section by its title: two sections of one title would become one on
    import. Read from the database, after the lock ``ensure_questions_editable`` takes,
    so two people adding the same title at once cannot both succeed."""
    title = title.strip()
    if not title:
        raise InvalidInput("Enter the section title")
    if len(title) > 300:
        raise InvalidInput("The section title must be 300 characters or fewer")
    query = select(Section.title).where(
        Section.consultation_id == consultation.id, func.lower(Section.title) == title.lower()
    )
    if own is not None:
        query = query.where(Section.id != own.id)
    taken = session.scalar(query.limit(1))
    if taken is not None:
        raise InvalidInput(
            f"There is already a section called “{taken}”: give each section a different title"
        )
    return title


def add_section(
    session: Session, consultation: Consultation, title: str, actor_id: int | None
) -> Section:
    """A new section at the end."""
    ensure_questions_editable(session, consultation)
    title = _check_section_title(session, consultation, title)
    section = Section(position=len(consultation.sections) + 1, title=title)
    consultation.sections.append(section)
    session.flush()
    _record(session, "section.added", consultation, actor_id, None, {"title": section.title})
    return section


def section_version(section: Section) -> str:
    """The version of a section, as its page carries it."""
    return fingerprint({"title": section.title})


def rename_section(
    session: Session,
    consultation: Consultation,
    section: Section,
    title: str,
    actor_id: int | None,
    *,
    expected_version: str | None = None,
) -> None:
    """Give a section a new title."""
    ensure_questions_editable(session, consultation)
    _read_again(session, section, ["title"])
    _check_version(expected_version, section_version(section), "this section")
    before = {"title": section.title}
    section.title = _check_section_title(session, consultation, title, section)
    _record(session, "section.renamed", consultation, actor_id, before, {"title": section.title})


def move_section(
    session: Session,
    consultation: Consultation,
    section: Section,
    direction: str,
    actor_id: int | None,
) -> None:
    """Swap a section with its neighbour above or below; its questions move with it."""
    ensure_questions_editable(session, consultation)
    order = list(consultation.sections)
    before = [s.title for s in order]
    _swap(order, order.index(section), direction)
    for position, item in enumerate(order, start=1):
        item.position = position
    consultation.sections.sort(key=lambda s: s.position)
    _renumber_questions(consultation)
    after = [s.title for s in order]
    _record(session, "section.moved", consultation, actor_id, {"order": before}, {"order": after})


def delete_section(
    session: Session, consultation: Consultation, section: Section, actor_id: int | None
) -> None:
    """Remove a section; its questions stay, outside any section."""
    ensure_questions_editable(session, consultation)
    for question in list(section.questions):
        question.section = None
    consultation.sections.remove(section)
    for position, item in enumerate(consultation.sections, start=1):
        item.position = position
    _renumber_questions(consultation)
    _record(session, "section.deleted", consultation, actor_id, {"title": section.title}, None)


# Questions


def find_question(consultation: Consultation, key: str) -> Question:
    """The consultation's question with this key, or NotFound."""
    found = next((q for q in consultation.questions if q.key == key), None)
    if found is None:
        raise NotFound(f"No question {key} in {consultation.reference}")
    return found


def _check_question(consultation: Consultation, details: QuestionDetails) -> None:
    if not details.text.strip():
        raise InvalidInput("Enter the question", "text")
    if details.kind is QuestionKind.text:
        if details.options:
            raise InvalidInput("A free text question has no options: remove them", "options")
        if details.rationale_prompt:
            raise InvalidInput("Only a choice question has a rationale prompt", "rationale_prompt")
    elif len(details.options) < 2:
        raise InvalidInput("Enter at least 2 options, one on each line", "options")
    if len(set(details.options)) != len(details.options):
        raise InvalidInput("Each option must be different", "options")
    if any(len(option) > MAX_OPTION_LENGTH for option in details.options):
        raise InvalidInput(
            f"Each option must be {MAX_OPTION_LENGTH} characters or fewer", "options"
        )
    if details.max_length is not None and not 1 <= details.max_length <= DEFAULT_TEXT_LIMIT:
        raise InvalidInput(
            f"The character limit must be between 1 and {DEFAULT_TEXT_LIMIT:,}", "max_length"
        )
    if details.section_id is not None:
        find_section(consultation, details.section_id)


def question_snapshot(question: Question) -> dict[str, Any]:
    """A question's fields, as the audit log records them."""
    return {
        "key": question.key,
        "kind": question.kind.value,
        "text": question.text,
        "hint": question.hint,
        "options": list(question.options),
        "rationale_prompt": question.rationale_prompt,
        "required": question.required,
        "max_length": question.max_length,
        "section_id": question.section_id,
    }


def question_version(question: Question) -> str:
    """The version of a question, as its page carries it."""
    return fingerprint(question_snapshot(question))


def next_key(session: Session, consultation: Consultation) -> str:
    """The next free ``q<n>``: above every key in use or ever deleted, so none is reused."""
    keys = {q.key for q in consultation.questions}
    query = select(AuditEvent.detail).where(
        AuditEvent.consultation_id == consultation.id, AuditEvent.action == "question.deleted"
    )
    for detail in session.scalars(query):
        deleted = (detail or {}).get("before") or {}
        if isinstance(deleted.get("key"), str):
            keys.add(deleted["key"])
    key = f"q{_highest_number(keys) + 1}"
    if key in RESERVED_KEYS:  # cannot happen with q<n>, but the rule is absolute
        raise InvalidInput("That question key is reserved")
    return key


def _highest_number(keys: set[str]) -> int:
    numbers = [int(m.group(1)) for k in keys if (m := _NUMBERED_KEY.fullmatch(k))]
    return max(numbers, default=0)


def add_question(
    session: Session, consultation: Consultation, details: QuestionDetails, actor_id: int | None
) -> Question:
    """A new question at the end (of its section, when it has one)."""
    ensure_questions_editable(session, consultation)
    _check_question(consultation, details)
    question = Question(
        key=next_key(session, consultation),
        position=len(consultation.questions) + 1,
        **_question_fields(details),
    )
    if details.section_id is not None:
        question.section = find_section(consultation, details.section_id)
    consultation.questions.append(question)
    _renumber_questions(consultation)
    session.flush()
    _record(session, "question.added", consultation, actor_id, None, question_snapshot(question))
    return question


def _question_fields(details: QuestionDetails) -> dict[str, Any]:
    fields = asdict(details)
    fields["hint"] = fields["hint"] or None
    fields["rationale_prompt"] = fields["rationale_prompt"] or None
    return fields


def update_question(
    session: Session,
    consultation: Consultation,
    question: Question,
    details: QuestionDetails,
    actor_id: int | None,
    *,
    expected_version: str | None = None,
) -> None:
    """Change a question; its key stays."""
    ensure_questions_editable(session, consultation)
    _read_again(session, question)
    _check_version(expected_version, question_version(question), "this question")
    _check_question(consultation, details)
    before = question_snapshot(question)
    for name, value in _question_fields(details).items():
        setattr(question, name, value)
    question.section = (
        find_section(consultation, details.section_id) if details.section_id else None
    )
    _renumber_questions(consultation)
    session.flush()
    after = question_snapshot(question)
    if before != after:
        _record(session, "question.edited", consultation, actor_id, before, after)


def move_question(
    session: Session,
    consultation: Consultation,
    question: Question,
    direction: str,
    actor_id: int | None,
) -> None:
    """Swap a question with its neighbour in the same section."""
    ensure_questions_editable(session, consultation)
    order = list(consultation.questions)
    before = [q.key for q in order]
    siblings = [q for q in order if q.section_id == question.section_id]
    index = siblings.index(question)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(siblings):
        raise InvalidInput("The question cannot move further that way")
    other = siblings[target]
    question.position, other.position = other.position, question.position
    _renumber_questions(consultation)
    after = [q.key for q in consultation.questions]
    _record(session, "question.moved", consultation, actor_id, {"order": before}, {"order": after})


def delete_question(
    session: Session, consultation: Consultation, question: Question, actor_id: int | None
) -> None:
    """Remove a question (and any draft answers to it); its key is never used again."""
    ensure_questions_editable(session, consultation)
    before = question_snapshot(question)
    consultation.questions.remove(question)
    _renumber_questions(consultation)
    session.flush()
    _record(session, "question.deleted", consultation, actor_id, before, None)


def _swap(items: list, index: int, direction: str) -> None:
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(items):
        raise InvalidInput("It cannot move further that way")
    items[index], items[target] = items[target], items[index]


def _renumber_questions(consultation: Consultation) -> None:
    """Keep each section's questions together, in section order; questions outside any
    section come first. Respondents see the questions in ``position`` order."""
    sections = {s.id: s.position for s in consultation.sections}

    def order(question: Question) -> tuple[int, int]:
        section = question.section
        section_position = 0 if section is None else sections.get(section.id, section.position)
        return (section_position, question.position)

    ordered = sorted(consultation.questions, key=order)
    for position, question in enumerate(ordered, start=1):
        question.position = position
    consultation.questions.sort(key=lambda q: q.position)


def _record(
    session: Session,
    action: str,
    consultation: Consultation,
    actor_id: int | None,
    before: Any,
    after: Any,
) -> None:
    audit.record(
        session,
        action,
        actor_id=actor_id,
        consultation_id=consultation.id,
        before=before,
        after=after,
    )
