"""Summaries for the Panel: who responded, tallies of the choice questions and every answer.

Only submitted responses count, each with its current revision, so drafts, withdrawn
responses and earlier revisions of amended ones never appear. Counts are made in the
database (GROUP BY); answers are read with one query, ordered by response, so a writer can
stream them. Two versions: ``panel`` shows every organisation's name and marks confidential
responses; ``public`` replaces the name of a confidential respondent with its category.

The page never holds every response: ``Summary`` carries the figures, and the answers
and respondents are read a page at a time (``consult.summaries.answers``,
``respondents_page``), so a consultation with 100,000 responses renders as fast as one
with ten.
"""

import enum
import itertools
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from consult.consultations import service as consultations
from consult.db import utcnow
from consult.errors import InvalidInput, NotFound
from consult.filters import deadline_change
from consult.models import (
    CATEGORY_LABELS,
    Consultation,
    ConsultationStatus,
    DeadlineChangeKind,
    Organisation,
    PartyCategory,
    QuestionKind,
    Response,
    ResponseStatus,
    Revision,
    RevisionAnswer,
    RevisionChoice,
    question_label,
    receipt_reference,
)

CATEGORIES: tuple[PartyCategory, ...] = tuple(CATEGORY_LABELS)

# Rows fetched from the database at a time when streaming answers.
BATCH_SIZE = 500


class Version(enum.StrEnum):
    """Which version of the summary: names shown, or confidential respondents anonymised."""

    panel = "panel"
    public = "public"


def parse_version(raw: str | None) -> Version:
    """The version asked for in the address (``panel`` when none is given)."""
    if raw is None or raw == "":
        return Version.panel
    try:
        return Version(raw)
    except ValueError:
        raise InvalidInput(
            f"There is no “{raw[:40]}” version of the summary. Use version=panel for the "
            "version with every respondent’s name, or version=public for the version with "
            "confidential respondents anonymised."
        ) from None


def find_consultation(
    session: Session,
    reference: str,
    now: datetime,
    parts: tuple[str, ...] = ("questions", "deadline_changes"),
) -> Consultation:
    """The consultation, if it has opened; a draft or upcoming one has no summary.

    ``parts``: what to load with it, by default what a summary shows (its questions and
    period changes)."""
    consultation = consultations.get_by_reference(session, reference, parts=parts)
    ensure_opened(consultation, now)
    return consultation


def ensure_opened(consultation: Consultation, now: datetime) -> None:
    """Refuse a consultation that has not opened: a draft or upcoming one has no summary."""
    if consultation.status_at(now) not in (ConsultationStatus.open, ConsultationStatus.closed):
        raise NotFound(f"{consultation.reference} has not opened yet, so it has no summary")


@dataclass(frozen=True)
class IndexEntry:
    """A consultation that has opened, as the Panel's list shows it."""

    reference: str
    title: str
    opens_at: datetime
    closes_at: datetime
    status: ConsultationStatus
    responses: int
    summary_published_at: datetime | None


def opened_consultations(session: Session, now: datetime) -> list[IndexEntry]:
    """Every consultation that has opened, latest deadline first, with its response count."""
    counted = (
        select(Response.consultation_id, func.count(Response.id).label("responses"))
        .where(Response.status == ResponseStatus.submitted)
        .group_by(Response.consultation_id)
        .subquery()
    )
    query = (
        select(Consultation, func.coalesce(counted.c.responses, 0))
        .outerjoin(counted, counted.c.consultation_id == Consultation.id)
        .where(Consultation.published_at.is_not(None), Consultation.opens_at <= now)
        .order_by(Consultation.closes_at.desc(), Consultation.id.desc())
    )
    return [
        IndexEntry(
            reference=c.reference,
            title=c.title,
            opens_at=c.opens_at,
            closes_at=c.closes_at,
            status=c.status_at(now),
            responses=count,
            summary_published_at=c.summary_published_at,
        )
        for c, count in session.execute(query)
    ]


@dataclass(frozen=True)
class SummaryQuestion:
    """A question as the summary needs it, detached from the database session."""

    id: int
    number: int
    key: str
    text: str
    kind: QuestionKind
    options: tuple[str, ...]
    rationale_prompt: str | None

    @property
    def is_choice(self) -> bool:
        return self.kind is not QuestionKind.text

    @property
    def is_multiple(self) -> bool:
        return self.kind is QuestionKind.multiple_choice

    @property
    def label(self) -> str:
        return question_label(self.number)

    @property
    def heading(self) -> str:
        return f"{self.label}: {self.text}"


