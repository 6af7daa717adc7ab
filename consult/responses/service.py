"""Responses: the rules for drafting, submitting and amending an organisation's response.

One response per organisation per consultation. The respondent edits a working copy
(``Answer`` rows); submitting freezes it into a new immutable ``Revision``. Every save
bumps ``Response.version`` so a save made from a stale page is refused, not merged.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from consult import audit, mail
from consult.errors import (
    AlreadySubmitted,
    ConsultationNotOpen,
    IncompleteResponse,
    InvalidInput,
    NotFound,
    ResponseLocked,
    StaleResponse,
)
from consult.filters import uk_datetime
from consult.models import (
    Answer,
    Consultation,
    ConsultationStatus,
    LateAllowance,
    Organisation,
    Question,
    QuestionKind,
    Response,
    ResponseStatus,
    Revision,
    RevisionAnswer,
    RevisionChoice,
    User,
)
from consult.responses import news, tasks
from consult.responses.tasks import as_told

DEFAULT_TEXT_LIMIT = 20_000
# Why a withdrawn response refuses a change, and what to do instead (see respond_again).
WITHDRAWN = (
    "Your organisation withdrew this response. To change it, start it again from your "
    "organisation’s response."
)


@dataclass(frozen=True)
class AnswerInput:
    """What a respondent entered for one question."""

    choices: tuple[str, ...] = ()
    text: str | None = None
    rationale: str | None = None


def late_allowance(
    session: Session, consultation: Consultation, organisation_id: int, now: datetime
) -> LateAllowance | None:
    """The organisation's late allowance for this consultation, if one is in force."""
    allowance = session.scalar(
        select(LateAllowance).where(
            LateAllowance.consultation_id == consultation.id,
            LateAllowance.organisation_id == organisation_id,
        )
    )
    return allowance if allowance is not None and now < allowance.until else None


def ensure_accepting(
    session: Session, consultation: Consultation, organisation_id: int, now: datetime
) -> bool:
    """Raise ConsultationNotOpen unless this organisation may respond now.

    Returns whether a response made now is late (accepted under a late allowance).
    Raises ResponseLocked if SECAS has made the organisation inactive.
    """
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not organisation.active:
        raise ResponseLocked(
            "Your organisation is not active in Consult, so it cannot respond or change a "
            "response. Contact SECAS if this is wrong."
        )
    status = consultation.status_at(now)
    if status is ConsultationStatus.open:
        return False
    if status is ConsultationStatus.closed and late_allowance(
        session, consultation, organisation_id, now
    ):
        return True
    if status is ConsultationStatus.closed:
        raise ConsultationNotOpen(
            f"This consultation closed at {uk_datetime(consultation.closes_at)}. "
            "Responses can no longer be made or changed."
        )
    if status is ConsultationStatus.upcoming:
        raise ConsultationNotOpen(
            f"This consultation opens at {uk_datetime(consultation.opens_at)}."
        )
    raise ConsultationNotOpen("This consultation is not open for responses.")


def find_response(
    session: Session, consultation: Consultation, organisation_id: int
) -> Response | None:
    """The organisation's response to the consultation, with its working answers."""
    return session.scalar(
        select(Response)
        .where(
            Response.consultation_id == consultation.id,
            Response.organisation_id == organisation_id,
        )
        .options(selectinload(Response.answers), joinedload(Response.updated_by))
    )


def submitted_response(
    session: Session, consultation: Consultation, organisation_id: int
) -> Response | None:
    """The organisation's response with its revisions and the current revision's answers,
    if it was ever submitted (a withdrawn one included); None for a draft or no response."""
    response = session.scalar(
        select(Response)
        .where(
            Response.consultation_id == consultation.id,
            Response.organisation_id == organisation_id,
        )
        .options(
            selectinload(Response.revisions).selectinload(Revision.submitted_by),
            selectinload(Response.revisions).selectinload(Revision.attachments),
            selectinload(Response.current_revision)
            .selectinload(Revision.answers)
            .selectinload(RevisionAnswer.choices),
        )
    )
    if response is None or response.current_revision_id is None:
        return None
    return response


