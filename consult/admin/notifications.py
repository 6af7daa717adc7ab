"""E-mail notices: invitations, password resets, consultations opening, reminders before
close and deadline changes (extended, reopened, closed early, late allowances granted and
revoked); and the outbox as SECAS sees it.

Every message goes through ``consult.mail.queue`` with a ``kind`` (and the consultation it
concerns), so ``send-mail`` delivers it and the outbox rows themselves record what has
been sent: a notice already queued for an address is never queued again.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from consult import audit, mail
from consult.errors import InvalidInput, NotFound
from consult.filters import uk_datetime
from consult.models import (
    AuditEvent,
    Consultation,
    ConsultationStatus,
    LateAllowance,
    MessageStatus,
    Organisation,
    OutboxMessage,
    Response,
    ResponseStatus,
    Role,
    User,
    receipt_reference,
)

OPENED = "opened"
REMINDER = "reminder"
MANUAL_REMINDER = "manual_reminder"
DEADLINE_EXTENDED = "deadline_extended"
REOPENED = "reopened"
LATE_ALLOWANCE = "late_allowance"
CLOSED_EARLY = "closed_early"
LATE_ALLOWANCE_REVOKED = "late_allowance_revoked"
NO_RESPONSE = "Your organisation has no response to it."
INVITATION = "invitation"
PASSWORD_RESET = "password_reset"

DEFAULT_REMINDER_DAYS = 3
OUTBOX_PAGE_SIZE = 50


def queue_message(
    session: Session,
    to_address: str,
    subject: str,
    body: str,
    kind: str,
    consultation_id: int | None = None,
) -> OutboxMessage:
    """Queue one e-mail of ``kind`` through the outbox."""
    return mail.queue(
        session, to_address, subject, body, kind=kind, consultation_id=consultation_id
    )


def site_url(path: str) -> str:
    """An absolute link to ``path`` on this site, in a request or from the CLI; the path
    alone from code running outside the application (a script calling a service)."""
    if not has_app_context():
        return path
    base = current_app.config.get("PUBLIC_URL")
    if not base and has_request_context():
        base = request.host_url
    if not base:
        server = current_app.config.get("SERVER_NAME") or "127.0.0.1:5000"
        base = f"{current_app.config.get('PREFERRED_URL_SCHEME', 'http')}://{server}"
    return base.rstrip("/") + path


def _consultation_link(consultation: Consultation) -> str:
    return site_url(f"/consultations/{consultation.reference}")


def people(count: int) -> str:
    """'1 person', '2 people'."""
    return "1 person" if count == 1 else f"{count} people"


def emailed(count: int, what: str) -> str:
    """How many people a notice went to, for SECAS: '2 people are e-mailed ``what``.'"""
    return f"{people(count)} {'is' if count == 1 else 'are'} e-mailed {what}."


def preferences_footer() -> list[str]:
    return ["", f"To change which e-mails you get, go to {site_url('/account/preferences')}"]


def queue_invitation(session: Session, user: User, link: str) -> OutboxMessage:
    """Invite a new user to set their password."""
    body = [
        f"Dear {user.name},",
        "",
        "You have been given an account on Consult, the Smart Energy Code consultation "
        "service run by SECAS.",
        "",
        "Set your password to start using it:",
        link,
        "",
        "The link works once and expires in 7 days. If it has expired, ask SECAS for a new one.",
    ]
    return queue_message(
        session, user.email, "Set your Consult password", "\n".join(body), INVITATION
    )


def queue_password_reset(session: Session, user: User, link: str) -> OutboxMessage:
    """Send a link to choose a new password."""
    body = [
        f"Dear {user.name},",
        "",
        "Someone asked to reset the password of your Consult account.",
        "",
        "Choose a new password here:",
        link,
        "",
        "The link works once and expires in 1 hour. If you did not ask for this, you can "
        "ignore this e-mail: your password has not changed.",
    ]
    return queue_message(
        session, user.email, "Reset your Consult password", "\n".join(body), PASSWORD_RESET
    )


def _active_respondents():
    """Active respondents of active organisations."""
    return (
        select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(User.role == Role.respondent, User.active.is_(True), Organisation.active.is_(True))
    )


def _not_yet_sent(kind: str, consultation_id: int):
    return ~exists().where(
        OutboxMessage.kind == kind,
        OutboxMessage.consultation_id == consultation_id,
        OutboxMessage.to_address == User.email,
    )


def _yet_to_respond(consultation_id: int):
    """The user's organisation has neither submitted nor withdrawn a response. One that
    withdrew chose not to be counted: it may start again, but is not pressed to."""
    return ~exists().where(
        Response.consultation_id == consultation_id,
        Response.organisation_id == User.organisation_id,
        Response.status.in_((ResponseStatus.submitted, ResponseStatus.withdrawn)),
    )


def _open_consultations(now: datetime):
    return select(Consultation).where(
        Consultation.published_at.is_not(None),
        Consultation.opens_at <= now,
        Consultation.closes_at > now,
    )


def queue_opened_notices(session: Session, now: datetime) -> int:
    """Tell every active respondent who has not opted out about each open consultation
    they have not yet been told about; returns how many e-mails were queued."""
    queued = 0
    for consultation in session.scalars(_open_consultations(now).order_by(Consultation.id)):
        recipients = session.scalars(
            _active_respondents().where(
                User.notify_new_consultations.is_(True),
                _not_yet_sent(OPENED, consultation.id),
            )
        )
        for user in recipients:
            body = [
                f"Dear {user.name},",
                "",
                f"{consultation.title} ({consultation.reference}) is now open for responses.",
                "",
                f"It closes at {uk_datetime(consultation.closes_at)}.",
                "",
                f"Read it and respond: {_consultation_link(consultation)}",
                *preferences_footer(),
            ]
            subject = f"Now open: {consultation.reference} {consultation.title}"
            queue_message(
                session, user.email, subject[:300], "\n".join(body), OPENED, consultation.id
            )
            queued += 1
    session.flush()
    return queued


def reminder_days() -> int:
    """How many days before close the automatic reminder goes (REMINDER_DAYS_BEFORE_CLOSE)."""
    try:
        return int(current_app.config.get("REMINDER_DAYS_BEFORE_CLOSE", DEFAULT_REMINDER_DAYS))
    except (TypeError, ValueError):
        return DEFAULT_REMINDER_DAYS


def _reminder_body(user: User, consultation: Consultation) -> str:
    return "\n".join(
        [
            f"Dear {user.name},",
            "",
            f"Your organisation has not yet submitted a response to {consultation.title} "
            f"({consultation.reference}).",
            "",
            f"The consultation closes at {uk_datetime(consultation.closes_at)}. A draft is "
            "not counted until it is submitted.",
            "",
            f"Respond here: {_consultation_link(consultation)}",
            *preferences_footer(),
        ]
    )


def reminder_recipients(
    session: Session, consultation: Consultation, *, once_as: str | None = None
) -> list[User]:
    """Active respondents of organisations yet to respond who accept reminders (leaving out
    those already sent a message of kind ``once_as`` about this consultation)."""
    query = _active_respondents().where(
        User.notify_reminders.is_(True), _yet_to_respond(consultation.id)
    )
    if once_as is not None:
        query = query.where(_not_yet_sent(once_as, consultation.id))
    return list(session.scalars(query.order_by(User.email)))


def _queue_reminders(
    session: Session, consultation: Consultation, users: list[User], kind: str
) -> int:
    subject = f"Reminder: {consultation.reference} closes {uk_datetime(consultation.closes_at)}"
    for user in users:
        queue_message(
            session,
            user.email,
            subject[:300],
            _reminder_body(user, consultation),
            kind,
            consultation.id,
        )
    session.flush()
    return len(users)


def queue_due_reminders(session: Session, now: datetime, days: int | None = None) -> int:
    """Remind, once per consultation per user, those yet to submit when close is near."""
    horizon = now + timedelta(days=reminder_days() if days is None else days)
    due = _open_consultations(now).where(Consultation.closes_at <= horizon)
    queued = 0
    for consultation in session.scalars(due.order_by(Consultation.id)):
        users = reminder_recipients(session, consultation, once_as=REMINDER)
        queued += _queue_reminders(session, consultation, users, REMINDER)
    return queued


def send_reminder_now(
    session: Session, consultation: Consultation, now: datetime, actor_id: int | None
) -> int:
    """SECAS's "send reminder": e-mail everyone yet to submit (who accepts reminders)."""
    if consultation.published_at is None or not (
        consultation.opens_at <= now < consultation.closes_at
    ):
        raise InvalidInput(f"{consultation.reference} is not open, so there is nothing to remind")
    users = reminder_recipients(session, consultation)
    if not users:
        raise InvalidInput("Every organisation has responded, or no one accepts reminders")
    count = _queue_reminders(session, consultation, users, MANUAL_REMINDER)
    audit.record(
        session,
        "consultation.reminder_sent",
        actor_id=actor_id,
        consultation_id=consultation.id,
        recipients=count,
    )
    return count