def summary_questions(consultation: Consultation) -> list[SummaryQuestion]:
    """The consultation's questions, in order."""
    return [
        SummaryQuestion(
            id=q.id,
            number=number,
            key=q.key,
            text=q.text,
            kind=q.kind,
            options=tuple(q.options or ()),
            rationale_prompt=q.rationale_prompt,
        )
        for number, q in enumerate(consultation.questions, start=1)
    ]


@dataclass(frozen=True)
class Respondent:
    """One submitted response's particulars; ``name`` is already right for the version."""

    response_id: int
    receipt_number: int
    receipt: str
    name: str
    category: PartyCategory
    confidential: bool
    late: bool
    submitted_at: datetime
    revision: int


@dataclass(frozen=True)
class AnswerCell:
    """One answer as people read it: chosen options joined with '; ', or the text."""

    answer: str = ""
    rationale: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.answer or self.rationale)


EMPTY = AnswerCell()


@dataclass(frozen=True)
class ResponseRow:
    """One submitted response with its answers by question id."""

    respondent: Respondent
    answers: dict[int, AnswerCell]

    def cell(self, question: SummaryQuestion) -> AnswerCell:
        return self.answers.get(question.id, EMPTY)


@dataclass(frozen=True)
class Tally:
    """Counts of one choice question's options by party category."""

    question: SummaryQuestion
    counts: dict[tuple[str, PartyCategory], int]

    def count(self, option: str, category: PartyCategory) -> int:
        return self.counts.get((option, category), 0)

    def option_total(self, option: str) -> int:
        return sum(self.count(option, c) for c in CATEGORIES)

    def category_total(self, category: PartyCategory) -> int:
        return sum(self.count(o, category) for o in self.question.options)

    @property
    def total(self) -> int:
        return sum(self.option_total(o) for o in self.question.options)


@dataclass(frozen=True)
class PeriodChange:
    """A change to the closing time: an extension, an early close or a reopening."""

    kind: DeadlineChangeKind
    previous_closes_at: datetime
    new_closes_at: datetime
    reason: str
    changed_at: datetime

    @property
    def description(self) -> str:
        """The change in words, as the public consultation page gives it."""
        return deadline_change(self)


@dataclass
class Summary:
    """The figures of the summary page and of the XLSX and DOCX downloads (not the answers,
    which are read a page at a time or streamed)."""

    reference: str
    title: str
    opens_at: datetime
    closes_at: datetime
    version: Version
    questions: list[SummaryQuestion]
    by_category: dict[PartyCategory, int]
    confidential_count: int
    late_count: int
    tallies: dict[int, Tally]
    changes: list[PeriodChange] = field(default_factory=list)
    consultation_id: int = 0
    closed: bool = False
    published_at: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.by_category.values())

    @property
    def categories(self) -> tuple[PartyCategory, ...]:
        return CATEGORIES

    @property
    def public(self) -> bool:
        return self.version is Version.public

    def tally(self, question: SummaryQuestion) -> Tally:
        return self.tallies.get(question.id) or Tally(question, {})

    def question(self, key: str) -> SummaryQuestion:
        """The question with this key, or NotFound."""
        found = next((q for q in self.questions if q.key == key), None)
        if found is None:
            raise NotFound(f"No question {key[:20]} in {self.reference}")
        return found


def summarise(
    session: Session, consultation: Consultation, version: Version, now: datetime | None = None
) -> Summary:
    """The figures, in two queries whatever the number of responses."""
    questions = summary_questions(consultation)
    by_category, confidential, late = respondent_counts(session, consultation.id)
    return Summary(
        reference=consultation.reference,
        title=consultation.title,
        opens_at=consultation.opens_at,
        closes_at=consultation.closes_at,
        version=version,
        questions=questions,
        by_category=by_category,
        confidential_count=confidential,
        late_count=late,
        tallies=tallies(session, consultation.id, questions),
        changes=[
            PeriodChange(c.kind, c.previous_closes_at, c.new_closes_at, c.reason, c.changed_at)
            for c in consultation.deadline_changes
        ],
        consultation_id=consultation.id,
        closed=consultation.status_at(now or utcnow()) is ConsultationStatus.closed,
        published_at=consultation.summary_published_at,
    )