def find_question(consultation: Consultation, key: str) -> Question:
    """The consultation's question with this key, or NotFound."""
    found = next((q for q in consultation.questions if q.key == key), None)
    if found is None:
        raise NotFound(f"No question {key} in {consultation.reference}")
    return found


def next_question(response: Response | None, questions: list[Question]) -> Question | None:
    """Where a respondent carries on: the first question that needs an answer
    (``tasks.needs_answer``); None when every question has been dealt with."""
    if response is None:
        return questions[0] if questions else None
    answers = {a.question_id: a for a in response.answers}
    return next((q for q in questions if tasks.needs_answer(q, answers.get(q.id))), None)


def start_response(
    session: Session, consultation: Consultation, user: User, now: datetime
) -> Response:
    """The organisation's response, created as a draft on first use."""
    ensure_accepting(session, consultation, user.organisation_id, now)
    response = find_response(session, consultation, user.organisation_id)
    if response is not None:
        return response
    response = Response(
        consultation=consultation,
        organisation_id=user.organisation_id,
        updated_by_id=user.id,
        updated_at=now,
        answers=[],
    )
    session.add(response)
    try:
        session.flush()
    except IntegrityError:
        # A colleague started it at the same moment: use theirs.
        session.rollback()
        return find_response(session, consultation, user.organisation_id)
    audit.record(
        session,
        "response.started",
        actor_id=user.id,
        consultation_id=consultation.id,
        organisation_id=user.organisation_id,
    )
    return response


def validate_answer(question: Question, given: AnswerInput) -> AnswerInput:
    """Check an answer against its question; returns it cleaned, or raises InvalidInput."""
    choices = tuple(dict.fromkeys(given.choices))
    unknown = [c for c in choices if c not in question.options]
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' is not one of the options for {question.label.lower()}")
    if question.kind is QuestionKind.single_choice and len(choices) > 1:
        raise InvalidInput(f"Select only one option for {question.label.lower()}")
    text = _clean_text(given.text) if question.kind is QuestionKind.text else None
    rationale = _clean_text(given.rationale) if question.rationale_prompt else None
    limit = question.max_length or DEFAULT_TEXT_LIMIT
    for label, value in (("answer", text), ("rationale", rationale)):
        if value is not None and len(value) > limit:
            raise InvalidInput(
                f"The {label} to {question.label.lower()} must be {limit:,} characters or fewer"
            )
    return AnswerInput(choices=choices, text=text, rationale=rationale)


