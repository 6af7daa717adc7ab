"""What respondents said to one question, a page at a time: filtered by party category and
by option chosen, and searched by word, all in the database.

A page costs three queries (count, page, the page's chosen options) whatever the number
of responses, so the summary page and the answers pages stay fast for any consultation.
"""

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy import (
    CompoundSelect,
    Select,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from consult.errors import InvalidInput
from consult.models import (
    Organisation,
    PartyCategory,
    Response,
    ResponseStatus,
    Revision,
    RevisionAnswer,
    RevisionChoice,
)
from consult.numbers import whole_number
from consult.summaries.service import (
    AnswerCell,
    Respondent,
    Summary,
    SummaryQuestion,
    _respondent,
)

PAGE_SIZE = 25
# How many answers the summary page shows under each question before "see all".
PREVIEW_SIZE = 5
# In the preview, a longer answer or rationale shows this many characters, and the rest
# behind "Show the rest": one long answer should not bury the four beside it.
PREVIEW_TEXT_LIMIT = 1_000
MAX_WORDS = 8
CURLY_APOSTROPHES = ("\u2019", "\u2018")
MAX_WORD_LENGTH = 100


@dataclass(frozen=True)
class AnswerFilter:
    """Which answers to show: a category, an option chosen, words to find, a page."""

    category: PartyCategory | None = None
    option: str | None = None
    words: tuple[str, ...] = ()
    page: int = 1
    # A search too long to run: what was typed, and what to correct (no words are searched).
    typed: str = ""
    search_error: str | None = None

    @property
    def is_filtered(self) -> bool:
        return bool(self.category or self.option or self.words)

    def query_args(self, keep: dict | None = None, **changes) -> dict[str, str | int]:
        """The filter as address arguments (for links to other pages of the same answers),
        after the arguments in ``keep``."""
        chosen = replace(self, **changes)
        args: dict[str, str | int] = dict(keep or {})
        if chosen.category:
            args["category"] = chosen.category.value
        if chosen.option:
            args["option"] = chosen.option
        if chosen.words:
            args["search"] = " ".join(chosen.words)
        if chosen.page > 1:
            args["page"] = chosen.page
        return args


def parse_filter(question: SummaryQuestion, args: Mapping[str, str]) -> AnswerFilter:
    """Read the filter from the address; InvalidInput names what to correct."""
    category = _parse_category(args.get("category", ""))
    option = args.get("option", "") or None
    if option is not None and option not in question.options:
        raise InvalidInput(
            f"“{option[:60]}” is not an option of {question.label.lower()}. "
            "Choose an option from the list, or “Any option”."
        )
    typed = args.get("search", "")
    words = tuple(typed.split())
    if len(words) > MAX_WORDS or any(len(w) > MAX_WORD_LENGTH for w in words):
        # Said beside the search box, as any form's error: the rest of the filter still works.
        problem = f"Search for up to {MAX_WORDS} words of up to {MAX_WORD_LENGTH} characters each"
        return AnswerFilter(category, option, (), 1, typed, problem)
    return AnswerFilter(category, option, words, parse_page(args.get("page")))


def _parse_category(raw: str) -> PartyCategory | None:
    if not raw:
        return None
    try:
        return PartyCategory(raw)
    except ValueError:
        raise InvalidInput(
            f"There is no party category “{raw[:40]}”. Choose one from the list, or “Any category”."
        ) from None


def check_page_exists(page: int, total: int, page_size: int, what: str) -> None:
    """Refuse a page beyond the last (the first always exists, empty or not)."""
    pages = max(1, math.ceil(total / page_size))
    if page > pages:
        there = "there is only 1 page" if pages == 1 else f"there are only {pages} pages"
        raise InvalidInput(f"There is no page {page} of {what}: {there}.")


def parse_page(raw: str | None) -> int:
    """A page number from the address: a whole number from 1."""
    if raw is None or raw == "":
        return 1
    try:
        return whole_number(raw)
    except ValueError:
        raise InvalidInput("The page number must be a whole number, 1 or more.") from None


@dataclass(frozen=True)
class AnswerPage:
    """One page of answers to a question, with the count of all answers the filter finds."""

    question: SummaryQuestion
    filter: AnswerFilter
    total: int
    rows: list[tuple[Respondent, AnswerCell]]
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.filter.page - 1) * self.page_size + 1

    @property
    def last(self) -> int:
        return min(self.total, self.filter.page * self.page_size)


def _said_something():
    """An answer that holds a choice, a text answer or a rationale."""
    chosen = exists().where(RevisionChoice.revision_answer_id == RevisionAnswer.id)
    return or_(RevisionAnswer.text.is_not(None), RevisionAnswer.rationale.is_not(None), chosen)


