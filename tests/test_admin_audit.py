"""The audit log: filter by consultation, user, action and dates; pages; CSV download."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from consult import audit
from consult.consultations import service
from consult.db import utcnow
from consult.filters import london, uk_datetime
from consult.models import AuditEvent, Role
from tests import factories
from tests.conftest import normalise
from tests.people_helpers import error_summary, table_rows


@pytest.fixture
def signed_in(secas, login):
    login(secas)
    return secas


def rows(page) -> list[list[str]]:
    return table_rows(page, "#audit-events")


def test_audit_log_lists_the_latest_events_newest_first(db, secas, login, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", status="open")
    service.extend(
        db,
        consultation,
        consultation.closes_at + timedelta(days=7),
        "More time",
        utcnow(),
        secas.id,
    )
    db.commit()
    service.close_now(db, consultation, utcnow(), secas.id)
    db.commit()
    login(secas)
    found = rows(get_page("/admin/audit"))
    assert [row[1:4] for row in found] == [
        ["SECAS Analyst", "Consultation closed early", "SSI-2017"],
        ["SECAS Analyst", "Consultation extended", "SSI-2017"],
    ]
    assert "Reason: More time" in found[1][5]
    extended = db.query(AuditEvent).filter_by(action="consultation.extended").one()
    before = uk_datetime(datetime.fromisoformat(extended.detail["before"]["closes_at"]))
    assert f"Before: closes at: {before}" in found[1][5]
    assert "Reason: none" in found[0][5]  # closing early takes no reason


def test_audit_details_read_as_words_not_code(db, secas, signed_in, get_page):
    audit.record(
        db, "response.submitted", actor_id=secas.id, late=True, revision=2,
        after={"until": "2027-01-08T17:00:00+00:00", "reason": "Their system was down"},
        before=None, files=["a.pdf", "b.pdf"],
    )  # fmt: skip
    db.commit()
    page = get_page("/admin/audit")
    assert [normalise(s.text) for s in page.select(".consult-audit-detail")] == [
        "Late: yes",
        "Revision: 2",
        "After: until: 5pm on 8 January 2027; reason: Their system was down",
        "Before: none",
        "Files: a.pdf, b.pdf",
    ]


@pytest.fixture
def events(db, secas, panel, organisation):
    """Three events: two by SECAS about two consultations, one by the Panel member."""
    first = factories.make_consultation(db, "FIRST-1")
    second = factories.make_consultation(db, "SECOND-2")
    audit.record(db, "consultation.published", actor_id=secas.id, consultation_id=first.id)
    audit.record(
        db,
        "consultation.extended",
        actor_id=secas.id,
        consultation_id=second.id,
        organisation_id=organisation.id,
        reason='=HYPERLINK("http://evil")',
    )
    audit.record(db, "summary.downloaded", actor_id=panel.id, consultation_id=first.id)
    db.commit()
    return {"first": first, "second": second}


def test_filter_by_consultation(events, signed_in, get_page):
    found = rows(get_page(f"/admin/audit?consultation={events['first'].id}"))
    assert [row[2] for row in found] == ["Summary downloaded", "Consultation published"]


def test_filter_by_user_and_action(events, panel, signed_in, get_page):
    assert [r[2] for r in rows(get_page(f"/admin/audit?user={panel.id}"))] == ["Summary downloaded"]
    found = rows(get_page("/admin/audit?action=consultation.extended"))
    assert [(r[2], r[3], r[4]) for r in found] == [
        ("Consultation extended", "SECOND-2", "British Gas")
    ]
    # The filter offers each action in words; the address keeps its code.
    page = get_page("/admin/audit")
    options = {o["value"]: normalise(o.text) for o in page.select("#action option")}
    assert options["consultation.extended"] == "Consultation extended"


def test_filter_by_date_range_in_uk_time(db, secas, signed_in, get_page):
    for day in (1, 2, 3):
        event = audit.record(db, f"test.day{day}", actor_id=secas.id)
        event.at = datetime(2017, 6, day, 23, 30, tzinfo=UTC)  # 00:30 the next day in BST
    db.commit()
    found = rows(get_page("/admin/audit?date_from=2/6/2017&date_to=3/6/2017"))
    assert [r[2] for r in found] == ["Test day2", "Test day1"]
    # The way GOV.UK date hints write it, and other separators, are read the same.
    for typed in ("2 6 2017", "02-06-2017", "2.6.2017", " 2 / 6 / 2017 "):
        found = rows(get_page(f"/admin/audit?date_from={typed}&date_to=2/6/2017"))
        assert [r[2] for r in found] == ["Test day1"], typed


def test_a_malformed_date_shows_an_error_not_a_server_error(events, signed_in, get_page):
    page = get_page("/admin/audit?date_from=31/2/2017&date_to=2017-06-21")
    assert error_summary(page) == [
        "From date must be a real date, like 21/6/2017",
        "To date must be a real date, like 21/6/2017",
    ]
    assert len(rows(page)) == 3  # the date filters are ignored until they are fixed


def test_a_range_ending_before_it_starts_is_refused(events, signed_in, get_page):
    page = get_page("/admin/audit?date_from=3/6/2017&date_to=2/6/2017")
    assert error_summary(page) == ["To date must be the same as or after From date"]


def test_unknown_filter_values_match_nothing_rather_than_fail(events, signed_in, get_page):
    assert len(rows(get_page("/admin/audit?consultation=abc&page=-4"))) == 3
    assert rows(get_page("/admin/audit?user=999")) == []


def test_the_log_is_paged(db, secas, signed_in, get_page):
    for n in range(55):
        audit.record(db, f"test.{n:02d}", actor_id=secas.id)
    db.commit()
    first = get_page("/admin/audit")
    assert len(rows(first)) == 50
    assert normalise(first.select_one("#event-count").text).startswith("55 events")
    second = get_page(first.select_one(".govuk-pagination__next a")["href"])
    assert len(rows(second)) == 5


def test_the_csv_has_the_same_filter_a_bom_and_safe_cells(client, events, signed_in):
    response = client.get("/admin/audit.csv?action=consultation.extended")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0] == [
        "time_utc",
        "who",
        "who_email",
        "action",
        "consultation",
        "organisation",
        "detail",
    ]
    assert len(table) == 2
    assert table[1][1:6] == [
        "SECAS Analyst",
        table[1][2],
        "consultation.extended",
        "SECOND-2",
        "British Gas",
    ]
    assert '"reason": "=HYPERLINK' in table[1][6]


def test_a_cell_beginning_with_a_formula_character_is_neutralised(db, secas, client, signed_in):
    audit.record(db, "=cmd|' /C calc'!A0", actor_id=secas.id)
    db.commit()
    text = client.get("/admin/audit.csv").get_data(as_text=True)
    row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1]
    assert row[3] == "'=cmd|' /C calc'!A0"


def test_the_download_link_carries_the_filter(events, signed_in, get_page):
    page = get_page(f"/admin/audit?consultation={events['first'].id}&action=")
    assert page.select_one("#download-csv")["href"] == (
        f"/admin/audit.csv?consultation={events['first'].id}"
    )


def test_actions_taken_in_the_console_appear_in_the_audit_log(respondent, signed_in, get_page):
    get_page(f"/admin/users/{respondent.id}/deactivate", method="post", follow_redirects=True)
    found = rows(get_page("/admin/audit"))
    assert found[0][1:5] == ["SECAS Analyst", "User deactivated", "", "British Gas"]


def test_only_secas_see_the_audit_log(panel, login, client):
    login(panel)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_events_are_stored(db, events):
    assert db.query(AuditEvent).count() == 3


def test_who_finds_what_was_done_to_a_person_and_names_them(db, secas, signed_in, get_page):
    ada = factories.make_user(db, Role.panel, name="Ada Lovelace", email="ada@example.com")
    audit.record(db, "user.created", actor_id=secas.id, user_id=ada.id, role="panel")
    audit.record(db, "user.locked", actor_id=None, user_id=ada.id, minutes=15)
    audit.record(db, "summary.downloaded", actor_id=ada.id)
    audit.record(db, "consultation.published", actor_id=secas.id)
    db.commit()
    page = get_page("/admin/audit")
    options = [normalise(o.text) for o in page.select("#user option")]
    assert "Ada Lovelace (ada@example.com)" in options  # acted, and was acted on
    found = rows(get_page(f"/admin/audit?user={ada.id}"))
    assert [(r[1], r[2]) for r in found] == [
        ("Ada Lovelace", "Summary downloaded"),
        ("System", "User locked"),
        ("SECAS Analyst", "User created"),
    ]
    assert "User: Ada Lovelace (ada@example.com)" in found[2][5]
    page = get_page(f"/admin/audit?user={ada.id}")
    link = page.select_one("#audit-events .consult-audit-detail a")
    assert link["href"] == f"/admin/users/{ada.id}"


def test_the_csv_is_named_after_today(client, events, signed_in):
    response = client.get("/admin/audit.csv")
    today = london(utcnow()).date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="audit-log-{today}.csv"'
    )