def normalise_text(value: str) -> str:
    """Line endings as ``\\n`` only, so a line break counts as one character everywhere."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _clean_text(value: str | None) -> str | None:
    """Keep text exactly as typed or pasted, but normalise line endings; blank is None."""
    if value is None:
        return None
    value = normalise_text(value)
    return value if value.strip() else None


def save_answer(
    session: Session,
    response: Response,
    question: Question,
    given: AnswerInput,
    *,
    expected_version: int,
    user: User,
    now: datetime,
) -> Answer:
    """Save one answer into the working copy."""
    _check_editable(session, response, expected_version, now, user)
    cleaned = validate_answer(question, given)
    answer = next((a for a in response.answers if a.question_id == question.id), None)
    if answer is None:
        answer = Answer(response=response, question_id=question.id)
        session.add(answer)
    answer.choices = list(cleaned.choices)
    answer.text = cleaned.text
    answer.rationale = cleaned.rationale
    answer.updated_at = now
    answer.updated_by_id = user.id
    touch(session, response, user, now)
    return answer


def set_confidential(
    session: Session,
    response: Response,
    confidential: bool,
    *,
    expected_version: int,
    user: User,
    now: datetime,
) -> None:
    """Record whether the response is confidential."""
    _check_editable(session, response, expected_version, now, user)
    response.confidential = confidential
    touch(session, response, user, now)


def _who_changed(response: Response, user: User) -> str:
    """Who made the response's last change, as the user is told: themselves (in another
    tab, say) or a colleague, by name."""
    return as_told(response.updated_by, user.id, "a colleague")


def _changed_meanwhile(response: Response, user: User) -> str:
    """Who changed the response, and when, after the page was shown."""
    who = _who_changed(response, user)
    return (
        f"{'You' if who == 'you' else who} changed this response at "
        f"{uk_datetime(response.updated_at)}, after you opened this page."
    )


def _stale_message(response: Response, user: User) -> str:
    """Why a save was refused: someone changed the response after the page was shown."""
    return (
        f"{_changed_meanwhile(response, user)} Your answer has not been saved: compare it "
        "with what is saved now, then save again to keep yours."
    )


def _stale_submission_message(response: Response, user: User) -> str:
    """Why a submission was refused: someone changed, or submitted, the response after the
    check page was shown (perhaps the submitter, in another tab)."""
    who = _who_changed(response, user)
    revision = response.current_revision
    did = "submitted" if revision and revision.submitted_at == response.updated_at else "changed"
    return (
        f"Your response was not submitted because {who} {did} it at "
        f"{uk_datetime(response.updated_at)}, after you opened this page. Check the answers, "
        "then submit again."
    )


def _check_editable(
    session: Session,
    response: Response,
    expected_version: int,
    now: datetime,
    user: User,
    stale_message: Callable[[Response, User], str] = _stale_message,
) -> None:
    if response.status is ResponseStatus.withdrawn:
        raise ResponseLocked(WITHDRAWN)
    ensure_accepting(session, response.consultation, response.organisation_id, now)
    if expected_version != response.version:
        raise StaleResponse(stale_message(response, user))


def touch(
    session: Session,
    response: Response,
    user: User,
    now: datetime,
    stale_message: Callable[[Response, User], str] = _stale_message,
) -> None:
    """Mark the response changed (bumping its version) and flush, so a concurrent save
    that slipped past the version check fails here, in the database.

    The UPDATE of the response row comes first in the flush (answers depend on it), so
    on PostgreSQL a racing save waits on that row lock and then finds the version moved;
    an IntegrityError covers two first answers to one question inserted at once.
    """
    response.updated_at = now
    response.updated_by_id = user.id
    # Always an UPDATE, so the version always moves on: the first save into a response
    # created a moment ago would otherwise change nothing on its row, leave the version at
    # 1, and a colleague's page from before the response existed (version 0) would pass.
    flag_modified(response, "updated_at")
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        session.rollback()
        # The rollback expired the response: reading it again shows the colleague's save.
        raise StaleResponse(stale_message(response, user)) from None


def missing_answers(response: Response, questions: list[Question]) -> list[Question]:
    """Required questions the working copy does not answer."""
    answers = {a.question_id: a for a in response.answers}
    return [
        q
        for q in questions
        if q.required
        and not tasks.is_answered(q, answers.get(q.id))
        # An answer of choices no longer offered is refused as changed since, not missing.
        and not tasks.no_longer_offered(q, answers.get(q.id))
    ]


def submit(
    session: Session,
    response: Response,
    *,
    expected_version: int,
    user: User,
    now: datetime,
    declared: bool,
) -> Revision:
    """Freeze the working copy, answers and attachments, into a new revision; the first
    submission gets a receipt.

    ``declared``: the submitter confirmed they are authorised to respond on behalf of the
    organisation; without it nothing is submitted, whoever calls (web, CLI or demo).
    """
    if not declared:
        raise InvalidInput(
            f"Confirm that you are authorised to respond on behalf of {response.organisation.name}"
        )
    consultation = response.consultation
    late = ensure_accepting(session, consultation, response.organisation_id, now)
    _load_current_revision(session, response)
    if _repeats_own_submission(response, user, expected_version):
        raise AlreadySubmitted(_already_submitted_message(response))
    _check_editable(session, response, expected_version, now, user, _stale_submission_message)
    missing = missing_answers(response, consultation.questions)
    if missing:
        which = ", ".join(q.label.lower() for q in missing)
        raise IncompleteResponse(
            f"Answer every required question before submitting ({which})", [q.key for q in missing]
        )
    if response.confidential is None:
        raise IncompleteResponse("Say whether your response is confidential", ["confidential"])
    receipt_number = None
    if response.receipt_number is None:
        receipt_number = _next_receipt_number(session, consultation)
        given = _answers_under_lock(session, response, consultation)
    else:
        # The questions are locked; answers saved before a release that checked less (or
        # restored from a backup of one) may still not fit them.
        given = _answers_as_asked(response, consultation.questions)
        if _same_as_submitted(response, given):
            raise AlreadySubmitted(_already_submitted_message(response))
    # Nothing on the response changes until all is read. Its UPDATE, checked against the
    # version the page showed, must be flushed in ``touch``, which turns a colleague's
    # submission a moment before into StaleResponse; flushed by a query's autoflush, it
    # would fail with no such handling.
    revision = _freeze(response, given, user, now, late, _next_revision_number(session, response))
    if receipt_number is not None:
        response.receipt_number = receipt_number
    revision.declared = True
    revision.submitted_from_version = expected_version
    session.add(revision)
    response.status = ResponseStatus.submitted
    response.current_revision = revision
    touch(session, response, user, now, _stale_submission_message)
    _audit(session, "response.submitted", response, user, revision=revision.number, late=late)
    allowance = (
        late_allowance(session, consultation, response.organisation_id, now) if late else None
    )
    _queue_receipt(session, response, revision, user, allowance)
    news.queue_submitted(session, response, revision, user)
    return revision


def _repeats_own_submission(response: Response, user: User, expected_version: int) -> bool:
    """Whether nothing was saved since this user submitted the current revision from the
    page at ``expected_version``, so posting that page again (the browser's Back) would only
    submit the same again. A page from before a change they then submitted (an old tab)
    showed other answers: that is stale, not a repeat."""
    revision = response.current_revision
    return (
        revision is not None
        and revision.submitted_by_id == user.id
        # None: submitted before the version was recorded (migration 0011).
        and revision.submitted_from_version in (None, expected_version)
        and response.updated_at == revision.submitted_at
        and _same_as_submitted(response, _working_answers(response))
    )


def unchanged_since_submitted(session: Session, response: Response | None) -> bool:
    """Whether the working copy is still what was last submitted: nothing to submit again."""
    if (
        response is None
        or response.status is not ResponseStatus.submitted
        or response.current_revision_id is None
    ):
        return False
    _load_current_revision(session, response)
    return _same_as_submitted(response, _working_answers(response))


def _load_current_revision(session: Session, response: Response) -> None:
    """Load the current revision with its answers, choices and attachments in a constant
    number of queries, instead of one query per answer as ``_same_as_submitted`` reads
    each answer's choices. The response holds it: the session alone would let it go."""
    if response.current_revision_id is not None:
        revision = session.scalar(
            select(Revision)
            .where(Revision.id == response.current_revision_id)
            .options(
                selectinload(Revision.answers).selectinload(RevisionAnswer.choices),
                selectinload(Revision.attachments),
            )
        )
        set_committed_value(response, "current_revision", revision)


def _working_answers(response: Response) -> dict[int, AnswerInput]:
    return {a.question_id: _as_input(a) for a in response.answers}


def _as_input(answer: Answer) -> AnswerInput:
    """A saved working answer as the service's input, to check or compare it again."""
    return AnswerInput(tuple(answer.choices), answer.text, answer.rationale)


def _same_as_submitted(response: Response, given: dict[int, AnswerInput]) -> bool:
    """Whether a revision of ``given`` would repeat the current one: the same answers,
    confidentiality and supporting documents."""
    revision = response.current_revision
    if response.status is not ResponseStatus.submitted or revision is None:
        return False
    submitted = {
        a.question_id: AnswerInput(tuple(c.option for c in a.choices), a.text, a.rationale)
        for a in revision.answers
    }
    return (
        _comparable(submitted) == _comparable(given)
        and revision.confidential == bool(response.confidential)
        and {a.id for a in revision.attachments} == {a.id for a in response.attachments}
    )


def _comparable(answers: dict[int, AnswerInput]) -> dict[int, AnswerInput]:
    """Answers with their choices in one order, blank ones (saved empty) left out."""
    return {
        question_id: AnswerInput(tuple(sorted(a.choices)), a.text, a.rationale)
        for question_id, a in answers.items()
        if a != AnswerInput()
    }


def _already_submitted_message(response: Response) -> str:
    revision = response.current_revision
    return (
        f"Your response {response.receipt} was already submitted, at "
        f"{uk_datetime(revision.submitted_at)}, and nothing has changed since. Nothing new "
        "was submitted and no new receipt was sent."
    )


def _answers_under_lock(
    session: Session, response: Response, consultation: Consultation
) -> dict[int, AnswerInput]:
    """The answers as the questions ask them now (see ``_answers_as_asked``).

    A first submission holds the consultation's row (its receipt number), as an edit to
    the questions does until it commits. The questions are read again now that no edit
    can be under way: one may have committed while this waited, or since the answers
    were saved (editing is allowed until the first submission). After this submission
    the questions lock."""
    with session.no_autoflush:
        for question in consultation.questions:
            session.expire(question)
        session.expire(consultation, ["questions"])
        session.expire(response, ["answers"])
        return _answers_as_asked(response, consultation.questions)


def _answers_as_asked(response: Response, questions: list[Question]) -> dict[int, AnswerInput]:
    """Each answer, by question id, as its question accepts it now: a rationale or text it
    no longer asks for is left behind. Refuses answers it would not accept, and required
    questions left unanswered, naming each."""
    answers = {a.question_id: a for a in response.answers}
    given: dict[int, AnswerInput] = {}
    changed = []
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        try:
            given[question.id] = validate_answer(question, _as_input(answer))
        except InvalidInput:
            changed.append(question.key)
    missing = missing_answers(response, questions)
    if changed or missing:
        raise IncompleteResponse(
            "Some questions have changed since they were answered: check your answers "
            "and submit again",
            [q.key for q in missing if q.key not in changed] + changed,
            changed,
        )
    return given


def _next_receipt_number(session: Session, consultation: Consultation) -> int:
    """Hand out the next receipt number atomically (the UPDATE locks the row)."""
    number = session.scalar(
        update(Consultation)
        .where(Consultation.id == consultation.id)
        .values(last_receipt_number=Consultation.last_receipt_number + 1)
        .returning(Consultation.last_receipt_number)
        .execution_options(synchronize_session=False)
    )
    session.expire(consultation, ["last_receipt_number"])
    return number


def _next_revision_number(session: Session, response: Response) -> int:
    """The number the response's next revision takes, read without loading every earlier
    revision (a response amended many times has many)."""
    latest = session.scalar(
        select(func.max(Revision.number)).where(Revision.response_id == response.id)
    )
    return (latest or 0) + 1


def _freeze(
    response: Response,
    given: dict[int, AnswerInput],
    user: User,
    now: datetime,
    late: bool,
    number: int,
) -> Revision:
    """Revision ``number`` of ``given``, the answers as their questions accept them."""
    revision = Revision(
        response=response,
        number=number,
        confidential=bool(response.confidential),
        late=late,
        submitted_at=now,
        submitted_by_id=user.id,
        attachments=list(response.attachments),
    )
    for question_id, answer in given.items():
        revision.answers.append(
            RevisionAnswer(
                question_id=question_id,
                text=answer.text,
                rationale=answer.rationale,
                choices=[RevisionChoice(option=c) for c in answer.choices],
            )
        )
    return revision


def withdraw(
    session: Session, response: Response, *, expected_version: int, user: User, now: datetime
) -> None:
    """Withdraw a submitted response before close; it leaves every summary."""
    if response.status is not ResponseStatus.submitted:
        raise ResponseLocked("Only a submitted response can be withdrawn.")
    _check_editable(session, response, expected_version, now, user)
    response.status = ResponseStatus.withdrawn
    touch(session, response, user, now)
    _audit(session, "response.withdrawn", response, user)
    news.queue_withdrawn(session, response, user)


def respond_again(
    session: Session, response: Response, *, expected_version: int, user: User, now: datetime
) -> None:
    """Make a withdrawn response a draft again, while the organisation may still respond
    (open, or under a late allowance), to change and submit again. The answers are as last
    saved; the earlier revisions and the receipt reference stay. Until it is submitted
    again it counts nowhere, as any draft."""
    if response.status is not ResponseStatus.withdrawn:
        raise ResponseLocked("Only a withdrawn response can be started again.")
    ensure_accepting(session, response.consultation, response.organisation_id, now)
    if expected_version != response.version:
        raise StaleResponse(_stale_restart_message(response, user))
    response.status = ResponseStatus.draft
    touch(session, response, user, now, _stale_restart_message)
    _audit(session, "response.restarted", response, user)


def _audit(session: Session, action: str, response: Response, user: User, **detail) -> None:
    """Record what ``user`` did to a response that has a receipt."""
    audit.record(
        session,
        action,
        actor_id=user.id,
        consultation_id=response.consultation_id,
        organisation_id=response.organisation_id,
        receipt=response.receipt,
        **detail,
    )


def _stale_restart_message(response: Response, user: User) -> str:
    return (
        f"{_changed_meanwhile(response, user)} Nothing was changed now: check the response "
        "as it is."
    )


def _queue_receipt(
    session: Session,
    response: Response,
    revision: Revision,
    user: User,
    allowance: LateAllowance | None,
) -> None:
    consultation = response.consultation
    answers = {a.question_id: a for a in response.answers}
    lines = [
        f"Dear {user.name},",
        "",
        f"Thank you. We have received {response.organisation.name}'s response to "
        f"{consultation.title}.",
        "",
        f"Receipt reference: {response.receipt}",
        f"Revision: {revision.number}",
        f"Submitted: {uk_datetime(revision.submitted_at)}",
        f"Confidential: {'Yes' if revision.confidential else 'No'}",
    ]
    if revision.late:
        lines.append("Late: yes (accepted under a late allowance)")
    if revision.declared:
        lines.append(
            f"Declaration: {user.name} confirmed they are authorised to respond on behalf "
            f"of {response.organisation.name}"
        )
    lines += ["", "Your answers", "============"]
    for question in consultation.questions:
        answer = answers.get(question.id)
        lines += [
            "",
            f"{question.label}: {question.text}",
            answer_text(question, answer) or "Not answered",
        ]
        if question.rationale_prompt and answer is not None and answer.rationale:
            lines += [f"{question.rationale_prompt}:", answer.rationale]
    lines += _attachment_lines(revision)
    lines += [
        "",
        "You can amend or withdraw this response until "
        + (
            f"{uk_datetime(allowance.until)}, when your organisation's late allowance ends."
            if allowance
            else f"the consultation closes at {uk_datetime(consultation.closes_at)}."
        ),
    ]
    mail.queue(
        session,
        user.email,
        f"Response received: {response.receipt}",
        "\n".join(lines),
        kind="receipt",
        consultation_id=consultation.id,
    )


def _attachment_lines(revision: Revision) -> list[str]:
    if not revision.attachments:
        return []
    lines = ["", "Supporting documents", "===================="]
    return lines + [f"- {a.filename} ({a.size:,} bytes)" for a in revision.attachments]


def answer_text(question: Question, answer: Answer | RevisionAnswer | None) -> str:
    """The answer as a person reads it: chosen options joined, or the text."""
    if answer is None:
        return ""
    if question.kind is QuestionKind.text:
        return answer.text or ""
    choices = answer.choices
    if choices and isinstance(choices[0], RevisionChoice):
        chosen = {c.option for c in choices}
        return "; ".join(o for o in question.options if o in chosen)
    return "; ".join(o for o in question.options if o in choices)