def _told_of_deadline_changes(consultation: Consultation):
    """Respondents who accept reminders and deadline changes, and everyone in an
    organisation that has started or submitted a response (they are planning around it)."""
    engaged = exists().where(
        Response.consultation_id == consultation.id,
        Response.organisation_id == User.organisation_id,
        Response.status != ResponseStatus.withdrawn,
    )
    return _active_respondents().where(User.notify_reminders.is_(True) | engaged)


def last_reminder(session: Session, consultation: Consultation) -> AuditEvent | None:
    """The last reminder SECAS sent about the consultation (its audit event), if any: so a
    second is sent knowingly, not by a repeated click."""
    return audit.latest(session, "consultation.reminder_sent", consultation.id)


def queue_deadline_extended(
    session: Session,
    consultation: Consultation,
    previous_closes_at: datetime,
    reason: str = "",
    *,
    reopened: bool = False,
) -> int:
    """Tell respondents the deadline moved, and why (``_told_of_deadline_changes``):
    extended while open, or ``reopened`` after it closed; returns how many."""
    name = f"{consultation.title} ({consultation.reference})"
    before, after = uk_datetime(previous_closes_at), uk_datetime(consultation.closes_at)

    def news() -> list[str]:
        what = (
            [
                f"SECAS has reopened {name}, which closed at {before}. Responses can be "
                f"submitted, amended and withdrawn again until {after}.",
            ]
            if reopened
            else [
                f"The deadline for responses to {name} has been extended from {before} to {after}."
            ]
        )
        why = ["", f"Reason: {reason}"] if reason else []
        return [*what, *why, "", f"See the consultation: {_consultation_link(consultation)}"]

    return _queue_deadline_news(
        session,
        consultation,
        _told_of_deadline_changes(consultation),
        f"{'Reopened' if reopened else 'Deadline extended'}: "
        f"{consultation.reference} {consultation.title}",
        REOPENED if reopened else DEADLINE_EXTENDED,
        news,
    )


