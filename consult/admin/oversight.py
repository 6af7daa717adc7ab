"""Oversight of one consultation: who has responded, who has a draft, who has not started;
late allowances; every response and each of its revisions, with their files, read-only."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from consult import audit
from consult.admin import notifications
from consult.dates import check_reasonable
from consult.errors import InvalidInput, NotFound
from consult.filters import uk_datetime
from consult.models import (
    CATEGORY_LABELS,
    Answer,
    Attachment,
    Consultation,
    LateAllowance,
    Organisation,
    Response,
    ResponseStatus,
    Revision,
    RevisionAnswer,
    User,
)

SUBMITTED = "Submitted"
SUBMITTED_LATE = "Submitted late"
DRAFT = "Draft"
NOT_STARTED = "Not started"
WITHDRAWN = "Withdrawn"


@dataclass(frozen=True)
class OrganisationRow:
    """Where one organisation stands on one consultation."""

    organisation: Organisation
    status: str
    response: Response | None
    allowance: LateAllowance | None

    @property
    def submitted_at(self) -> datetime | None:
        revision = self.response.current_revision if self.response else None
        return revision.submitted_at if revision else None


@dataclass
class Overview:
    """Organisations grouped by party category, and how many are in each state."""

    groups: list[tuple[str, list[OrganisationRow]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _status(response: Response | None) -> str:
    if response is None:
        return NOT_STARTED
    if response.status is ResponseStatus.submitted:
        late = response.current_revision is not None and response.current_revision.late
        return SUBMITTED_LATE if late else SUBMITTED
    if response.status is ResponseStatus.withdrawn:
        return WITHDRAWN
    return DRAFT


def overview(session: Session, consultation: Consultation) -> Overview:
    """Active organisations (and any other that responded), by category, in three queries."""
    responses = {
        r.organisation_id: r
        for r in session.scalars(
            select(Response)
            .where(Response.consultation_id == consultation.id)
            .options(selectinload(Response.current_revision))
        )
    }
    allowances = {
        a.organisation_id: a
        for a in session.scalars(
            select(LateAllowance).where(LateAllowance.consultation_id == consultation.id)
        )
    }
    organisations = session.scalars(
        select(Organisation)
        .where(or_(Organisation.active.is_(True), Organisation.id.in_(list(responses))))
        .order_by(func.lower(Organisation.name), Organisation.name)
    )
    by_category: dict = {category: [] for category in CATEGORY_LABELS}
    states = (SUBMITTED, SUBMITTED_LATE, DRAFT, NOT_STARTED, WITHDRAWN)
    result = Overview(counts=dict.fromkeys(states, 0))
    for organisation in organisations:
        response = responses.get(organisation.id)
        row = OrganisationRow(
            organisation, _status(response), response, allowances.get(organisation.id)
        )
        by_category[organisation.category].append(row)
        result.counts[row.status] += 1
    result.groups = [(CATEGORY_LABELS[c], rows) for c, rows in by_category.items() if rows]
    return result


def get_allowance(
    session: Session, consultation: Consultation, organisation_id: int
) -> LateAllowance | None:
    """The organisation's late allowance on this consultation, in force or not."""
    return session.scalar(
        select(LateAllowance).where(
            LateAllowance.consultation_id == consultation.id,
            LateAllowance.organisation_id == organisation_id,
        )
    )


def grant_late_allowance(
    session: Session,
    consultation: Consultation,
    organisation: Organisation,
    *,
    until: datetime,
    reason: str,
    now: datetime,
    actor_id: int | None,
) -> int:
    """Let one organisation submit after close until ``until`` (replacing any earlier one),
    and e-mail its respondents the new deadline; returns how many were e-mailed."""
    if consultation.published_at is None:
        raise InvalidInput("Publish the consultation before granting a late allowance")
    if until <= consultation.closes_at:
        closes = uk_datetime(consultation.closes_at)
        raise InvalidInput(f"The date must be after the consultation closes ({closes})")
    if until <= now:
        raise InvalidInput("The date must be in the future")
    check_reasonable(until, now, "date")
    if not reason.strip():
        raise InvalidInput("Enter the reason for the late allowance")
    allowance = get_allowance(session, consultation, organisation.id)
    before = {"until": allowance.until.isoformat()} if allowance else None
    if allowance is None:
        allowance = LateAllowance(consultation_id=consultation.id, organisation_id=organisation.id)
        session.add(allowance)
    allowance.until = until
    allowance.reason = reason.strip()
    allowance.granted_at = now
    allowance.granted_by_id = actor_id
    session.flush()
    audit.record(
        session,
        "late_allowance.granted",
        actor_id=actor_id,
        consultation_id=consultation.id,
        organisation_id=organisation.id,
        before=before,
        after={"until": until.isoformat()},
        reason=allowance.reason,
    )
    return notifications.queue_late_allowance(session, consultation, organisation, until)


