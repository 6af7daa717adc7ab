"""Audit events: every state change records who, when, what, before and after."""

from typing import Any

from sqlalchemy.orm import Session

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
