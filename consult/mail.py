"""The e-mail outbox: services queue messages in the same transaction as the change
they report, and ``send-mail`` delivers them later, so a failing mail server never
loses (or delays) a submission."""

from sqlalchemy.orm import Session

from consult.models import OutboxMessage


def queue(session: Session, to_address: str, subject: str, body: str) -> OutboxMessage:
    """Add a message to the outbox (committed with the caller's transaction)."""
    message = OutboxMessage(to_address=to_address, subject=subject, body=body)
    session.add(message)
    return message