def queue_late_allowance(
    session: Session, consultation: Consultation, organisation: Organisation, until: datetime
) -> int:
    """Tell one organisation's respondents their own new deadline, as a deadline change
    (``_told_of_deadline_changes``); returns how many were e-mailed."""
    return _queue_deadline_news(
        session,
        consultation,
        _told_of_deadline_changes(consultation).where(User.organisation_id == organisation.id),
        f"Late response allowed: {consultation.reference} {consultation.title}",
        LATE_ALLOWANCE,
        lambda: [
            f"SECAS has allowed {organisation.name} to respond late to {consultation.title} "
            f"({consultation.reference}). It closes to everyone else at "
            f"{uk_datetime(consultation.closes_at)}; your organisation may submit or amend its "
            f"response until {uk_datetime(until)}.",
            "",
            f"Respond: {site_url(f'/consultations/{consultation.reference}/respond')}",
        ],
    )


def queue_closed_early(
    session: Session, consultation: Consultation, previous_closes_at: datetime, now: datetime
) -> int:
    """Tell respondents SECAS closed it before its deadline (``_told_of_deadline_changes``),
    except where a late allowance lets the organisation respond still; returns how many."""
    allowed = exists().where(
        LateAllowance.consultation_id == consultation.id,
        LateAllowance.organisation_id == User.organisation_id,
        LateAllowance.until > now,
    )
    return _queue_deadline_news(
        session,
        consultation,
        _told_of_deadline_changes(consultation).where(~allowed),
        f"Closed early: {consultation.reference} {consultation.title}",
        CLOSED_EARLY,
        lambda: [
            f"SECAS closed {consultation.title} ({consultation.reference}) at "
            f"{uk_datetime(consultation.closes_at)}, before its deadline of "
            f"{uk_datetime(previous_closes_at)}.",
            "",
            "Responses can no longer be submitted, amended or withdrawn. If your "
            "organisation still needs to respond, contact SECAS.",
            "",
            f"See the consultation: {_consultation_link(consultation)}",
        ],
        standing=_standings(session, consultation),
    )