def _like_pattern(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    for curly in CURLY_APOSTROPHES:
        escaped = escaped.replace(curly, "'")
    return f"%{escaped}%"


def _searched(column):
    """A column as words are looked for in it: lower case, and curly apostrophes (as Word
    types them) straight, as in the words (``_like_pattern``), so "DCC’s" finds "DCC's"."""
    searched = func.lower(column)
    for curly in CURLY_APOSTROPHES:
        searched = func.replace(searched, curly, "'")
    return searched


def _answers_query(consultation_id, question_id, chosen: AnswerFilter) -> Select:
    """The answers to a question that said something (ids may be bind parameters)."""
    query = (
        select(
            Response.id,
            Response.receipt_number,
            Organisation.name,
            Organisation.category,
            Revision.confidential,
            Revision.late,
            Revision.submitted_at,
            Revision.number,
            RevisionAnswer.id.label("answer_id"),
            RevisionAnswer.text,
            RevisionAnswer.rationale,
        )
        .select_from(Response)
        .join(Revision, Revision.id == Response.current_revision_id)
        .join(Organisation, Organisation.id == Response.organisation_id)
        .join(
            RevisionAnswer,
            and_(
                RevisionAnswer.revision_id == Revision.id,
                RevisionAnswer.question_id == question_id,
            ),
        )
        .where(
            Response.consultation_id == consultation_id,
            Response.status == ResponseStatus.submitted,
            _said_something(),
        )
    )
    if chosen.category is not None:
        query = query.where(Organisation.category == chosen.category)
    if chosen.option is not None:
        query = query.where(
            exists().where(
                RevisionChoice.revision_answer_id == RevisionAnswer.id,
                RevisionChoice.option == chosen.option,
            )
        )
    for word in chosen.words:
        pattern = _like_pattern(word)
        query = query.where(
            or_(
                _searched(RevisionAnswer.text).like(pattern, escape="\\"),
                _searched(RevisionAnswer.rationale).like(pattern, escape="\\"),
            )
        )
    return query


def answers_page(
    session: Session,
    summary: Summary,
    question: SummaryQuestion,
    chosen: AnswerFilter,
    page_size: int = PAGE_SIZE,
) -> AnswerPage:
    """The answers the filter finds, one page of them, in receipt order."""
    query = _answers_query(summary.consultation_id, question.id, chosen)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    check_page_exists(chosen.page, total, page_size, "these answers")
    rows = _page_rows(session, query, chosen.page, page_size)
    return _page(session, summary, question, chosen, total, rows, page_size)


def _ordered(query: Select) -> Select:
    """Answers in receipt order (the id breaks any tie)."""
    return query.order_by(Response.receipt_number, Response.id)


def _page_rows(session: Session, query: Select, page: int, page_size: int) -> list:
    return list(session.execute(_ordered(query).offset((page - 1) * page_size).limit(page_size)))


def _page(
    session: Session,
    summary: Summary,
    question: SummaryQuestion,
    chosen: AnswerFilter,
    total: int,
    rows: list,
    page_size: int,
    options: dict[int, set[str]] | None = None,
) -> AnswerPage:
    if options is None:
        options = _options_of(session, [row.answer_id for row in rows])
    found = [
        (
            _respondent(row, summary.reference, summary.version),
            _cell(question, row, options.get(row.answer_id, set())),
        )
        for row in rows
    ]
    return AnswerPage(question, chosen, total, found, page_size)


def _options_of(session: Session, answer_ids: list[int]) -> dict[int, set[str]]:
    if not answer_ids:
        return {}
    chosen: dict[int, set[str]] = {}
    query = select(RevisionChoice.revision_answer_id, RevisionChoice.option).where(
        RevisionChoice.revision_answer_id.in_(answer_ids)
    )
    for answer_id, option in session.execute(query):
        chosen.setdefault(answer_id, set()).add(option)
    return chosen


def _cell(question: SummaryQuestion, row, options: set[str]) -> AnswerCell:
    if question.is_choice:
        answer = "; ".join(o for o in question.options if o in options)
    else:
        answer = row.text or ""
    return AnswerCell(answer, row.rationale or "")


def previews(session: Session, summary: Summary) -> dict[int, AnswerPage]:
    """The first few answers to each question, for the summary page: uncounted (``total``
    is -1), one more than shown so the page knows whether there are others. Each
    question's first answers are one limited query, as its answers page reads them; they
    are sent together (UNION ALL), and the chosen options of them all in one more query."""
    if not summary.questions:
        return {}
    rows: dict[int, list] = {q.id: [] for q in summary.questions}
    ids = [q.id for q in summary.questions]
    # SQLite allows 500 parts in a compound SELECT: a statement per hundred questions.
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        values = {f"question_{n}": question_id for n, question_id in enumerate(chunk)}
        query = _previews_query(len(chunk))
        for row in session.execute(query, {"consultation_id": summary.consultation_id, **values}):
            rows[row.question_id].append(row)
    for found in rows.values():  # a union keeps no order of its own: receipt order again
        found.sort(key=lambda row: (row.receipt_number or 0, row.id))
    options = _options_of(session, [row.answer_id for found in rows.values() for row in found])
    unfiltered = AnswerFilter()
    return {
        q.id: _page(session, summary, q, unfiltered, -1, rows[q.id], PREVIEW_SIZE + 1, options)
        for q in summary.questions
    }


@functools.lru_cache(maxsize=16)
def _previews_query(questions: int) -> CompoundSelect:
    """The first answers to ``questions`` questions, built once for each number of them
    (bind parameters ``consultation_id`` and ``question_0``…): SQLAlchemy then keeps its
    cache key as well as its SQL, where building a dozen subqueries cost milliseconds."""
    consultation_id = bindparam("consultation_id")
    firsts = [
        _ordered(_answers_query(consultation_id, bindparam(f"question_{n}"), AnswerFilter()))
        .add_columns(RevisionAnswer.question_id)
        .limit(PREVIEW_SIZE + 1)
        .subquery()
        for n in range(questions)
    ]
    return union_all(*(select(first) for first in firsts))