def _counted(query: Select, consultation_id: int) -> Select:
    """Restrict a query joined to Response and Revision to what summaries count."""
    return query.where(
        Response.consultation_id == consultation_id,
        Response.status == ResponseStatus.submitted,
    )


def respondent_counts(
    session: Session, consultation_id: int
) -> tuple[dict[PartyCategory, int], int, int]:
    """Respondents per party category (every category, zeros included), confidential, late."""
    query = _counted(
        select(
            Organisation.category,
            func.count(Response.id),
            func.sum(case((Revision.confidential, 1), else_=0)),
            func.sum(case((Revision.late, 1), else_=0)),
        )
        .select_from(Response)
        .join(Revision, Revision.id == Response.current_revision_id)
        .join(Organisation, Organisation.id == Response.organisation_id),
        consultation_id,
    ).group_by(Organisation.category)
    by_category = dict.fromkeys(CATEGORIES, 0)
    confidential = late = 0
    for category, count, confidential_here, late_here in session.execute(query):
        by_category[PartyCategory(category)] = count
        confidential += confidential_here or 0
        late += late_here or 0
    return by_category, confidential, late


def tallies(
    session: Session, consultation_id: int, questions: list[SummaryQuestion]
) -> dict[int, Tally]:
    """Option × category counts for every choice question, in one GROUP BY query."""
    query = _counted(
        select(
            RevisionAnswer.question_id,
            RevisionChoice.option,
            Organisation.category,
            func.count(RevisionChoice.id),
        )
        .select_from(RevisionChoice)
        .join(RevisionAnswer, RevisionAnswer.id == RevisionChoice.revision_answer_id)
        .join(Response, Response.current_revision_id == RevisionAnswer.revision_id)
        .join(Organisation, Organisation.id == Response.organisation_id),
        consultation_id,
    ).group_by(RevisionAnswer.question_id, RevisionChoice.option, Organisation.category)
    counts: dict[int, dict[tuple[str, PartyCategory], int]] = {}
    for question_id, option, category, count in session.execute(query):
        counts.setdefault(question_id, {})[(option, PartyCategory(category))] = count
    return {q.id: Tally(q, counts.get(q.id, {})) for q in questions if q.is_choice}


def display_name(name: str, category: PartyCategory, confidential: bool, version: Version) -> str:
    """The respondent's name as this version shows it."""
    if confidential and version is Version.public:
        return f"Confidential respondent ({category.label})"
    return name


def iter_response_rows(
    session: Session,
    reference: str,
    consultation_id: int,
    questions: list[SummaryQuestion],
    version: Version,
) -> Iterator[ResponseRow]:
    """Every submitted response with its answers to ``questions``, one at a time.

    Two streamed queries in the same order (receipt): one row per respondent, and one row
    per answer (or per chosen option); they are merged here without holding them all, so
    the respondent's particulars are read once, not once per answer.
    """
    connection = session.connection()
    streamed = {"stream_results": True, "yield_per": BATCH_SIZE}
    who_rows = connection.execute(
        _respondents_query_for(consultation_id).execution_options(**streamed)
    )
    answer_rows = connection.execute(
        _answers_query(consultation_id, questions).execution_options(**streamed)
    )
    by_id = {q.id: q for q in questions}
    # Iterating the result reads it in batches; the answers come grouped by response.
    answers = itertools.groupby(answer_rows, key=operator.itemgetter(0))
    pending = next(answers, None)
    for who in who_rows:
        collected: dict[int, list] = {}
        if pending is not None and pending[0] == who.id:
            for row in pending[1]:
                _collect(collected, row)
            pending = next(answers, None)
        yield ResponseRow(_respondent(who, reference, version), _cells(collected, by_id))


def _answers_query(consultation_id: int, questions: list[SummaryQuestion]) -> Select:
    joined = RevisionAnswer.revision_id == Response.current_revision_id
    if len(questions) == 1:
        # One question's answers only (the DOCX reads a question at a time).
        joined = and_(joined, RevisionAnswer.question_id == questions[0].id)
    return _counted(
        select(
            Response.id,
            RevisionAnswer.question_id,
            RevisionAnswer.text,
            RevisionAnswer.rationale,
            RevisionChoice.option,
        )
        .select_from(Response)
        .join(RevisionAnswer, joined)
        .outerjoin(RevisionChoice, RevisionChoice.revision_answer_id == RevisionAnswer.id),
        consultation_id,
    ).order_by(Response.receipt_number, Response.id, RevisionAnswer.question_id)


