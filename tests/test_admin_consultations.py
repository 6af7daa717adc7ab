"""The SECAS console: the list of every consultation and the lifecycle actions."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from consult.db import utcnow
from consult.filters import LONDON, uk_datetime
from consult.models import AuditEvent, Consultation, DeadlineChange, DeadlineChangeKind
from tests import factories
from tests.conftest import normalise, scrolling_tables

pytestmark = pytest.mark.usefixtures("signed_in_secas")


@pytest.fixture
def signed_in_secas(secas, login):
    login(secas)
    return secas


def audit_actions(db) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def reload(db, reference: str) -> Consultation:
    db.expire_all()
    return db.scalar(select(Consultation).where(Consultation.reference == reference))


def table_rows(page) -> dict[str, list[str]]:
    """The consultations table, by reference, as the text of each cell."""
    rows = {}
    for row in page.select("#consultations tbody tr"):
        cells = [normalise(cell.text) for cell in row.select("th, td")]
        rows[cells[0]] = cells
    return rows


def banner(page) -> str:
    return normalise(page.select_one(".govuk-notification-banner").text)


def extend_form(date: datetime, time: str = "17:00", reason: str = "Parties asked for time"):
    return {
        "closes_date": [str(date.day), str(date.month), str(date.year)],
        "closes_time": time,
        "reason": reason,
        "confirmed": "yes",
    }


# The list


def test_list_shows_every_consultation_including_drafts(db, get_page):
    for status in ("draft", "upcoming", "open", "closed"):
        factories.make_consultation(db, f"{status.upper()}-1", status=status)
    rows = table_rows(get_page("/admin/consultations"))
    assert {reference: cells[2] for reference, cells in rows.items()} == {
        "DRAFT-1": "Draft",
        "UPCOMING-1": "Upcoming",
        "OPEN-1": "Open",
        "CLOSED-1": "Closed",
    }


def test_list_counts_submitted_responses_only(db, respondent, other_respondent, get_page):
    consultation = factories.make_consultation(db, "SSI-2017")
    factories.make_response(db, consultation, respondent)
    factories.make_response(db, consultation, other_respondent, submit=False)
    factories.make_consultation(db, "EMPTY-1")
    rows = table_rows(get_page("/admin/consultations"))
    assert rows["SSI-2017"][5] == "1"
    assert rows["EMPTY-1"][5] == "0"


def test_the_list_scrolls_sideways_by_keyboard(db, get_page):
    factories.make_consultation(db, "OPEN-1")
    page = get_page("/admin/consultations")
    assert scrolling_tables(page) == [("region", "Consultations", "0")]


def test_list_shows_dates_in_london_time(db, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", status="closed")
    consultation.opens_at = datetime(2017, 6, 7, 8, 0, tzinfo=UTC)
    consultation.closes_at = datetime(2017, 6, 21, 16, 0, tzinfo=UTC)
    db.commit()
    row = table_rows(get_page("/admin/consultations"))["SSI-2017"]
    assert row[3:5] == ["9am on 7 June 2017", "5pm on 21 June 2017"]


def test_list_offers_the_actions_that_fit_each_status(db, get_page):
    for status in ("draft", "open", "closed"):
        factories.make_consultation(db, f"{status.upper()}-1", status=status)
    rows = table_rows(get_page("/admin/consultations"))
    assert rows["DRAFT-1"][6] == "Publish DRAFT-1"
    assert rows["OPEN-1"][6] == "Close now OPEN-1 Extend deadline OPEN-1 Responses to OPEN-1"
    assert rows["CLOSED-1"][6] == "Reopen CLOSED-1 Responses to CLOSED-1"


def test_each_published_consultation_links_to_who_has_responded(db, get_page):
    for status in ("draft", "upcoming", "open", "closed"):
        factories.make_consultation(db, f"{status.upper()}-1", status=status)
    page = get_page("/admin/consultations")
    links = {
        normalise(a.text): a["href"]
        for a in page.select("#consultations a")
        if normalise(a.text).startswith("Responses")
    }
    assert links == {
        f"Responses to {ref}": f"/admin/consultations/{ref}/responses"
        for ref in ("UPCOMING-1", "OPEN-1", "CLOSED-1")
    }
    responses = get_page(links["Responses to OPEN-1"])
    assert normalise(responses.select_one("h1").text) == "Responses to OPEN-1"


# Publish


def test_publish_asks_for_confirmation_first(db, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    page = get_page("/admin/consultations/DRAFT-1/publish")
    assert normalise(page.select_one("h1").text) == "Publish DRAFT-1?"
    assert page.select_one("form[method=post] button#confirm") is not None
    assert reload(db, "DRAFT-1").published_at is None


def test_publish_makes_a_draft_public_and_says_so(db, client, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    page = get_page(
        "/admin/consultations/DRAFT-1/publish",
        method="post",
        data={"when": "scheduled"},
        follow_redirects=True,
    )
    assert banner(page).startswith("Success DRAFT-1 is published: it opens at ")
    assert reload(db, "DRAFT-1").published_at is not None
    assert audit_actions(db) == ["consultation.published"]
    assert client.get("/consultations/DRAFT-1").status_code == 200


def test_publishing_twice_shows_the_problem(db, get_page):
    factories.make_consultation(db, "OPEN-1", status="open")
    page = get_page("/admin/consultations/OPEN-1/publish", method="post", data={"when": "now"})
    assert normalise(page.select_one("#explanation").text) == "OPEN-1 is already published"
    assert page.select_one("#confirm") is None  # nothing to press again
    assert audit_actions(db) == []


def test_unknown_consultation_is_not_found(get_page):
    get_page("/admin/consultations/NOPE-1/publish", status=404)


# Close now


def test_close_now_closes_an_open_consultation(db, signed_in_secas, get_page):
    factories.make_consultation(db, "OPEN-1", status="open")
    page = get_page("/admin/consultations/OPEN-1/close", method="post", follow_redirects=True)
    assert banner(page) == "Success OPEN-1 is closed."
    consultation = reload(db, "OPEN-1")
    assert consultation.closes_at <= utcnow()
    assert [c.kind for c in consultation.deadline_changes] == [DeadlineChangeKind.closed_early]
    event = db.scalar(select(AuditEvent))
    assert (event.action, event.actor_id) == ("consultation.closed_early", signed_in_secas.id)


def test_closing_a_closed_consultation_shows_the_problem(db, get_page):
    factories.make_consultation(db, "CLOSED-1", status="closed")
    page = get_page("/admin/consultations/CLOSED-1/close", method="post")
    # Nothing to fix and nothing to press again: the heading and explanation say why.
    assert normalise(page.select_one("h1").text) == "CLOSED-1 is not open"
    assert normalise(page.select_one("#explanation").text).endswith("there is nothing to close.")
    assert page.select_one(".govuk-error-summary") is None
    assert page.select_one("#confirm") is None
    assert audit_actions(db) == []


# Extend


def test_extend_page_shows_the_current_deadline_and_labelled_fields(db, get_page):
    consultation = factories.make_consultation(db, "OPEN-1")
    page = get_page("/admin/consultations/OPEN-1/extend")
    expected = f"It closes at {_uk(consultation.closes_at)}."
    assert normalise(page.select_one("#current-deadline").text) == expected
    for field in ("closes_date-day", "closes_date-month", "closes_date-year"):
        assert page.select_one(f"label[for={field}]") is not None
    assert normalise(page.select_one("label[for=closes_time]").text) == "New closing time"
    assert normalise(page.select_one("label[for=reason]").text) == "Reason for the change"


def _uk(value: datetime) -> str:
    from consult.filters import uk_datetime

    return uk_datetime(value)


def test_extend_reads_the_time_in_uk_time_and_records_the_reason(db, get_page):
    factories.make_consultation(db, "OPEN-1")
    new_date = (utcnow() + timedelta(days=30)).astimezone(LONDON)
    page = get_page(
        "/admin/consultations/OPEN-1/extend",
        method="post",
        data=extend_form(new_date, "17:00", "Parties asked for more time"),
        follow_redirects=True,
    )
    consultation = reload(db, "OPEN-1")
    local = consultation.closes_at.astimezone(LONDON)
    assert (local.date(), local.hour, local.minute) == (new_date.date(), 17, 0)
    assert consultation.closes_at.tzinfo is not None
    change = consultation.deadline_changes[-1]
    assert (change.kind, change.reason) == (
        DeadlineChangeKind.extended,
        "Parties asked for more time",
    )
    assert banner(page).startswith("Success OPEN-1 is extended: it now closes at 5pm on ")
    assert audit_actions(db) == ["consultation.extended"]


def test_extend_in_summer_converts_british_summer_time_to_utc(db, get_page):
    consultation = factories.make_consultation(db, "OPEN-1")
    year = utcnow().year + 1
    get_page(
        "/admin/consultations/OPEN-1/extend",
        method="post",
        data=extend_form(datetime(year, 6, 28), "17:00"),
        follow_redirects=True,
    )
    assert reload(db, "OPEN-1").closes_at == datetime(year, 6, 28, 16, 0, tzinfo=UTC)
    assert consultation.reference == "OPEN-1"


@pytest.mark.parametrize(
    "typed, hour, minute",
    [
        ("5pm", 17, 0),
        ("5:30 pm", 17, 30),
        ("5.30p.m.", 17, 30),
        ("9am", 9, 0),
        ("12:30am", 0, 30),
        ("12pm", 12, 0),
        ("midday", 12, 0),
        ("17.45", 17, 45),
        ("0930", 9, 30),
        (" 23:59 ", 23, 59),
    ],
)
def test_extend_reads_a_time_as_people_type_it(db, get_page, typed, hour, minute):
    factories.make_consultation(db, "OPEN-1")
    new_date = (utcnow() + timedelta(days=30)).astimezone(LONDON)
    page = get_page(
        "/admin/consultations/OPEN-1/extend",
        method="post",
        data=extend_form(new_date, typed),
        follow_redirects=True,
    )
    local = reload(db, "OPEN-1").closes_at.astimezone(LONDON)
    assert (local.date(), local.hour, local.minute) == (new_date.date(), hour, minute)
    assert banner(page).startswith("Success OPEN-1 is extended")


def test_extending_a_closed_consultation_reopens_it(db, client, get_page):
    factories.make_consultation(db, "CLOSED-1", status="closed")
    new_date = (utcnow() + timedelta(days=10)).astimezone(LONDON)
    page = get_page(
        "/admin/consultations/CLOSED-1/extend",
        method="post",
        data=extend_form(new_date, "12:00", "The papers were published late"),
        follow_redirects=True,
    )
    assert banner(page).startswith("Success CLOSED-1 is reopened")
    consultation = reload(db, "CLOSED-1")
    assert consultation.deadline_changes[-1].kind is DeadlineChangeKind.reopened
    assert audit_actions(db) == ["consultation.reopened"]
    public = get_page("/consultations/CLOSED-1")
    assert "The papers were published late" in normalise(
        public.select_one(".consult-deadline-change").text
    )


def error_messages(page) -> list[str]:
    return [normalise(a.text) for a in page.select(".govuk-error-summary a")]


MIDNIGHT = (
    "The new closing time cannot be midnight, which could be read as the start or the end "
    "of a day: enter 23:59 for the end of the day, or 00:01 for its start"
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"closes_date": ["", "", ""], "closes_time": "", "reason": ""},
            [
                "Enter the new closing date",
                "Enter the new closing time",
                "Enter the reason for the change",
            ],
        ),
        (
            {"closes_date": ["31", "2", "2040"], "closes_time": "17:00", "reason": "x"},
            ["The new closing date must be a real date, for example, 28 6 2017"],
        ),
        (
            {"closes_date": ["1", "", "2040"], "closes_time": "17:00", "reason": "x"},
            ["The new closing date must include a month"],
        ),
        (
            {"closes_date": ["1", "7", "2040"], "closes_time": "17:00pm", "reason": "x"},
            ["Enter the new closing time as a time of day, like 17:00 or 5pm"],
        ),
        (
            {"closes_date": ["1", "7", "2040"], "closes_time": "24:00", "reason": "x"},
            ["Enter the new closing time as a time of day, like 17:00 or 5pm"],
        ),
        (
            {"closes_date": ["1", "7", "2040"], "closes_time": "midnight", "reason": "x"},
            [MIDNIGHT],
        ),
        (
            {"closes_date": ["1", "7", "2040"], "closes_time": "12am", "reason": "x"},
            [MIDNIGHT],
        ),
        (
            {"closes_date": ["1", "7", "2040"], "closes_time": "00:00", "reason": "x"},
            [MIDNIGHT],
        ),
        (
            {"closes_date": ["25", "3", "2029"], "closes_time": "1:30am", "reason": "x"},
            [
                "The new closing time 01:30 on 25 March 2029 does not happen in the UK: the "
                "clocks go forward from 1am to 2am. Enter a time before 1am or from 2am"
            ],
        ),
        (
            {"closes_date": ["28", "10", "2029"], "closes_time": "1:15am", "reason": "x"},
            [
                "The new closing time 01:15 on 28 October 2029 happens twice in the UK: the "
                "clocks go back from 2am to 1am. Enter a time before 1am or from 2am"
            ],
        ),
        (
            {"closes_date": ["1", "7", "2040"], "closes_time": "17:00", "reason": "x" * 2001},
            ["The reason must be 2,000 characters or fewer"],
        ),
    ],
)
def test_extend_form_errors_are_shown_in_an_error_summary(db, get_page, data, expected):
    consultation = factories.make_consultation(db, "OPEN-1")
    closes_at = consultation.closes_at
    page = get_page("/admin/consultations/OPEN-1/extend", method="post", data=data)
    assert page.select_one("title").text.startswith("Error: ")
    assert error_messages(page) == expected
    assert reload(db, "OPEN-1").closes_at == closes_at
    assert audit_actions(db) == []


def test_entered_values_are_kept_after_an_error(db, get_page):
    factories.make_consultation(db, "OPEN-1")
    data = {"closes_date": ["31", "2", "2040"], "closes_time": "17:00", "reason": "More time"}
    page = get_page("/admin/consultations/OPEN-1/extend", method="post", data=data)
    assert page.select_one("#closes_date-day")["value"] == "31"
    assert page.select_one("#closes_time")["value"] == "17:00"
    assert normalise(page.select_one("#reason").text) == "More time"


def test_earlier_deadline_is_refused_with_the_services_message(db, get_page):
    consultation = factories.make_consultation(db, "OPEN-1")
    earlier = (consultation.closes_at - timedelta(days=2)).astimezone(LONDON)
    page = get_page(
        "/admin/consultations/OPEN-1/extend", method="post", data=extend_form(earlier, "09:00")
    )
    assert error_messages(page) == [
        "The new closing date must be after the current one, " + uk_datetime(consultation.closes_at)
    ]
    assert page.select_one(".govuk-error-summary a")["href"] == "#closes_date-day"
    assert db.scalars(select(DeadlineChange)).all() == []


def test_a_draft_cannot_be_extended(db, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    later = (utcnow() + timedelta(days=60)).astimezone(LONDON)
    page = get_page(
        "/admin/consultations/DRAFT-1/extend", method="post", data=extend_form(later, "09:00")
    )
    assert error_messages(page) == ["Publish the consultation before extending its deadline"]


def test_the_close_page_of_a_closed_consultation_offers_nothing_to_press(db, get_page):
    consultation = factories.make_consultation(db, "CLOSED-2", status="closed")
    page = get_page("/admin/consultations/CLOSED-2/close")
    assert normalise(page.select_one("h1").text) == "CLOSED-2 is not open"
    assert normalise(page.select_one("#explanation").text) == (
        f"It closed at {uk_datetime(consultation.closes_at)}: there is nothing to close."
    )
    assert page.select_one("#confirm") is None
    assert page.select_one("#back")["href"].endswith("/CLOSED-2")
