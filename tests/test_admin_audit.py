"""The audit log page: the latest events, who made them and what they concern."""

from datetime import timedelta

from consult.consultations import service
from consult.db import utcnow
from tests import factories
from tests.conftest import normalise


def audit_rows(page) -> list[list[str]]:
    return [
        [normalise(cell.text) for cell in row.select("th, td")]
        for row in page.select("#audit-events tbody tr")
    ]


def test_audit_log_lists_the_latest_events_newest_first(db, secas, login, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", status="open")
    later = consultation.closes_at + timedelta(days=7)
    service.extend(
        db,
        consultation,
        later,
        "More time",
        utcnow(),
        secas.id,
    )
    db.commit()
    service.close_now(db, consultation, utcnow(), secas.id)
    db.commit()
    login(secas)
    rows = audit_rows(get_page("/admin/audit"))
    assert [row[1:4] for row in rows] == [
        ["SECAS Analyst", "consultation.closed_early", "SSI-2017"],
        ["SECAS Analyst", "consultation.extended", "SSI-2017"],
    ]
    assert "reason: More time" in rows[1][4]


def test_actions_taken_in_the_console_appear_in_the_audit_log(db, secas, login, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    login(secas)
    get_page("/admin/consultations/DRAFT-1/publish", method="post", follow_redirects=True)
    rows = audit_rows(get_page("/admin/audit"))
    assert rows[0][1:4] == ["SECAS Analyst", "consultation.published", "DRAFT-1"]
