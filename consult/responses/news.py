"""E-mails to an organisation's other respondents when one of them submits or withdraws
its response, so that no one goes on drafting unaware that it has been sent, or taken
back. Each goes to the active respondents of the organisation who accept them
(``User.notify_colleagues``), not to the person who acted (they get the receipt)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult import mail
from consult.admin.notifications import preferences_footer, site_url
from consult.filters import uk_datetime
from consult.models import Response, Revision, Role, User

COLLEAGUE_SUBMITTED = "colleague_submitted"
COLLEAGUE_WITHDREW = "colleague_withdrew"


def queue_submitted(session: Session, response: Response, revision: Revision, user: User) -> int:
    """Tell ``user``'s colleagues that they submitted the response as ``revision``;
    returns how many were e-mailed."""
    consultation = response.consultation
    what = (
        f"submitted {response.organisation.name}'s response to {consultation.title} "
        f"({consultation.reference})"
        if revision.number == 1
        else f"submitted a new version (revision {revision.number}) of "
        f"{response.organisation.name}'s response to {consultation.title} "
        f"({consultation.reference})"
    )
    lines = [
        f"{user.name} {what} at {uk_datetime(revision.submitted_at)}.",
        "",
        f"Receipt reference: {response.receipt}",
        f"Confidential: {'Yes' if revision.confidential else 'No'}",
    ]
    if revision.late:
        lines.append("Late: yes (accepted under a late allowance)")
    lines += ["", "This is the version that counts.", *_see_it(response)]
    return _queue(
        session,
        response,
        user,
        f"Response submitted by {user.name}: {response.receipt}",
        lines,
        COLLEAGUE_SUBMITTED,
    )


def queue_withdrawn(session: Session, response: Response, user: User) -> int:
    """Tell ``user``'s colleagues that they withdrew the response; returns how many were
    e-mailed."""
    consultation = response.consultation
    lines = [
        f"{user.name} withdrew {response.organisation.name}'s response {response.receipt} to "
        f"{consultation.title} ({consultation.reference}) at {uk_datetime(response.updated_at)}.",
        "",
        "It no longer counts. While your organisation may still respond, anyone in it can "
        "start the response again, change it and submit it.",
        *_see_it(response),
    ]
    return _queue(
        session,
        response,
        user,
        f"Response withdrawn by {user.name}: {response.receipt}",
        lines,
        COLLEAGUE_WITHDREW,
    )


def _see_it(response: Response) -> list[str]:
    return ["", f"See it: {site_url(f'/consultations/{response.consultation.reference}/response')}"]


def _queue(
    session: Session, response: Response, user: User, subject: str, lines: list[str], kind: str
) -> int:
    colleagues = session.scalars(
        select(User)
        .where(
            User.organisation_id == response.organisation_id,
            User.id != user.id,
            User.role == Role.respondent,
            User.active.is_(True),
            User.notify_colleagues.is_(True),
        )
        .order_by(User.id)
    ).all()
    for colleague in colleagues:
        why = (
            f"You get this e-mail because you respond for {response.organisation.name} on "
            "Consult. You can turn these e-mails off."
        )
        body = [f"Dear {colleague.name},", "", *lines, "", why, *preferences_footer()]
        mail.queue(
            session,
            colleague.email,
            subject,
            "\n".join(body),
            kind=kind,
            consultation_id=response.consultation_id,
        )
    return len(colleagues)