def queue_late_allowance_revoked(
    session: Session,
    consultation: Consultation,
    organisation: Organisation,
    until: datetime,
    now: datetime,
) -> int:
    """Tell one organisation's respondents that the late allowance they were told of is
    gone (``_told_of_deadline_changes``); returns how many were e-mailed."""

    def news() -> list[str]:
        closes = uk_datetime(consultation.closes_at)
        after = (
            f"Your organisation may respond until the consultation closes at {closes}, "
            "as everyone else may."
            if consultation.status_at(now) is not ConsultationStatus.closed
            else f"The consultation closed to everyone at {closes}, so your organisation can "
            "no longer submit, amend or withdraw its response."
        )
        return [
            f"SECAS has revoked the late allowance that let {organisation.name} respond to "
            f"{consultation.title} ({consultation.reference}) until {uk_datetime(until)}.",
            "",
            after,
            "",
            f"See the consultation: {_consultation_link(consultation)}",
        ]

    return _queue_deadline_news(
        session,
        consultation,
        _told_of_deadline_changes(consultation).where(User.organisation_id == organisation.id),
        f"Late allowance revoked: {consultation.reference} {consultation.title}",
        LATE_ALLOWANCE_REVOKED,
        news,
        standing=(
            _standings(session, consultation)
            if consultation.status_at(now) is ConsultationStatus.closed
            else None
        ),
    )


def _standings(session: Session, consultation: Consultation) -> dict[int, str]:
    """Where each organisation's response stands now that it can no longer change, by
    organisation id, in one query: what counts, and what does not."""
    rows = session.execute(
        select(Response.organisation_id, Response.status, Response.receipt_number).where(
            Response.consultation_id == consultation.id
        )
    )
    found = {}
    for organisation_id, status, number in rows:
        receipt = receipt_reference(consultation.reference, number) if number else None
        if status is ResponseStatus.submitted:
            said = (
                f"Your organisation's response {receipt} counts as it was last submitted; "
                "changes saved since and not submitted do not."
            )
        elif status is ResponseStatus.withdrawn:
            said = f"Your organisation withdrew its response {receipt}: it does not count."
        elif receipt is not None:
            said = (
                f"Your organisation withdrew its response {receipt}, then started it again "
                "but did not submit it: it does not count."
            )
        else:
            said = "Your organisation's draft response was not submitted: it does not count."
        found[organisation_id] = said
    return found


