"""Lifecycle actions from the builder: publish scheduled or now, confirm extensions, reopen."""

from datetime import timedelta

import pytest

from consult.db import utcnow
from consult.filters import uk_datetime
from consult.models import DeadlineChangeKind
from consult.summaries import publishing
from tests import factories
from tests.admin_builder_helpers import audit_events, banner, error_messages, reload, when
from tests.conftest import empty_descriptions, normalise

pytestmark = pytest.mark.usefixtures("signed_in_secas")


@pytest.fixture
def signed_in_secas(secas, login):
    login(secas)
    return secas


def new_deadline(moment, reason="Parties asked for more time", confirmed=True) -> dict:
    data = {"closes_date": when(moment)["date"], "closes_time": "17:00", "reason": reason}
    if confirmed:
        data["confirmed"] = "yes"
    return data


def test_publish_offers_scheduled_or_now(db, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    page = get_page("/admin/consultations/DRAFT-1/publish")
    assert normalise(page.select_one("legend").text) == "When should it open for responses?"
    assert [i["value"] for i in page.select("input[name=when]")] == ["scheduled", "now"]


def test_the_publish_choice_has_no_empty_hint(db, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    page = get_page("/admin/consultations/DRAFT-1/publish")
    assert empty_descriptions(page) == []
    assert page.select_one("#when-hint") is None


def test_publishing_on_schedule_leaves_it_upcoming(db, get_page):
    consultation = factories.make_consultation(db, "DRAFT-1", status="draft")
    opens_at = consultation.opens_at
    get_page(
        "/admin/consultations/DRAFT-1/publish",
        method="post",
        data={"when": "scheduled"},
        follow_redirects=True,
    )
    stored = reload(db, "DRAFT-1")
    assert stored.opens_at == opens_at
    assert stored.status_at(utcnow()).value == "upcoming"


def test_publishing_now_opens_it_at_once_and_audits_the_opening_time(db, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    page = get_page(
        "/admin/consultations/DRAFT-1/publish",
        method="post",
        data={"when": "now"},
        follow_redirects=True,
    )
    assert banner(page) == "Success DRAFT-1 is published: it is open now."
    stored = reload(db, "DRAFT-1")
    assert stored.status_at(utcnow()).value == "open"
    event = audit_events(db, "consultation.published")[0]
    assert event.detail["before"]["status"] == "draft"
    assert event.detail["after"]["status"] == "open"
    assert event.detail["after"]["opens_at"] != event.detail["before"]["opens_at"]


def test_publishing_needs_a_known_choice(db, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    page = get_page("/admin/consultations/DRAFT-1/publish", method="post", data={"when": "later"})
    assert error_messages(page) == ["Select when it should open"]
    assert reload(db, "DRAFT-1").published_at is None


@pytest.fixture
def without_questions(db):
    consultation = factories.make_consultation(db, "DRAFT-1", status="draft")
    consultation.questions.clear()
    db.commit()
    return consultation


@pytest.fixture
def past_its_closing_date(db):
    consultation = factories.make_consultation(db, "DRAFT-1", status="draft")
    consultation.opens_at = utcnow() - timedelta(days=10)
    consultation.closes_at = utcnow() - timedelta(days=1)
    db.commit()
    return consultation


UNPUBLISHABLE = [
    pytest.param(
        "without_questions", "DRAFT-1 has no questions: add at least one", id="no questions"
    ),
    pytest.param(
        "past_its_closing_date",
        "DRAFT-1’s closing date has passed: change its dates first",
        id="closing date passed",
    ),
]


@pytest.mark.parametrize(("draft", "why"), UNPUBLISHABLE)
def test_the_publish_page_of_an_unpublishable_draft_says_why_with_nothing_to_press(
    request, get_page, draft, why
):
    request.getfixturevalue(draft)
    page = get_page("/admin/consultations/DRAFT-1/publish")
    assert normalise(page.select_one("h1").text) == "DRAFT-1 cannot be published"
    assert normalise(page.select_one("#explanation").text) == why
    assert page.select_one("#confirm") is None
    assert page.select_one("main form") is None
    assert page.select_one("#back")["href"].endswith("/admin/build/DRAFT-1")


@pytest.mark.parametrize(("draft", "why"), UNPUBLISHABLE)
def test_publishing_an_unpublishable_draft_is_refused(request, db, get_page, draft, why):
    request.getfixturevalue(draft)
    page = get_page("/admin/consultations/DRAFT-1/publish", method="post", data={"when": "now"})
    assert normalise(page.select_one("h1").text) == "DRAFT-1 cannot be published"
    assert normalise(page.select_one("#explanation").text) == why
    assert page.select_one("#confirm") is None  # nothing to press again
    assert reload(db, "DRAFT-1").published_at is None
    assert audit_events(db) == []


def test_the_publish_page_of_a_published_consultation_offers_nothing_to_press(db, get_page):
    factories.make_consultation(db, "OPEN-1", status="open")
    page = get_page("/admin/consultations/OPEN-1/publish")
    assert normalise(page.select_one("#explanation").text) == "OPEN-1 is already published"
    assert page.select_one("#confirm") is None


def test_extending_shows_a_confirmation_step_before_changing_anything(db, get_page):
    consultation = factories.make_consultation(db, "OPEN-1")
    closes_at = consultation.closes_at
    later = closes_at + timedelta(days=7)
    data = new_deadline(later, confirmed=False)
    page = get_page("/admin/consultations/OPEN-1/extend", method="post", data=data)
    assert normalise(page.select_one("h1").text) == "Extend the deadline of OPEN-1?"
    rows = [normalise(row.text) for row in page.select("#change .govuk-summary-list__row")]
    assert rows[0] == f"Currently closes {uk_datetime(closes_at)}"
    assert rows[2] == "Reason Parties asked for more time"
    assert page.select_one("input[name=confirmed]")["value"] == "yes"
    assert reload(db, "OPEN-1").closes_at == closes_at
    assert audit_events(db) == []


def press(page, button_id: str) -> dict:
    """What the browser posts when the button is pressed: its form's fields and the button."""
    button = page.select_one(f"#{button_id}")
    form = button.find_parent("form")
    data: dict[str, list[str]] = {}
    for field in form.select("input[name]"):
        data.setdefault(field["name"], []).append(field.get("value", ""))
    data.setdefault(button["name"], []).append(button.get("value", ""))
    return data


@pytest.mark.parametrize(
    ("reference", "status", "action", "heading"),
    [
        ("OPEN-1", "open", "extend", "Extend the deadline of OPEN-1"),
        ("CLOSED-1", "closed", "reopen", "Reopen CLOSED-1"),
    ],
)
def test_change_on_the_confirmation_shows_the_form_as_entered(
    db, get_page, reference, status, action, heading
):
    consultation = factories.make_consultation(db, reference, status=status)
    closes_at = consultation.closes_at
    later = utcnow() + timedelta(days=20)
    url = f"/admin/consultations/{reference}/{action}"
    data = new_deadline(later, reason="Parties asked\nfor more time", confirmed=False)
    data["closes_time"] = "16:45"
    confirmation = get_page(url, method="post", data=data)
    assert normalise(confirmation.select_one("h1").text) == f"{heading}?"
    page = get_page(url, method="post", data=press(confirmation, "change-answers"))
    assert normalise(page.select_one("h1").text) == heading
    assert [
        page.select_one(f"#closes_date-{part}")["value"] for part in ("day", "month", "year")
    ] == (when(later)["date"])
    assert page.select_one("#closes_time")["value"] == "16:45"
    assert page.select_one("#reason").text.strip() == "Parties asked\nfor more time"
    assert page.select_one(".govuk-error-summary") is None
    assert reload(db, reference).closes_at == closes_at
    assert audit_events(db) == []


@pytest.mark.parametrize(
    ("reference", "status", "action"),
    [("OPEN-1", "open", "extend"), ("CLOSED-1", "closed", "reopen")],
)
def test_a_new_closing_dates_problem_links_to_its_day_box(db, get_page, reference, status, action):
    factories.make_consultation(db, reference, status=status)
    data = {"closes_date": ["", "", ""], "closes_time": "17:00", "reason": "More time"}
    page = get_page(f"/admin/consultations/{reference}/{action}", method="post", data=data)
    [link] = page.select(".govuk-error-summary__list a")
    assert (normalise(link.text), link["href"]) == (
        "Enter the new closing date",
        "#closes_date-day",
    )
    assert page.select_one("#closes_date-day").name == "input"


def test_an_extension_is_shown_publicly_with_both_dates_and_the_reason(db, get_page):
    consultation = factories.make_consultation(db, "OPEN-1")
    before = consultation.closes_at
    get_page(
        "/admin/consultations/OPEN-1/extend",
        method="post",
        data=new_deadline(before + timedelta(days=7)),
        follow_redirects=True,
    )
    after = reload(db, "OPEN-1").closes_at
    public = get_page("/consultations/OPEN-1")
    change = normalise(public.select_one(".consult-deadline-change").text)
    assert f"Deadline extended from {uk_datetime(before)} to {uk_datetime(after)}" in change
    assert "Reason: Parties asked for more time" in change
    event = audit_events(db, "consultation.extended")[0]
    assert event.detail["before"] == {"closes_at": before.isoformat()}
    assert event.detail["after"] == {"closes_at": after.isoformat()}


def test_reopening_a_closed_consultation_needs_a_reason_and_confirmation(db, get_page):
    factories.make_consultation(db, "CLOSED-1", status="closed")
    later = utcnow() + timedelta(days=10)
    page = get_page("/admin/consultations/CLOSED-1/reopen")
    assert normalise(page.select_one("h1").text) == "Reopen CLOSED-1"
    page = get_page(
        "/admin/consultations/CLOSED-1/reopen", method="post", data=new_deadline(later, reason="")
    )
    assert error_messages(page) == ["Enter the reason for the change"]
    page = get_page(
        "/admin/consultations/CLOSED-1/reopen",
        method="post",
        data=new_deadline(later, reason="Papers were late"),
        follow_redirects=True,
    )
    assert banner(page).startswith("Success CLOSED-1 is reopened: it now closes at 5pm on ")
    stored = reload(db, "CLOSED-1")
    assert stored.status_at(utcnow()).value == "open"
    assert stored.deadline_changes[-1].kind is DeadlineChangeKind.reopened
    assert stored.deadline_changes[-1].reason == "Papers were late"


def test_reopening_takes_down_what_respondents_said_until_published_again(
    db, get_page, signed_in_secas, respondent
):
    consultation = factories.make_consultation(db, "CLOSED-1", status="closed")
    factories.make_response(db, consultation, respondent)
    publishing.publish(db, consultation, user=signed_in_secas, now=utcnow())
    db.commit()
    url = "/admin/consultations/CLOSED-1/reopen"
    warning = normalise(get_page(url).select_one("#summary-taken-down").text)
    assert "Reopening takes it down" in warning
    get_page(
        url, method="post", data=new_deadline(utcnow() + timedelta(days=5)), follow_redirects=True
    )
    public = get_page("/consultations/CLOSED-1")
    assert public.select_one("#what-respondents-said") is None
    panel = {
        normalise(row.select_one("td").text): normalise(row.select("td")[-1].text)
        for row in get_page("/panel/consultations").select("#summaries tbody tr")
    }
    assert panel == {"CLOSED-1": "No"}
    summary = get_page("/panel/consultations/CLOSED-1/summary")
    assert normalise(summary.select_one("#published-status").text) == (
        "You can publish what respondents said on the public page once the consultation closes."
    )
    [event] = audit_events(db, "summary.withdrawn")
    assert event.detail["reason"] == "The consultation was reopened"


def test_an_open_consultation_cannot_be_reopened(db, get_page):
    consultation = factories.make_consultation(db, "OPEN-1")
    later = consultation.closes_at + timedelta(days=3)
    page = get_page("/admin/consultations/OPEN-1/reopen", method="post", data=new_deadline(later))
    assert error_messages(page) == ["OPEN-1 is not closed, so it cannot be reopened"]


def test_the_overview_offers_the_actions_that_fit_the_status(db, get_page):
    for status in ("draft", "open", "closed"):
        factories.make_consultation(db, f"{status.upper()}-1", status=status)
    links = {
        status: [
            normalise(a.text)
            for a in get_page(f"/admin/build/{status.upper()}-1").select("#lifecycle a")
        ]
        for status in ("draft", "open", "closed")
    }
    assert links["draft"][0] == "Publish"
    assert links["open"][:2] == ["Close now", "Extend the deadline"]
    assert links["closed"][0] == "Reopen"


def test_close_now_confirmation_returns_to_the_overview(db, get_page):
    factories.make_consultation(db, "OPEN-1")
    page = get_page("/admin/consultations/OPEN-1/close", method="post", follow_redirects=True)
    assert normalise(page.select_one("h1").text) == "Changing the end date of the SSI variations"
    assert banner(page) == "Success OPEN-1 is closed."


def test_the_overview_links_to_who_has_responded_once_published(db, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    factories.make_consultation(db, "OPEN-1")
    assert get_page("/admin/build/DRAFT-1").select_one("#see-responses") is None
    link = get_page("/admin/build/OPEN-1").select_one("#see-responses")
    assert normalise(link.text) == "See who has responded"
    page = get_page(link["href"])
    assert normalise(page.select_one("h1").text) == "Responses to OPEN-1"
