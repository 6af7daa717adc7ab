"""The e-mail outbox: services queue messages in the same transaction as the change
they report, and ``send-mail`` delivers them later, so a failing mail server never
loses (or delays) a submission."""

import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.db import utcnow
from consult.models import MessageStatus, OutboxMessage


def queue(
    session: Session,
    to_address: str,
    subject: str,
    body: str,
    *,
    kind: str = "other",
    consultation_id: int | None = None,
) -> OutboxMessage:
    """Add a message to the outbox (committed with the caller's transaction)."""
    message = OutboxMessage(
        to_address=to_address,
        subject=subject,
        body=body,
        kind=kind,
        consultation_id=consultation_id,
    )
    session.add(message)
    return message


MAX_ATTEMPTS = 5
SMTP_TIMEOUT_SECONDS = 10


@dataclass
class DeliveryCounts:
    """What one ``send-mail`` run did."""

    sent: int = 0
    failed: int = 0  # failed this run; still queued, retried next run
    given_up: int = 0  # failed for the MAX_ATTEMPTS-th time; marked failed
    last_error: str | None = None

    @property
    def unsent(self) -> int:
        return self.failed + self.given_up


class ConsoleTransport:
    """Development: show each message on the console instead of sending it."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo

    def send(self, message: EmailMessage) -> None:
        headers = "".join(f"{name}: {message[name]}\n" for name in ("From", "To", "Subject"))
        self.echo(f"{headers}\n{message.get_content().rstrip()}\n{'-' * 72}")

    def close(self) -> None:
        """Nothing to close."""


class SmtpTransport:
    """Delivers over one SMTP connection, opened when first needed and reused."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message)
        except BaseException:
            # After any failure the connection's state is unknown: start afresh next time.
            self.close()
            raise

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(
            self.config["MAIL_SERVER"],
            int(self.config.get("MAIL_PORT") or 25),
            timeout=SMTP_TIMEOUT_SECONDS,
        )
        try:
            if _flag(self.config.get("MAIL_USE_TLS")):
                smtp.starttls(context=ssl.create_default_context())
            if self.config.get("MAIL_USERNAME"):
                smtp.login(self.config["MAIL_USERNAME"], self.config.get("MAIL_PASSWORD") or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _flag(value: Any) -> bool:
    """Config flags may arrive as strings from the environment or instance config."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def make_transport(
    config: Mapping[str, Any], echo: Callable[[str], None] = click.echo
) -> ConsoleTransport | SmtpTransport:
    """SMTP when MAIL_SERVER is set, else the console (development)."""
    if config.get("MAIL_SERVER"):
        return SmtpTransport(config)
    return ConsoleTransport(echo)


def as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The outbox row as an RFC 5322 message."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email.set_content(message.body)
    return email


def deliver_queued(
    session: Session,
    config: Mapping[str, Any],
    *,
    echo: Callable[[str], None] = click.echo,
    now: Callable[[], datetime] = utcnow,
) -> DeliveryCounts:
    """Deliver every queued message, committing each outcome as it happens.

    Each message is claimed with SELECT … FOR UPDATE SKIP LOCKED (on PostgreSQL), so two
    runs at once never send the same message; on SQLite the database write lock does the
    same, held while one message is sent (at most SMTP_TIMEOUT_SECONDS).
    A crash mid-run therefore resends at most the message being sent.
    """
    transport = make_transport(config, echo)
    sender = config.get("MAIL_SENDER") or "consult@localhost"
    counts = DeliveryCounts()
    last_id = 0
    try:
        while (message := _next_queued(session, last_id)) is not None:
            last_id = message.id
            _attempt(transport, message, sender, counts, now())
            session.commit()
    finally:
        transport.close()
        session.rollback()
    return counts


def _next_queued(session: Session, after_id: int) -> OutboxMessage | None:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.queued, OutboxMessage.id > after_id)
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalar(query)


def _attempt(
    transport: ConsoleTransport | SmtpTransport,
    message: OutboxMessage,
    sender: str,
    counts: DeliveryCounts,
    now: datetime,
) -> None:
    message.attempts += 1
    try:
        error = _send(transport, as_email(message, sender))
    except ValueError as unwritable:
        # A message that cannot be written (e.g. a line break in a header) never will
        # be: give it up now rather than let it fail on every run.
        message.attempts = MAX_ATTEMPTS
        error = unwritable
    if error is None:
        message.status = MessageStatus.sent
        message.sent_at = now
        message.last_error = None
        counts.sent += 1
        return
    message.last_error = counts.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.failed
        counts.given_up += 1
    else:
        counts.failed += 1


def _send(transport: ConsoleTransport | SmtpTransport, email: EmailMessage) -> Exception | None:
    """Send one message; the error if the server or network failed, else None."""
    try:
        transport.send(email)
    except (smtplib.SMTPException, OSError) as error:
        return error
    return None
