"""Consultations: finding them, where they stand, and their lifecycle.

The status follows from the clock (``Consultation.status_at``); the lifecycle actions
only move ``published_at`` and ``closes_at`` and record why.
"""

import functools
from datetime import datetime

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, selectinload

from consult import audit
from consult.dates import check_reasonable
from consult.errors import InvalidInput, NotFound
from consult.filters import uk_datetime
from consult.models import (
    Consultation,
    ConsultationStatus,
    DeadlineChange,
    DeadlineChangeKind,
    canonical_reference,
)


def status_filter(query: Select, status: ConsultationStatus, now: datetime) -> Select:
    """Restrict a ``select(Consultation)`` to one status at ``now``, in SQL."""
    published = Consultation.published_at.is_not(None)
    conditions = {
        ConsultationStatus.draft: [Consultation.published_at.is_(None)],
        ConsultationStatus.upcoming: [published, Consultation.opens_at > now],
        ConsultationStatus.open: [
            published,
            Consultation.opens_at <= now,
            Consultation.closes_at > now,
        ],
        ConsultationStatus.closed: [published, Consultation.closes_at <= now],
    }
    return query.where(*conditions[status])


def list_published(
    session: Session, now: datetime, status: ConsultationStatus | None = None
) -> list[Consultation]:
    """Published consultations, soonest deadline first; optionally one status only."""
    query = select(Consultation).where(Consultation.published_at.is_not(None))
    if status is not None:
        query = status_filter(query, status, now)
    return list(session.scalars(query.order_by(Consultation.closes_at.desc())))


def list_all(session: Session) -> list[Consultation]:
    """Every consultation, drafts included, newest first (for SECAS)."""
    query = select(Consultation).order_by(Consultation.created_at.desc(), Consultation.id.desc())
    return list(session.scalars(query))


# What a consultation's pages show besides the consultation itself, loaded with it.
EVERYTHING = ("questions", "sections", "documents", "deadline_changes")
QUESTIONS = ("questions", "sections")


@functools.lru_cache(maxsize=16)
def _by_reference(parts: tuple[str, ...]) -> Select:
    """Built once for each ``parts``: nearly every page runs it, and SQLAlchemy then keeps
    its cache key as well as its SQL."""
    return (
        select(Consultation)
        .where(Consultation.reference == bindparam("reference"))
        .options(*(selectinload(getattr(Consultation, part)) for part in parts))
    )


def get_by_reference(
    session: Session,
    reference: str,
    *,
    include_drafts: bool = False,
    parts: tuple[str, ...] = EVERYTHING,
) -> Consultation:
    """The consultation with this reference, with its ``parts`` loaded (by default its
    questions, sections, documents and deadline changes; any other part loads when used).

    Drafts are only found with ``include_drafts`` (SECAS); to anyone else a draft does
    not exist.
    """
    consultation = session.scalar(
        _by_reference(parts), {"reference": canonical_reference(reference)}
    )
    return found(consultation, reference, include_drafts=include_drafts)


def found(
    consultation: Consultation | None, reference: str, *, include_drafts: bool = False
) -> Consultation:
    """``consultation``, looked up by ``reference``; NotFound if there is none, or if it is
    a draft and drafts are not asked for (to anyone but SECAS a draft does not exist)."""
    if consultation is None or (consultation.published_at is None and not include_drafts):
        raise NotFound(f"No consultation with reference {reference}")
    return consultation


def cannot_publish(consultation: Consultation, now: datetime) -> str | None:
    """Why the consultation cannot be published now, or None: the publish page says so
    instead of offering a button that would be refused."""
    if consultation.published_at is not None:
        return f"{consultation.reference} is already published"
    if not consultation.questions:
        return f"{consultation.reference} has no questions: add at least one"
    if consultation.closes_at <= now:
        return f"{consultation.reference}’s closing date has passed: change its dates first"
    return None


def publish(
    session: Session,
    consultation: Consultation,
    now: datetime,
    actor_id: int | None,
    *,
    open_now: bool = False,
) -> None:
    """Publish a draft: scheduled (it opens at its ``opens_at``) or, with ``open_now``,
    open at once (``opens_at`` := now)."""
    refusal = cannot_publish(consultation, now)
    if refusal is not None:
        raise InvalidInput(refusal)
    before = {"status": "draft", "opens_at": consultation.opens_at.isoformat()}
    if open_now and consultation.opens_at > now:
        consultation.opens_at = now
    consultation.published_at = now
    audit.record(
        session,
        "consultation.published",
        actor_id=actor_id,
        consultation_id=consultation.id,
        before=before,
        after={
            "status": consultation.status_at(now).value,
            "opens_at": consultation.opens_at.isoformat(),
        },
    )


