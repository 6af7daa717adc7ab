"""Queries for the SECAS console."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from consult.models import AuditEvent, Consultation, Response, ResponseStatus


def submitted_counts(session: Session) -> dict[int, int]:
    """Submitted responses per consultation id, counted in one GROUP BY query."""
    query = (
        select(Response.consultation_id, func.count().label("submitted"))
        .where(Response.status == ResponseStatus.submitted)
        .group_by(Response.consultation_id)
    )
    return {row.consultation_id: row.submitted for row in session.execute(query)}


def latest_audit_events(session: Session, limit: int = 200) -> list[tuple[AuditEvent, str | None]]:
    """The most recent audit events, newest first, with who made them and the reference
    of the consultation they concern (None when there is none)."""
    query = (
        select(AuditEvent, Consultation.reference)
        .outerjoin(Consultation, AuditEvent.consultation_id == Consultation.id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [(event, reference) for event, reference in session.execute(query)]
