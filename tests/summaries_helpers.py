"""Arranging a consultation with responses of every kind, and reading summaries back.

Its fixtures (``arranged``, ``as_panel``) are loaded for every test by ``tests/conftest.py``.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event
from sqlalchemy.orm import Session

from consult.db import utcnow
from consult.filters import london
from consult.models import Consultation, Organisation, PartyCategory, Role, User
from consult.responses import service as responses
from consult.responses.service import AnswerInput
from tests import factories
from tests.conftest import normalise

REFERENCE = "SSI-2017"
FORMULA = '=HYPERLINK("http://evil.example")'

# Submitted and counted: the figures every test expects.
COUNTED = ["British Gas", "Octopus Energy", "Western Power", "SGN", "EDF Energy"]
CONFIDENTIAL = ["Octopus Energy", "EDF Energy"]
NOT_COUNTED = ["Smart DCC", "Citizens Advice"]


@dataclass
class Arranged:
    consultation: Consultation
    organisations: dict[str, Organisation]
    users: dict[str, User]


def answers(q1: str, rationale: str, q2: tuple[str, ...] = (), q3: str | None = None) -> dict:
    """Answers to factories.DEFAULT_QUESTIONS."""
    return {
        "q1": AnswerInput(choices=(q1,), rationale=rationale),
        "q2": AnswerInput(choices=q2),
        "q3": AnswerInput(text=q3),
    }


def respondent_of(db: Session, name: str, category: PartyCategory) -> User:
    organisation = factories.make_organisation(db, name, category)
    return factories.make_user(db, Role.respondent, organisation=organisation)


def arrange(db: Session) -> Arranged:
    """A closed consultation with five counted responses (two confidential, one late,
    one amended), one withdrawn and one draft."""
    consultation = factories.make_consultation(db, REFERENCE, status="closed")
    while_open = consultation.closes_at - timedelta(hours=1)
    after_close = consultation.closes_at + timedelta(hours=1)
    users = {
        "British Gas": respondent_of(db, "British Gas", PartyCategory.large_supplier),
        "Octopus Energy": respondent_of(db, "Octopus Energy", PartyCategory.small_supplier),
        "Western Power": respondent_of(db, "Western Power", PartyCategory.electricity_network),
        "SGN": respondent_of(db, "SGN", PartyCategory.gas_network),
        "EDF Energy": respondent_of(db, "EDF Energy", PartyCategory.large_supplier),
        "Smart DCC": respondent_of(db, "Smart DCC", PartyCategory.dcc),
        "Citizens Advice": respondent_of(db, "Citizens Advice", PartyCategory.non_party),
    }

    def respond(name: str, given: dict, **kwargs):
        return factories.make_response(db, consultation, users[name], given, **kwargs)

    respond(
        "British Gas",
        answers("Yes", "We support the new date.", ("Metering", "Billing"), "No further comments."),
        now=while_open,
    )
    respond(
        "Octopus Energy", answers("No", FORMULA, ("Billing",)), confidential=True, now=while_open
    )
    respond("Western Power", answers("No", "First thoughts."), now=while_open - timedelta(hours=1))
    respond("Western Power", answers("Yes", "Changed our mind.", ("Metering",)), now=while_open)
    factories.grant_late_allowance(
        db, consultation, users["SGN"].organisation, consultation.closes_at + timedelta(days=2)
    )
    respond("SGN", answers("No", "Our systems need longer.\nSecond line."), now=after_close)
    respond(
        "EDF Energy",
        answers("Yes", "Agreed.", ("Customer service",), "Thanks."),
        confidential=True,
        now=while_open,
    )
    withdrawn = respond("Smart DCC", answers("No", "Withdrawn view."), now=while_open)
    responses.withdraw(
        db, withdrawn, expected_version=withdrawn.version, user=users["Smart DCC"], now=while_open
    )
    db.commit()
    respond("Citizens Advice", answers("No", "Draft view."), submit=False, now=while_open)
    organisations = {name: user.organisation for name, user in users.items()}
    return Arranged(consultation, organisations, users)


@pytest.fixture
def arranged(db: Session) -> Arranged:
    return arrange(db)


@pytest.fixture
def as_panel(login, panel: User) -> User:
    login(panel)
    return panel


def today() -> str:
    """Today's date in UK time, as download names carry it."""
    return london(utcnow()).date().isoformat()


def download_name(suffix: str, version: str = "panel", what: str = "summary") -> str:
    """E.g. SSI-2017-summary-panel-2026-11-29.csv."""
    return f"{REFERENCE}-{what}-{version}-{today()}{suffix}"


def summary_url(reference: str = REFERENCE, suffix: str = "", version: str | None = None) -> str:
    url = f"/panel/consultations/{reference}/summary{suffix}"
    return f"{url}?version={version}" if version else url


def table_rows(page: BeautifulSoup, table_id: str) -> list[list[str]]:
    """A table's body as rows of normalised cell text."""
    table = page.select_one(f"#{table_id}")
    assert table is not None, f"no table #{table_id}"
    return [
        [normalise(cell.text) for cell in row.select("th, td")] for row in table.select("tbody tr")
    ]


def table_head(page: BeautifulSoup, table_id: str) -> list[str]:
    return [normalise(cell.text) for cell in page.select(f"#{table_id} thead th")]


def count_queries(app, client, url: str) -> int:
    """How many SQL statements one GET of ``url`` runs (the body read in full)."""
    statements = []

    def record(*_args) -> None:
        statements.append(1)

    engine = app.extensions["consult.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        response.get_data()
        response.close()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)
