"""Publishing "What respondents said" (the public summary) on a closed consultation's page.

Only SECAS publishes, only after close; publishing and withdrawing are audited. The
public page shows the public version: confidential respondents anonymised.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from consult import audit
from consult.consultations import service as consultations
from consult.errors import InvalidInput
from consult.filters import uk_datetime
from consult.models import (
    Consultation,
    ConsultationStatus,
    LateAllowance,
    Organisation,
    PartyCategory,
    Response,
    ResponseStatus,
    Revision,
    User,
)
from consult.summaries.service import Summary, Version, summarise


def warnings(session: Session, consultation: Consultation, now: datetime) -> dict[str, str]:
    """What SECAS should know before publishing, by the id each is shown under."""
    found = {
        "late-warning": late_warning(session, consultation, now),
        "identifiable": identifiable_warning(session, consultation),
    }
    return {key: text for key, text in found.items() if text}


def late_warning(session: Session, consultation: Consultation, now: datetime) -> str | None:
    """What publishing now would not yet include: organisations whose late allowance is
    still in force may submit after it is published, and change it."""
    rows = session.execute(
        select(Organisation.name, LateAllowance.until)
        .join(Organisation, Organisation.id == LateAllowance.organisation_id)
        .where(LateAllowance.consultation_id == consultation.id, LateAllowance.until > now)
        .order_by(LateAllowance.until, Organisation.name)
    ).all()
    if not rows:
        return None
    names = "; ".join(f"{name} until {uk_datetime(until)}" for name, until in rows)
    return (
        f"Late allowances are still in force ({names}). A response submitted under one "
        "after you publish will change what the public page shows."
    )


def is_shown(consultation: Consultation, now: datetime) -> bool:
    """Whether the public page shows what respondents said now (published and still closed)."""
    return (
        consultation.summary_published_at is not None
        and consultation.status_at(now) is ConsultationStatus.closed
    )


def cannot_publish(consultation: Consultation, now: datetime) -> str | None:
    """Why what respondents said cannot be published now, or None."""
    if consultation.status_at(now) is not ConsultationStatus.closed:
        return "You can publish what respondents said only once the consultation has closed."
    if consultation.summary_published_at is not None:
        return "What respondents said is already published."
    return None


def publish(session: Session, consultation: Consultation, *, user: User, now: datetime) -> None:
    """Show the public summary on the consultation's public page."""
    refusal = cannot_publish(consultation, now)
    if refusal:
        raise InvalidInput(refusal)
    consultation.summary_published_at = now
    audit.record(
        session,
        "summary.published",
        actor_id=user.id,
        consultation_id=consultation.id,
        reference=consultation.reference,
    )


def identifiable(session: Session, consultation: Consultation) -> list[PartyCategory]:
    """The categories whose confidential respondents the public version does not hide:
    "Confidential respondent (DCC)" names the only DCC organisation there is. Anonymising
    is by name only, so SECAS are told before publishing, in category order. Only other
    active organisations hide one: a deactivated one is no longer a party to the code."""
    other = aliased(Organisation)
    another_of_its_category = (
        select(other.id)
        .where(
            other.category == Organisation.category,
            other.id != Organisation.id,
            other.active.is_(True),
        )
        .exists()
    )
    query = (
        select(Organisation.category)
        .distinct()
        .select_from(Response)
        .join(Revision, Revision.id == Response.current_revision_id)
        .join(Organisation, Organisation.id == Response.organisation_id)
        .where(
            Response.consultation_id == consultation.id,
            Response.status == ResponseStatus.submitted,
            Revision.confidential.is_(True),
            ~another_of_its_category,
        )
    )
    found = {PartyCategory(category) for category in session.scalars(query)}
    return [category for category in PartyCategory if category in found]


def identifiable_warning(session: Session, consultation: Consultation) -> str | None:
    """The warning of ``identifiable`` categories, in words, or None."""
    names = [f"“Confidential respondent ({c.label})”" for c in identifiable(session, consultation)]
    if not names:
        return None
    one = len(names) == 1
    listed = names[0] if one else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"Readers may tell who some confidential respondents are. {listed} "
        f"{'names' if one else 'each name'} the only active organisation of "
        f"{'its' if one else 'their'} category in Consult."
    )


def cannot_withdraw(consultation: Consultation, _now: datetime) -> str | None:
    """Why what respondents said cannot be withdrawn, or None."""
    if consultation.summary_published_at is None:
        return "What respondents said is not published, so there is nothing to withdraw."
    return None


def withdraw(session: Session, consultation: Consultation, *, user: User, now: datetime) -> None:
    """Take the public summary off the consultation's public page."""
    refusal = cannot_withdraw(consultation, now)
    if refusal:
        raise InvalidInput(refusal)
    consultations.take_down_what_respondents_said(session, consultation, now, user.id)


def public_summary(session: Session, consultation: Consultation, now: datetime) -> Summary | None:
    """The public summary, when the consultation's page shows it; otherwise None."""
    if not is_shown(consultation, now):
        return None
    return summarise(session, consultation, Version.public, now)
