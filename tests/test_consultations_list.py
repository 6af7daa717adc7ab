"""The public list of consultations: published ones only, filtered by status."""

from datetime import UTC, datetime

import pytest

from tests import factories
from tests.conftest import normalise


@pytest.fixture
def consultations(db):
    """One consultation in each state."""
    return {
        status: factories.make_consultation(db, f"{status.upper()}-1", status=status, title=title)
        for status, title in [
            ("draft", "A draft nobody should see"),
            ("upcoming", "Upcoming consultation"),
            ("open", "Open consultation"),
            ("closed", "Closed consultation"),
        ]
    }


def titles(page) -> list[str]:
    return [normalise(link.text) for link in page.select(".consult-consultation h2 a")]


def test_list_shows_every_published_consultation_and_no_draft(get_page, consultations):
    page = get_page("/consultations")
    assert sorted(titles(page)) == [
        "Closed consultation",
        "Open consultation",
        "Upcoming consultation",
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("open", ["Open consultation"]),
        ("upcoming", ["Upcoming consultation"]),
        ("closed", ["Closed consultation"]),
    ],
)
def test_list_filters_by_status(get_page, consultations, status, expected):
    page = get_page(f"/consultations?status={status}")
    assert titles(page) == expected
    assert normalise(page.select_one("h1").text) == f"{status.capitalize()} consultations"
    current = page.select_one(".consult-status-filter [aria-current=page]")
    assert normalise(current.text) == status.capitalize()


def test_draft_status_is_not_a_public_filter(get_page, consultations):
    page = get_page("/consultations?status=draft", status=400)
    assert normalise(page.select_one("h1").text) == "There are no consultations with that status"
    assert "A draft nobody should see" not in page.text


def test_unknown_status_gets_a_clear_message_not_an_error(get_page, consultations):
    page = get_page("/consultations?status=<script>", status=400)
    assert "Choose open, upcoming or closed" in normalise(page.text)


def test_each_item_links_to_its_page_with_reference_kind_and_status(get_page, consultations):
    page = get_page("/consultations?status=open")
    item = page.select_one(".consult-consultation")
    assert item.select_one("h2 a")["href"] == "/consultations/OPEN-1"
    assert normalise(item.select_one(".consult-consultation__reference").text) == "OPEN-1"
    assert normalise(item.select_one(".consult-consultation__kind").text) == "Panel consultation"
    assert normalise(item.select_one(".govuk-tag").text) == "Open"


def test_closing_time_is_shown_in_london_time(db, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", status="closed")
    consultation.opens_at = datetime(2017, 6, 7, 8, 0, tzinfo=UTC)
    consultation.closes_at = datetime(2017, 6, 21, 16, 0, tzinfo=UTC)
    db.commit()
    page = get_page("/consultations?status=closed")
    date = page.select_one(".consult-consultation__date")
    assert normalise(date.text) == "Closed 5pm on 21 June 2017"


def test_open_and_upcoming_items_say_when_they_close_or_open(get_page, consultations):
    open_page = get_page("/consultations?status=open")
    assert normalise(open_page.select_one(".consult-consultation__date").text).startswith("Closes ")
    upcoming_page = get_page("/consultations?status=upcoming")
    assert normalise(upcoming_page.select_one(".consult-consultation__date").text).startswith(
        "Opens "
    )


def test_empty_filter_says_there_are_none(get_page):
    page = get_page("/consultations?status=upcoming")
    assert normalise(page.select_one(".consult-empty").text) == (
        "There are no upcoming consultations at the moment."
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, ["Consultations"]),
        ("respondent", ["Consultations", "Your responses"]),
        ("panel", ["Consultations", "Summaries"]),
        (
            "secas",
            [
                "Consultations",
                "Summaries",
                "Manage consultations",
                "Organisations",
                "Users",
                "Outbox",
                "Audit log",
            ],
        ),
    ],
)
def test_header_links_to_what_each_role_can_do(request, get_page, login, who, expected):
    if who:
        login(request.getfixturevalue(who))
    page = get_page("/consultations")
    links = page.select(".govuk-service-navigation__list > li > a")
    account = {"Sign in", "Your account"}
    assert [normalise(a.text) for a in links if normalise(a.text) not in account] == expected
