"""send-mail: queued e-mails reach a real SMTP server; when the server is down they stay
queued, counted and retried, and are delivered on a later run."""

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from consult import mail
from consult.models import MessageStatus, OutboxMessage
from tests import factories
from tests.cli_helpers import assert_refused, invoke


class Collector:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def app_config(app_config: dict, smtp_port: int) -> dict:
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_SENDER": "consult@secas.example.com",
    }


@pytest.fixture
def start_smtp_server(smtp_port: int):
    """Start a real SMTP server on the app's mail port when the test asks for it."""
    controllers: list[Controller] = []

    def start() -> Collector:
        collector = Collector()
        controller = Controller(collector, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        controllers.append(controller)
        return collector

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def receipt(db, respondent) -> OutboxMessage:
    """A submitted response, whose receipt e-mail is queued."""
    consultation = factories.make_consultation(db, "SSI-2017")
    factories.make_response(db, consultation, respondent)
    message = db.scalar(select(OutboxMessage))
    db.commit()  # end the read, so the command under test never waits for this session
    return message


def outbox(db) -> list[OutboxMessage]:
    """The outbox as the command left it (a fresh transaction sees its commits)."""
    db.rollback()
    db.expire_all()
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_receipt_email_reaches_the_smtp_server(app, db, respondent, receipt, start_smtp_server):
    server = start_smtp_server()

    result = invoke(app, "send-mail")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Sent 1 message."
    [message] = server.messages
    assert message["To"] == respondent.email
    assert message["From"] == "consult@secas.example.com"
    assert message["Subject"] == "Response received: SSI-2017-R0001"
    body = message.get_content()
    assert "Receipt reference: SSI-2017-R0001" in body
    assert "Do you agree with the proposed new end date?" in body


def test_a_delivered_message_is_marked_sent_and_not_sent_again(app, db, receipt, start_smtp_server):
    server = start_smtp_server()
    invoke(app, "send-mail")

    second = invoke(app, "send-mail")

    assert second.stdout.strip() == "Sent 0 messages."
    assert len(server.messages) == 1
    [row] = outbox(db)
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.sent, 1, None)
    assert row.sent_at is not None


def test_with_the_server_down_messages_stay_queued_and_the_run_fails(app, db, receipt):
    result = invoke(app, "send-mail")

    assert_refused(result, "1 message could not be sent", "1 left queued to retry")
    [row] = outbox(db)
    assert (row.status, row.attempts, row.sent_at) == (MessageStatus.queued, 1, None)
    assert "Connection" in row.last_error


def test_messages_queued_while_the_server_was_down_are_delivered_when_it_is_up(
    app, db, receipt, start_smtp_server
):
    invoke(app, "send-mail")
    server = start_smtp_server()

    result = invoke(app, "send-mail")

    assert result.exit_code == 0, result.output
    assert len(server.messages) == 1
    [row] = outbox(db)
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.sent, 2, None)


def test_a_message_is_given_up_after_the_last_attempt_but_kept(app, db, receipt):
    receipt.attempts = mail.MAX_ATTEMPTS - 1
    db.commit()

    result = invoke(app, "send-mail")

    assert_refused(result, "1 given up after 5 attempts")
    [row] = outbox(db)
    assert (row.status, row.attempts) == (MessageStatus.failed, mail.MAX_ATTEMPTS)
    assert row.body and row.last_error


def test_a_crash_mid_run_keeps_the_messages_already_sent(app, db, monkeypatch):
    for n in (1, 2):
        mail.queue(db, f"person{n}@example.com", f"Message {n}", "Hello")
    db.commit()

    class CrashesOnSecond:
        sent = 0

        def send(self, message: EmailMessage) -> None:
            if self.sent:
                raise RuntimeError("killed")
            self.sent += 1

        def close(self) -> None:
            pass

    monkeypatch.setattr(mail, "make_transport", lambda config, echo: CrashesOnSecond())
    with app.app_context(), pytest.raises(RuntimeError):
        mail.deliver_queued(app.extensions["consult.sessionmaker"](), app.config)

    assert [row.status for row in outbox(db)] == [MessageStatus.sent, MessageStatus.queued]


class TestWithoutAMailServer:
    @pytest.fixture
    def app_config(self, app_config: dict) -> dict:
        return {**app_config, "MAIL_SERVER": None}

    def test_messages_are_printed_and_marked_sent(self, app, db, respondent, receipt):
        result = invoke(app, "send-mail")

        assert result.exit_code == 0, result.output
        assert f"To: {respondent.email}" in result.stdout
        assert "Subject: Response received: SSI-2017-R0001" in result.stdout
        assert "Receipt reference: SSI-2017-R0001" in result.stdout
        assert result.stdout.strip().endswith("Sent 1 message.")
        assert [row.status for row in outbox(db)] == [MessageStatus.sent]


def test_a_message_that_cannot_be_written_is_given_up_without_blocking_the_rest(
    app, db, start_smtp_server
):
    mail.queue(db, "person@example.com", "Broken\r\nBcc: everyone@example.com", "Hello")
    mail.queue(db, "person@example.com", "Fine", "Hello")
    db.commit()
    server = start_smtp_server()

    result = invoke(app, "send-mail")

    assert_refused(result, "1 given up")
    assert [m["Subject"] for m in server.messages] == ["Fine"]
    assert [row.status for row in outbox(db)] == [MessageStatus.failed, MessageStatus.sent]
