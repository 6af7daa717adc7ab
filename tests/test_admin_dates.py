"""How far ahead SECAS may set a date: the same rule, and message, on every form that sets
one, and on import; a date at the calendar's edge is refused, never a server error."""

import json

import pytest
from sqlalchemy import func, select

from consult.dates import YEARS_AHEAD, latest_day
from consult.db import utcnow
from consult.models import Consultation, DeadlineChange, LateAllowance
from tests import factories
from tests.admin_builder_helpers import details_form, error_messages
from tests.cli_helpers import assert_refused, invoke

FAR = ["31", "12", "9999"]


@pytest.fixture
def signed_in_secas(secas, login):
    login(secas)
    return secas


def too_far(noun: str) -> str:
    last = latest_day(utcnow())
    return (
        f"The {noun} must be within {YEARS_AHEAD} years of today: {last.day} {last:%B %Y} or "
        "earlier"
    )


def count(db, model) -> int:
    db.commit()
    return db.scalar(select(func.count()).select_from(model))


def field_error(page, field: str) -> str:
    return " ".join(page.select_one(f"#{field}-error").text.split())


def test_creating_a_consultation_closing_in_9999_is_refused(db, signed_in_secas, get_page):
    data = details_form("SSI-2017", closes_date=FAR, closes_time="23:59")
    page = get_page("/admin/build/new", method="post", data=data)
    assert error_messages(page) == [too_far("closing date")]
    assert field_error(page, "closes_date") == f"Error: {too_far('closing date')}"
    assert page.select_one(".govuk-error-summary a")["href"] == "#closes_date-day"
    assert count(db, Consultation) == 0


def test_copying_a_consultation_to_open_in_9999_is_refused(db, signed_in_secas, get_page):
    factories.make_consultation(db, "SSI-2017")
    data = details_form("SSI-2018", opens_date=["30", "12", "9999"], closes_date=FAR)
    data["source"] = "SSI-2017"
    page = get_page("/admin/build/duplicate", method="post", data=data)
    assert error_messages(page) == [too_far("opening date")]
    assert count(db, Consultation) == 1


def test_a_date_on_the_last_allowed_day_is_accepted(db, signed_in_secas, get_page):
    last = latest_day(utcnow())
    data = details_form("SSI-2017", closes_date=[str(last.day), str(last.month), str(last.year)])
    get_page("/admin/build/new", method="post", data=data, follow_redirects=True)
    assert count(db, Consultation) == 1


@pytest.mark.parametrize(("status", "action"), [("open", "extend"), ("closed", "reopen")])
def test_extending_or_reopening_to_9999_is_refused(db, signed_in_secas, get_page, status, action):
    factories.make_consultation(db, "SSI-2017", status=status)
    data = {"closes_date": FAR, "closes_time": "23:59", "reason": "More time", "confirmed": "yes"}
    page = get_page(f"/admin/consultations/SSI-2017/{action}", method="post", data=data)
    assert error_messages(page) == [too_far("new closing date")]
    assert count(db, DeadlineChange) == 0


def test_a_late_allowance_until_9999_is_refused(db, signed_in_secas, organisation, get_page):
    factories.make_consultation(db, "SSI-2017", status="closed")
    page = get_page(
        f"/admin/consultations/SSI-2017/organisations/{organisation.id}/late-allowance",
        method="post",
        data={"until_date": FAR, "until_time": "23:59", "reason": "Their system was down"},
    )
    assert error_messages(page) == [too_far("date")]
    assert count(db, LateAllowance) == 0


@pytest.mark.parametrize(
    ("closes_at", "problem"),
    [
        ("9999-12-31T23:59:00-05:00", "must be within"),
        ("0001-01-01T00:00:00+01:00", "must be in 2000 or later"),
    ],
)
def test_import_refuses_a_date_at_the_calendars_edge(app, db, tmp_path, closes_at, problem):
    document = {
        "reference": "SSI-2017",
        "title": "Changing the end date",
        "kind": "other",
        "opens_at": "0001-01-01T00:00:00+01:00",
        "closes_at": closes_at,
        "questions": [{"key": "q1", "kind": "text", "text": "Any comments?"}],
    }
    path = tmp_path / "far.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert_refused(invoke(app, "import-consultation", str(path)), "closes_at", problem)
    assert count(db, Consultation) == 0


def test_the_audit_log_filtered_to_the_calendars_last_day_is_shown(signed_in_secas, get_page):
    page = get_page("/admin/audit?date_from=1/1/2017&date_to=31/12/9999")
    assert page.select_one("h1").text.strip() == "Audit log"
