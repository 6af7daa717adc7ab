"""Helpers for the people, oversight, notification and account tests."""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.models import OutboxMessage
from tests.conftest import normalise


def outbox(db: Session, kind: str | None = None) -> list[OutboxMessage]:
    """Messages in the outbox (optionally of one kind), oldest first, read afresh."""
    db.commit()  # end the test session's transaction, so the app's commits are visible
    db.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.scalars(query))


def link_in(message: OutboxMessage) -> str:
    """The path of the first link on this site in an e-mail's body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, f"no link in: {message.body}"
    return match.group(1)


def error_summary(page) -> list[str]:
    """The messages in the GOV.UK error summary."""
    return [normalise(a.text) for a in page.select(".govuk-error-summary__list a")]


def banner(page) -> str:
    """The notification banner's text."""
    found = page.select_one(".govuk-notification-banner")
    return normalise(found.text) if found else ""


def table_rows(page, selector: str) -> list[list[str]]:
    """A table's body rows as lists of normalised cell texts."""
    return [
        [normalise(cell.text) for cell in row.select("th, td")]
        for row in page.select(f"{selector} tbody tr")
    ]
