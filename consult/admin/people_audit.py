"""The audit log as SECAS reads it: filtered by consultation, user, action and dates, a
page at a time, or as a CSV download of the same filter."""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session, aliased

from consult.filters import code_words
from consult.models import AuditEvent, Consultation, Organisation, User
from consult.summaries.writers import neutralise

PAGE_SIZE = 50
# The user an event is about (invited, locked out, a role changed), where it names one.
_SUBJECT = AuditEvent.detail["user_id"].as_integer()
CSV_COLUMNS = ("time_utc", "who", "who_email", "action", "consultation", "organisation", "detail")


@dataclass(frozen=True)
class AuditFilter:
    """What to show; None means any."""

    consultation_id: int | None = None
    person_id: int | None = None  # events by this user, or about them (``user_id``)
    action: str | None = None
    starts_at: datetime | None = None
    ends_before: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    """One event with the names it refers to."""

    event: AuditEvent
    actor: User | None
    reference: str | None
    organisation: str | None


@dataclass(frozen=True)
class AuditPage:
    """One page of events, newest first."""

    rows: list[AuditRow]
    page: int
    pages: int
    total: int
    people: dict[int, User]  # the users the page's events are about, by id


def _filtered(query: Select, wanted: AuditFilter) -> Select:
    if wanted.consultation_id is not None:
        query = query.where(AuditEvent.consultation_id == wanted.consultation_id)
    if wanted.person_id is not None:
        query = query.where(
            (AuditEvent.actor_id == wanted.person_id) | (_SUBJECT == wanted.person_id)
        )
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.starts_at is not None:
        query = query.where(AuditEvent.at >= wanted.starts_at)
    if wanted.ends_before is not None:
        query = query.where(AuditEvent.at < wanted.ends_before)
    return query


def _rows_query(wanted: AuditFilter) -> Select:
    actor = aliased(User)
    query = (
        select(AuditEvent, actor, Consultation.reference, Organisation.name)
        .outerjoin(actor, AuditEvent.actor_id == actor.id)
        .outerjoin(Consultation, AuditEvent.consultation_id == Consultation.id)
        .outerjoin(Organisation, AuditEvent.organisation_id == Organisation.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    return _filtered(query, wanted)


def audit_page(session: Session, wanted: AuditFilter, page: int) -> AuditPage:
    """The events matching ``wanted``, PAGE_SIZE at a time."""
    total = session.scalar(_filtered(select(func.count(AuditEvent.id)), wanted)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    query = _rows_query(wanted).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    rows = [AuditRow(*row) for row in session.execute(query)]
    about = {
        row.event.detail["user_id"]
        for row in rows
        if isinstance(row.event.detail, dict) and isinstance(row.event.detail.get("user_id"), int)
    }
    people = (
        {user.id: user for user in session.scalars(select(User).where(User.id.in_(about)))}
        if about
        else {}
    )
    return AuditPage(rows, page, pages, total, people)


def filter_choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Values for the filter selects: consultations, users who acted or were acted on,
    actions recorded."""
    consultations = session.execute(
        select(Consultation.id, Consultation.reference).order_by(Consultation.reference)
    )
    actors = session.execute(
        select(User.id, User.name, User.email)
        .where(
            User.id.in_(select(distinct(AuditEvent.actor_id)))
            | User.id.in_(select(distinct(_SUBJECT)).where(_SUBJECT.is_not(None)))
        )
        .order_by(User.name)
    )
    actions = session.scalars(select(distinct(AuditEvent.action)).order_by(AuditEvent.action))
    return {
        "consultation": [("", "Any consultation")]
        + [(str(c.id), c.reference) for c in consultations],
        "user": [("", "Anyone")] + [(str(u.id), f"{u.name} ({u.email})") for u in actors],
        "action": [("", "Any action")] + [(a, code_words(a)) for a in actions],
    }


def describe(detail: dict | None) -> str:
    """The event's detail as compact JSON (for the CSV)."""
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)


class _Echo:
    def write(self, line: str) -> str:
        return line


def csv_lines(session: Session, wanted: AuditFilter) -> Iterator[str]:
    """Every matching event as CSV: a byte order mark so Excel reads UTF-8, formula-safe
    cells, times in UTC (ISO 8601)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    for event, actor, reference, organisation in session.execute(_rows_query(wanted)):
        values = [
            event.at.isoformat(timespec="seconds"),
            actor.name if actor else "System",
            actor.email if actor else "",
            event.action,
            reference or "",
            organisation or "",
            describe(event.detail),
        ]
        yield writer.writerow([neutralise(v) for v in values])


def csv_text(session: Session, wanted: AuditFilter) -> str:
    """The whole CSV as one string (read before the request's session closes)."""
    buffer = io.StringIO()
    for line in csv_lines(session, wanted):
        buffer.write(line)
    return buffer.getvalue()
