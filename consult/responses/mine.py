"""'Your responses': an organisation's responses across consultations, what is due first.

Also lists the open consultations it has not started, since the page answers "what do
we still have to do?".
"""

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from consult.consultations.service import status_filter
from consult.models import (
    Consultation,
    ConsultationStatus,
    LateAllowance,
    Response,
    ResponseStatus,
)


class MyStatus(enum.StrEnum):
    not_started = "not_started"
    draft = "draft"
    submitted = "submitted"
    late = "late"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "draft": "Draft"}.get(
            self.value, self.value.capitalize()
        )


@dataclass(frozen=True)
class MyResponse:
    """One row of the page."""

    consultation: Consultation
    status: MyStatus
    deadline: datetime  # closes_at, or the late allowance's end if later
    late_allowance: bool
    receipt: str | None
    # Open to the organisation and not yet submitted: the row leads on to continuing the
    # response; otherwise to the response as submitted, which offers amending it.
    to_continue: bool


def my_responses(session: Session, organisation_id: int, now: datetime) -> list[MyResponse]:
    """The organisation's responses and untouched open consultations, still-open deadlines
    soonest first, then those past their deadline, most recent first."""
    responses = session.scalars(
        select(Response)
        .where(Response.organisation_id == organisation_id)
        .options(selectinload(Response.consultation), selectinload(Response.current_revision))
    ).all()
    allowances = {
        a.consultation_id: a.until
        for a in session.scalars(
            select(LateAllowance).where(LateAllowance.organisation_id == organisation_id)
        )
    }
    started = {r.consultation_id for r in responses}
    allowed_late = [c for c, until in allowances.items() if until > now and c not in started]
    open_now = status_filter(select(Consultation.id), ConsultationStatus.open, now)
    untouched = session.scalars(
        select(Consultation).where(
            or_(Consultation.id.in_(open_now), Consultation.id.in_(allowed_late)),
            Consultation.published_at.is_not(None),
            Consultation.id.not_in(started),
        )
    ).all()
    rows = [_row(r.consultation, r, allowances, now) for r in responses]
    rows += [_row(c, None, allowances, now) for c in untouched]
    due = sorted((r for r in rows if r.deadline > now), key=lambda r: r.deadline)
    past = sorted((r for r in rows if r.deadline <= now), key=lambda r: r.deadline, reverse=True)
    return due + past


def _row(
    consultation: Consultation,
    response: Response | None,
    allowances: dict[int, datetime],
    now: datetime,
) -> MyResponse:
    until = allowances.get(consultation.id)
    late_allowance = until is not None and until > consultation.closes_at and until > now
    deadline = until if late_allowance else consultation.closes_at
    status = _status(response)
    open_now = consultation.status_at(now) is ConsultationStatus.open or (
        late_allowance and consultation.status_at(now) is ConsultationStatus.closed
    )
    return MyResponse(
        consultation=consultation,
        status=status,
        deadline=deadline,
        late_allowance=late_allowance,
        receipt=response.receipt if response else None,
        to_continue=open_now and status in (MyStatus.not_started, MyStatus.draft),
    )


def _status(response: Response | None) -> MyStatus:
    if response is None:
        return MyStatus.not_started
    if response.status is ResponseStatus.withdrawn:
        return MyStatus.withdrawn
    if response.status is ResponseStatus.draft:
        return MyStatus.draft
    if response.current_revision is not None and response.current_revision.late:
        return MyStatus.late
    return MyStatus.submitted
