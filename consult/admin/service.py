"""Queries for the SECAS console."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.models import Response, ResponseStatus


def submitted_counts(session: Session) -> dict[int, int]:
    """Submitted responses per consultation id, counted in one GROUP BY query."""
    query = (
        select(Response.consultation_id, func.count().label("submitted"))
        .where(Response.status == ResponseStatus.submitted)
        .group_by(Response.consultation_id)
    )
    return {row.consultation_id: row.submitted for row in session.execute(query)}
