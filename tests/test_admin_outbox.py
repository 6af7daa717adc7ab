"""The outbox page: queued, sent and failed messages, and retrying a failed one."""

import pytest
from sqlalchemy import select

from consult import mail
from consult.models import AuditEvent, MessageStatus
from tests.conftest import normalise
from tests.people_helpers import banner, outbox, table_rows


@pytest.fixture
def signed_in(secas, login):
    login(secas)
    return secas


@pytest.fixture
def messages(db):
    """One message in each status."""
    made = {}
    for status in MessageStatus:
        address, subject = f"{status.value}@example.com", f"About {status.value}"
        message = mail.queue(db, address, subject, "Body", kind="manual_reminder")
        message.status = status
        if status is MessageStatus.failed:
            message.attempts = 5
            message.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
        made[status.value] = message
    db.commit()
    return made


def test_the_outbox_lists_every_message_newest_first(messages, signed_in, get_page):
    page = get_page("/admin/outbox")
    rows = table_rows(page, "#messages")
    assert [row[1] for row in rows] == [
        "failed@example.com",
        "sent@example.com",
        "queued@example.com",
    ]
    assert rows[0][5].startswith("Failed SMTPServerDisconnected")
    assert rows[0][3] == "Manual reminder"
    filters = normalise(page.select_one("#status-filter").text)
    assert filters == "All (3) Queued (1) Sent (1) Failed (1)"


def test_the_outbox_filters_by_status(messages, signed_in, get_page):
    rows = table_rows(get_page("/admin/outbox?status=failed"), "#messages")
    assert [row[1] for row in rows] == ["failed@example.com"]


def test_an_unknown_status_shows_everything(messages, signed_in, get_page):
    assert len(table_rows(get_page("/admin/outbox?status=lost&page=x"), "#messages")) == 3


def test_only_failed_messages_offer_a_retry(messages, signed_in, get_page):
    page = get_page("/admin/outbox")
    buttons = page.select("button[id^=retry-]")
    assert [b["id"] for b in buttons] == [f"retry-{messages['failed'].id}"]


def test_retrying_a_failed_message_queues_it_again_and_is_audited(
    db, messages, signed_in, get_page
):
    failed = messages["failed"]
    page = get_page(f"/admin/outbox/{failed.id}/retry", method="post", follow_redirects=True)
    assert banner(page) == "Success The message to failed@example.com is queued again."
    [message] = [m for m in outbox(db) if m.id == failed.id]
    assert message.status is MessageStatus.queued and message.attempts == 0
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.retried"))


def test_a_sent_message_cannot_be_retried(db, messages, signed_in, get_page):
    sent = messages["sent"]
    page = get_page(f"/admin/outbox/{sent.id}/retry", method="post", follow_redirects=True)
    assert "Only a failed message can be retried" in banner(page)
    assert [m.status for m in outbox(db) if m.id == sent.id] == [MessageStatus.sent]


def test_retrying_an_unknown_message_is_not_found(signed_in, client):
    assert client.post("/admin/outbox/999/retry").status_code == 404


def test_the_outbox_is_paged(db, signed_in, get_page):
    for n in range(51):
        mail.queue(db, f"p{n}@example.com", "Paged", "Body")
    db.commit()
    page = get_page("/admin/outbox")
    assert len(table_rows(page, "#messages")) == 50
    second = get_page(page.select_one(".govuk-pagination__next a")["href"])
    assert len(table_rows(second, "#messages")) == 1


def test_panel_members_cannot_see_the_outbox(panel, login, client):
    login(panel)
    assert client.get("/admin/outbox").status_code == 403


def test_a_message_opens_from_the_outbox_and_shows_its_text(db, signed_in, get_page):
    message = mail.queue(
        db, "jo@example.com", "Deadline extended: SSI-2017", "Dear Jo,\n\nMore time."
    )
    db.commit()
    link = get_page("/admin/outbox").select_one("#messages tbody a")
    assert normalise(link.text) == "Deadline extended: SSI-2017"
    page = get_page(link["href"])
    assert normalise(page.select_one("h1").text) == "Message to jo@example.com"
    assert page.select_one("#message-body").text == message.body
    assert "Subject Deadline extended: SSI-2017" in normalise(
        page.select_one("#message-details").text
    )


def test_a_failed_message_can_be_retried_from_its_page(messages, signed_in, get_page):
    page = get_page(f"/admin/outbox/{messages['failed'].id}")
    assert "Last error SMTPServerDisconnected" in normalise(
        page.select_one("#message-details").text
    )
    assert page.select_one("form button#retry") is not None
    assert get_page(f"/admin/outbox/{messages['sent'].id}").select_one("#retry") is None


def test_a_password_link_in_a_message_is_withheld(db, signed_in, get_page):
    body = "Choose a new password here:\nhttp://localhost/account/reset-password/secret-token\n"
    message = mail.queue(db, "jo@example.com", "Reset your Consult password", body)
    db.commit()
    shown = get_page(f"/admin/outbox/{message.id}").select_one("#message-body").text
    assert "secret-token" not in shown
    assert "[link withheld: it lets whoever follows it set this person’s password]" in shown


def test_a_message_that_does_not_exist_is_not_found(signed_in, get_page):
    get_page("/admin/outbox/999999", status=404)


@pytest.mark.parametrize("role", ["respondent", "panel"])
def test_only_secas_may_read_a_message(db, request, login, client, role):
    message = mail.queue(db, "jo@example.com", "Subject", "Private body")
    db.commit()
    login(request.getfixturevalue(role))
    response = client.get(f"/admin/outbox/{message.id}")
    assert response.status_code == 403
    assert "Private body" not in response.get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in_for_a_message(db, client):
    message = mail.queue(db, "jo@example.com", "Subject", "Private body")
    db.commit()
    response = client.get(f"/admin/outbox/{message.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