def gives_time(allowance: LateAllowance | None, consultation: Consultation, now: datetime) -> bool:
    """Whether the allowance lets its organisation respond after everyone else, from now:
    it ends after now and after the deadline (which may have been extended past it)."""
    return allowance is not None and allowance.until > max(now, consultation.closes_at)


def revoke_late_allowance(
    session: Session,
    consultation: Consultation,
    organisation: Organisation,
    *,
    reason: str,
    now: datetime,
    actor_id: int | None,
) -> int:
    """Withdraw an organisation's late allowance, for ``reason``; while it still gave time
    beyond the deadline, e-mail the respondents who were told of it. Returns how many
    were e-mailed."""
    allowance = get_allowance(session, consultation, organisation.id)
    if allowance is None:
        raise InvalidInput(f"{organisation.name} has no late allowance to revoke")
    if not reason.strip():
        raise InvalidInput("Enter the reason for revoking the late allowance")
    audit.record(
        session,
        "late_allowance.revoked",
        actor_id=actor_id,
        consultation_id=consultation.id,
        organisation_id=organisation.id,
        before={"until": allowance.until.isoformat(), "reason": allowance.reason},
        after=None,
        reason=reason.strip(),
    )
    session.delete(allowance)
    if not gives_time(allowance, consultation, now):
        return 0
    return notifications.queue_late_allowance_revoked(
        session, consultation, organisation, allowance.until, now
    )


def get_response(session: Session, consultation: Consultation, response_id: int) -> Response:
    """A response to this consultation with its revisions and working copy, or NotFound."""
    response = session.scalar(
        select(Response)
        .where(Response.id == response_id, Response.consultation_id == consultation.id)
        .options(
            selectinload(Response.revisions).selectinload(Revision.submitted_by),
            selectinload(Response.revisions).selectinload(Revision.attachments),
            selectinload(Response.answers),
            selectinload(Response.organisation),
        )
    )
    if response is None:
        raise NotFound("No such response")
    return response


@dataclass(frozen=True)
class Happened:
    """When something was done to a response, and by whom (None if no longer known)."""

    at: datetime
    by: str | None


def withdrawal(session: Session, response: Response) -> Happened | None:
    """When and by whom the response was last withdrawn, from the audit log: a withdrawn
    response (its last change, for one withdrawn before the log named it), or a draft
    started again after it was withdrawn; None otherwise."""
    if response.status is ResponseStatus.submitted or response.current_revision_id is None:
        return None
    event = audit.latest(
        session, "response.withdrawn", response.consultation_id, response.organisation_id
    )
    if event is not None:
        return Happened(event.at, _who(event.actor))
    if response.status is ResponseStatus.withdrawn:
        return Happened(response.updated_at, _who(response.updated_by))
    return None


def restart(session: Session, response: Response) -> Happened | None:
    """When and by whom a draft was started again after it was withdrawn; None otherwise."""
    if not response.started_again:
        return None
    event = audit.latest(
        session, "response.restarted", response.consultation_id, response.organisation_id
    )
    return Happened(event.at, _who(event.actor)) if event is not None else None


def _who(user: User | None) -> str | None:
    return f"{user.name} ({user.email})" if user is not None else None


def pick_revision(response: Response, number: int | None) -> Revision | None:
    """Revision ``number`` (default: the current one, else the latest; None, the draft,
    for a draft, even one started again after it was withdrawn), or NotFound."""
    if number is None and response.status is ResponseStatus.draft:
        return None
    if number is None:
        current = [r for r in response.revisions if r.id == response.current_revision_id]
        return current[0] if current else (response.revisions[-1] if response.revisions else None)
    for revision in response.revisions:
        if revision.number == number:
            return revision
    raise NotFound("No such revision")


def submitted_attachment(response: Response, attachment_id: int) -> Attachment:
    """A file one of the response's revisions was submitted with, or NotFound: never one
    only in the draft being worked on, never another response's."""
    for revision in response.revisions:
        for attachment in revision.attachments:
            if attachment.id == attachment_id:
                return attachment
    raise NotFound(f"No submitted attachment {attachment_id} on this response")


def revision_answers(session: Session, revision: Revision) -> dict[int, RevisionAnswer]:
    """A revision's answers by question id, with their choices."""
    answers = session.scalars(
        select(RevisionAnswer)
        .where(RevisionAnswer.revision_id == revision.id)
        .options(selectinload(RevisionAnswer.choices))
    )
    return {answer.question_id: answer for answer in answers}


def working_answers(response: Response) -> dict[int, Answer]:
    """The draft (working copy) answers by question id."""
    return {answer.question_id: answer for answer in response.answers}