def _collect(collected: dict[int, list], row) -> None:
    """Add an answer row to its response's answers: [text, rationale, chosen options]."""
    _response_id, question_id, text, rationale, option = row
    held = collected.get(question_id)
    if held is None:
        held = collected[question_id] = [text, rationale, set()]
    if option is not None:
        held[2].add(option)


def _cells(collected: dict[int, list], questions: dict[int, SummaryQuestion]) -> dict:
    cells: dict[int, AnswerCell] = {}
    for question_id, (text, rationale, chosen) in collected.items():
        question = questions.get(question_id)
        if question is None:
            continue
        if question.is_choice:
            answer = "; ".join(o for o in question.options if o in chosen) if chosen else ""
        else:
            answer = text or ""
        cells[question_id] = AnswerCell(answer, rationale or "")
    return cells


def _respondents_query_for(consultation_id: int) -> Select:
    return _counted(
        select(
            Response.id,
            Response.receipt_number,
            Organisation.name,
            Organisation.category,
            Revision.confidential,
            Revision.late,
            Revision.submitted_at,
            Revision.number,
        )
        .select_from(Response)
        .join(Revision, Revision.id == Response.current_revision_id)
        .join(Organisation, Organisation.id == Response.organisation_id),
        consultation_id,
    ).order_by(Response.receipt_number, Response.id)


def _respondents_query(summary: Summary) -> Select:
    return _respondents_query_for(summary.consultation_id)


def respondents_page(
    session: Session, summary: Summary, page: int, per_page: int
) -> list[Respondent]:
    """One page of the respondents, in receipt order (one query)."""
    query = _respondents_query(summary).offset((page - 1) * per_page).limit(per_page)
    return [_respondent(row, summary.reference, summary.version) for row in session.execute(query)]


@dataclass(frozen=True)
class OneResponse:
    """One counted response with every answer, and its neighbours in receipt order."""

    row: ResponseRow
    previous: int | None
    next: int | None


def one_response(
    session: Session,
    consultation: Consultation,
    questions: list[SummaryQuestion],
    version: Version,
    receipt_number: int,
) -> OneResponse:
    """The counted response with this receipt number, as ``version`` shows it; NotFound
    for a draft, a withdrawn response or a number never given."""
    who = session.execute(
        _respondents_query_for(consultation.id).where(Response.receipt_number == receipt_number)
    ).first()
    if who is None:
        receipt = receipt_reference(consultation.reference, receipt_number)
        raise NotFound(f"No submitted response {receipt} in this summary")
    collected: dict[int, list] = {}
    for row in session.execute(
        _answers_query(consultation.id, questions).where(Response.id == who.id)
    ):
        _collect(collected, row)
    numbers = _counted(select(Response.receipt_number).select_from(Response), consultation.id)
    before = numbers.where(Response.receipt_number < receipt_number)
    after = numbers.where(Response.receipt_number > receipt_number)
    return OneResponse(
        row=ResponseRow(
            _respondent(who, consultation.reference, version),
            _cells(collected, {q.id: q for q in questions}),
        ),
        previous=session.scalar(before.order_by(Response.receipt_number.desc()).limit(1)),
        next=session.scalar(after.order_by(Response.receipt_number).limit(1)),
    )


def iter_respondents(session: Session, summary: Summary) -> Iterator[Respondent]:
    """Every respondent, in receipt order, streamed from one query."""
    result = session.execute(_respondents_query(summary).execution_options(yield_per=BATCH_SIZE))
    for row in result:
        yield _respondent(row, summary.reference, summary.version)


def _respondent(row, reference: str, version: Version) -> Respondent:
    category = PartyCategory(row.category)
    return Respondent(
        response_id=row.id,
        receipt_number=row.receipt_number,
        receipt=receipt_reference(reference, row.receipt_number),
        name=display_name(row.name, category, row.confidential, version),
        category=category,
        confidential=row.confidential,
        late=row.late,
        submitted_at=row.submitted_at,
        revision=row.number,
    )