def _queue_deadline_news(
    session: Session,
    consultation: Consultation,
    people: Select,
    subject: str,
    kind: str,
    news: Callable[[], list[str]],
    standing: dict[int, str] | None = None,
) -> int:
    """Queue ``news()`` to each of ``people``, greeted by name; returns how many. The news
    is put in words only if someone is to get it. With ``standing`` (``_standings``), each
    is told where their organisation's response stands, before the news's last line (the
    link)."""
    count, lines = 0, None
    for user in session.scalars(people.order_by(User.email)):
        lines = lines or news()
        own = [] if standing is None else [standing.get(user.organisation_id, NO_RESPONSE), ""]
        body = [f"Dear {user.name},", "", *lines[:-1], *own, lines[-1], *preferences_footer()]
        queue_message(session, user.email, subject[:300], "\n".join(body), kind, consultation.id)
        count += 1
    session.flush()
    return count


@dataclass(frozen=True)
class OutboxPage:
    """One page of the outbox, newest first."""

    messages: list[tuple[OutboxMessage, str | None]]
    page: int
    pages: int
    total: int
    counts: dict[str, int]


def parse_status(raw: str | None) -> MessageStatus | None:
    """The status filter from the query string; unknown values mean no filter."""
    try:
        return MessageStatus(raw) if raw else None
    except ValueError:
        return None


def outbox_page(session: Session, status: MessageStatus | None, page: int) -> OutboxPage:
    """The outbox filtered by status, a page at a time, with the count in each status."""
    counts = {
        row.status.value: row.n
        for row in session.execute(
            select(OutboxMessage.status, func.count().label("n")).group_by(OutboxMessage.status)
        )
    }
    where = [OutboxMessage.status == status] if status is not None else []
    total = session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    pages = max(1, -(-total // OUTBOX_PAGE_SIZE))
    page = min(max(page, 1), pages)
    query = (
        select(OutboxMessage, Consultation.reference)
        .outerjoin(Consultation, OutboxMessage.consultation_id == Consultation.id)
        .where(*where)
        .order_by(OutboxMessage.id.desc())
        .offset((page - 1) * OUTBOX_PAGE_SIZE)
        .limit(OUTBOX_PAGE_SIZE)
    )
    messages = [(m, ref) for m, ref in session.execute(query)]
    return OutboxPage(messages, page, pages, total, counts)


# A link that sets someone's password: whoever follows it can take over the account, so
# the outbox never shows it, even to SECAS.
_PASSWORD_LINK = re.compile(r"\S*/account/(?:set|reset)-password/\S+")
WITHHELD = "[link withheld: it lets whoever follows it set this person’s password]"


def get_message(session: Session, message_id: int) -> tuple[OutboxMessage, str | None]:
    """One message and its consultation's reference, or NotFound."""
    row = session.execute(
        select(OutboxMessage, Consultation.reference)
        .outerjoin(Consultation, OutboxMessage.consultation_id == Consultation.id)
        .where(OutboxMessage.id == message_id)
    ).one_or_none()
    if row is None:
        raise NotFound("No such message")
    return row[0], row[1]


def readable_body(message: OutboxMessage) -> str:
    """The body as SECAS may read it: links that set a password withheld."""
    return _PASSWORD_LINK.sub(WITHHELD, message.body)


def retry_message(session: Session, message_id: int, actor_id: int | None) -> OutboxMessage:
    """Put a failed message back in the queue for the next ``send-mail``."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("No such message")
    if message.status is not MessageStatus.failed:
        raise InvalidInput("Only a failed message can be retried")
    message.status = MessageStatus.queued
    message.attempts = 0
    audit.record(
        session,
        "outbox.retried",
        actor_id=actor_id,
        consultation_id=message.consultation_id,
        message_id=message.id,
        to=message.to_address,
        last_error=message.last_error,
    )
    return message