def close_now(
    session: Session, consultation: Consultation, now: datetime, actor_id: int | None
) -> int:
    """Close an open consultation at once (closes_at := now), e-mailing the respondents who
    plan around its deadline; returns how many were e-mailed."""
    # Read again under the row's lock (PostgreSQL; SQLite has one writer at a time): two
    # people pressing "Close now" together would otherwise both close it and both e-mail.
    session.refresh(consultation, ["closes_at"], with_for_update={"key_share": True})
    if consultation.status_at(now) is not ConsultationStatus.open:
        raise InvalidInput(f"{consultation.reference} is not open, so it cannot be closed")
    return _change_deadline(
        session, consultation, DeadlineChangeKind.closed_early, now, "", actor_id, tell=True
    )


def extend(
    session: Session,
    consultation: Consultation,
    new_closes_at: datetime,
    reason: str,
    now: datetime,
    actor_id: int | None,
) -> None:
    """Move the deadline later, with a reason shown publicly."""
    _check_new_deadline(consultation, new_closes_at, reason, now)
    kind = (
        DeadlineChangeKind.reopened
        if consultation.status_at(now) is ConsultationStatus.closed
        else DeadlineChangeKind.extended
    )
    # Before it opens no one is planning around its deadline: the notice that it has
    # opened gives the deadline then.
    tell = consultation.status_at(now) is not ConsultationStatus.upcoming
    _change_deadline(session, consultation, kind, new_closes_at, reason.strip(), actor_id, tell)
    if kind is DeadlineChangeKind.reopened:
        take_down_what_respondents_said(
            session, consultation, now, actor_id, reason="The consultation was reopened"
        )


def take_down_what_respondents_said(
    session: Session,
    consultation: Consultation,
    now: datetime,
    actor_id: int | None,
    reason: str | None = None,
) -> None:
    """Take "What respondents said" off the public page, audited: SECAS withdrawing it,
    or reopening, since responses still to come would change it. SECAS publishes it again
    after the new close; until then every page that shows its status says it is not
    published."""
    published_at = consultation.summary_published_at
    if published_at is None:
        return
    consultation.summary_published_at = None
    detail = {"reason": reason} if reason else {}
    audit.record(
        session,
        "summary.withdrawn",
        actor_id=actor_id,
        consultation_id=consultation.id,
        reference=consultation.reference,
        published_at=published_at.isoformat(timespec="seconds"),
        withdrawn_at=now.isoformat(timespec="seconds"),
        **detail,
    )


def reopen(
    session: Session,
    consultation: Consultation,
    new_closes_at: datetime,
    reason: str,
    now: datetime,
    actor_id: int | None,
) -> None:
    """Give a closed consultation a new, later closing date, with a reason shown publicly."""
    if consultation.status_at(now) is not ConsultationStatus.closed:
        raise InvalidInput(f"{consultation.reference} is not closed, so it cannot be reopened")
    extend(session, consultation, new_closes_at, reason, now, actor_id)


def _check_new_deadline(
    consultation: Consultation, new_closes_at: datetime, reason: str, now: datetime
) -> None:
    if consultation.published_at is None:
        raise InvalidInput("Publish the consultation before extending its deadline")
    if not reason.strip():
        raise InvalidInput("Enter the reason for the change")
    if new_closes_at <= consultation.closes_at:
        raise InvalidInput(
            "The new closing date must be after the current one, "
            f"{uk_datetime(consultation.closes_at)}"
        )
    if new_closes_at <= now:
        raise InvalidInput("The new closing date must be in the future")
    check_reasonable(new_closes_at, now, "new closing date")


def _change_deadline(
    session: Session,
    consultation: Consultation,
    kind: DeadlineChangeKind,
    new_closes_at: datetime,
    reason: str,
    actor_id: int | None,
    tell: bool,
) -> int:
    """Move the deadline, recorded and audited; ``tell``: e-mail the respondents who plan
    around it. Returns how many were e-mailed."""
    previous = consultation.closes_at
    consultation.closes_at = new_closes_at
    session.add(
        DeadlineChange(
            consultation=consultation,
            kind=kind,
            previous_closes_at=previous,
            new_closes_at=new_closes_at,
            reason=reason,
            changed_by_id=actor_id,
        )
    )
    audit.record(
        session,
        f"consultation.{kind.value}",
        actor_id=actor_id,
        consultation_id=consultation.id,
        before={"closes_at": previous.isoformat()},
        after={"closes_at": new_closes_at.isoformat()},
        reason=reason,
    )
    if not tell:
        return 0
    from consult.admin import notifications

    if kind is DeadlineChangeKind.closed_early:
        return notifications.queue_closed_early(session, consultation, previous, new_closes_at)
    return notifications.queue_deadline_extended(
        session,
        consultation,
        previous,
        reason,
        reopened=kind is DeadlineChangeKind.reopened,
    )
