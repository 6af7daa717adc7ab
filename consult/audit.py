"""Audit events: every state change records who, when, what, before and after."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from consult.models import AuditEvent


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None,
    consultation_id: int | None = None,
    organisation_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session (committed with the change it describes)."""
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        consultation_id=consultation_id,
        organisation_id=organisation_id,
        detail=detail,
    )
    session.add(event)
    return event


def latest(
    session: Session, action: str, consultation_id: int, organisation_id: int | None = None
) -> AuditEvent | None:
    """The last event of ``action`` about the consultation (and organisation, if given),
    with who acted, or None."""
    query = select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.consultation_id == consultation_id
    )
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    return session.scalar(
        query.options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc()).limit(1)
    )
