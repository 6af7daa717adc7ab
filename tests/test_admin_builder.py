"""The builder: creating, editing and duplicating a consultation's details."""

from datetime import UTC, datetime

import pytest

from consult.db import utcnow
from consult.models import ConsultationKind, Section
from tests import factories
from tests.admin_builder_helpers import (
    audit_events,
    banner,
    details_form,
    error_messages,
    from_page,
    reload,
    shown_form,
)
from tests.conftest import empty_descriptions, normalise, scrolling_tables

pytestmark = pytest.mark.usefixtures("signed_in_secas")
# A year ahead: in British Summer Time, and within the years ahead a date may be set.
NEXT_YEAR = utcnow().year + 1


@pytest.fixture
def signed_in_secas(secas, login):
    login(secas)
    return secas


def test_the_list_links_to_creating_and_copying(get_page):
    page = get_page("/admin/consultations")
    assert page.select_one("#create")["href"] == "/admin/build/new"
    assert page.select_one("#duplicate")["href"] == "/admin/build/duplicate"


def test_the_details_form_labels_every_control(get_page):
    page = get_page("/admin/build/new")
    for name in ("reference", "title", "modification", "summary", "opens_time", "closes_time"):
        assert page.select_one(f"label[for={name}]") is not None, name
    legends = [normalise(legend.text) for legend in page.select("legend")]
    assert legends == ["Type of consultation", "Opening date", "Closing date"]


@pytest.mark.parametrize("url", ["/admin/build/new", "/admin/build/duplicate"])
def test_no_control_is_described_by_an_empty_hint(get_page, url):
    page = get_page(url)
    assert empty_descriptions(page) == []
    assert [hint["id"] for hint in page.select(".govuk-hint") if not hint.text.strip()] == []


def test_the_overviews_tables_scroll_sideways_by_keyboard(db, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", status="draft")
    consultation.sections.append(Section(title="Background", position=1))
    db.commit()
    page = get_page("/admin/build/SSI-2017")
    assert scrolling_tables(page) == [("region", "Sections", "0"), ("region", "Questions", "0")]


def test_creating_a_consultation_makes_a_draft_in_uk_time(db, signed_in_secas, get_page):
    data = details_form(
        "SECMP0035-MRC",
        kind="modification_report",
        modification="SECMP0035",
        opens_date=["7", "6", str(NEXT_YEAR)],
        closes_date=["21", "6", str(NEXT_YEAR)],
    )
    page = get_page("/admin/build/new", method="post", data=data, follow_redirects=True)
    assert banner(page).startswith("Success SECMP0035-MRC is created as a draft")
    consultation = reload(db, "SECMP0035-MRC")
    assert consultation.published_at is None
    assert consultation.kind is ConsultationKind.modification_report
    assert consultation.modification == "SECMP0035"
    # British Summer Time: 9am and 5pm in London are 8am and 4pm UTC.
    assert consultation.opens_at == datetime(NEXT_YEAR, 6, 7, 8, 0, tzinfo=UTC)
    assert consultation.closes_at == datetime(NEXT_YEAR, 6, 21, 16, 0, tzinfo=UTC)
    event = audit_events(db)[0]
    assert (event.action, event.actor_id) == ("consultation.created", signed_in_secas.id)
    assert event.detail["after"]["reference"] == "SECMP0035-MRC"


def test_the_overview_renders_the_summary_markdown_safely(db, get_page):
    data = details_form(summary="**Bold** <script>alert(1)</script>")
    page = get_page("/admin/build/new", method="post", data=data, follow_redirects=True)
    summary = page.select_one("#summary")
    assert summary.select_one("strong").text == "Bold"
    assert summary.select_one("script") is None


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"reference": "", "title": "", "kind": ""},
            ["Enter the reference", "Enter the title", "Select the type of consultation"],
        ),
        (
            {"reference": "SSI 2017/../x"},
            ["The reference must contain only letters, digits and hyphens"],
        ),
        (
            {"opens_date": ["31", "2", "2040"]},
            ["The opening date must be a real date, for example, 7 6 2017"],
        ),
        ({"closes_time": "17"}, ["Enter the closing time as a time of day, like 17:00 or 5pm"]),
        (
            {"opens_date": ["1", "7", "2040"], "closes_date": ["1", "6", "2040"]},
            ["The closing date must be after the opening date"],
        ),
        ({"kind": "nonsense"}, ["Not a valid choice."]),
        ({"summary": "x" * 50_001}, ["The summary must be 50,000 characters or fewer"]),
    ],
)
def test_bad_details_are_explained_and_nothing_is_created(db, get_page, overrides, expected):
    page = get_page("/admin/build/new", method="post", data=details_form(**overrides))
    assert page.select_one("title").text.startswith("Error: ")
    assert error_messages(page) == expected
    assert audit_events(db) == []


EMPTY_DETAILS = {
    "reference": "",
    "title": "",
    "opens_date": ["", "", ""],
    "opens_time": "",
    "closes_date": ["", "", ""],
    "closes_time": "",
}
DATES_ERRORS = [
    "Enter the opening date",
    "Enter the opening time",
    "Enter the closing date",
    "Enter the closing time",
]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/admin/build/new",
            ["Enter the reference", "Enter the title", "Select the type of consultation"]
            + DATES_ERRORS,
        ),
        (
            "/admin/build/duplicate",
            ["Select the consultation to copy", "Enter the reference", "Enter the title"]
            + DATES_ERRORS,
        ),
    ],
)
def test_the_error_summary_follows_the_order_of_the_page(get_page, url, expected):
    page = get_page(url, method="post", data=EMPTY_DETAILS | {"source": ""})
    assert error_messages(page) == expected
    targets = [a["href"][1:] for a in page.select(".govuk-error-summary__list a")]
    on_the_page = [tag["id"] for tag in page.select("main [id]") if tag["id"] in targets]
    assert targets == on_the_page


@pytest.mark.parametrize("url", ["/admin/build/new", "/admin/build/duplicate"])
def test_a_dates_problem_links_to_its_day_box(get_page, url):
    page = get_page(url, method="post", data=EMPTY_DETAILS | {"source": ""})
    links = {normalise(a.text): a["href"] for a in page.select(".govuk-error-summary__list a")}
    assert links["Enter the opening date"] == "#opens_date-day"
    assert links["Enter the closing date"] == "#closes_date-day"
    assert page.select_one("#opens_date-day").name == "input"


def test_a_reference_in_use_is_refused_whatever_its_case(db, get_page):
    factories.make_consultation(db, "SSI-2017")
    page = get_page("/admin/build/new", method="post", data=details_form("ssi-2017"))
    assert error_messages(page) == ["A consultation with reference SSI-2017 already exists"]


def test_editing_details_shows_current_values_in_uk_time(db, get_page):
    consultation = factories.make_consultation(db, "DRAFT-1", status="draft")
    consultation.opens_at = datetime(2040, 1, 7, 9, 30, tzinfo=UTC)
    consultation.closes_at = datetime(2040, 1, 21, 17, 0, tzinfo=UTC)
    db.commit()
    page = get_page("/admin/build/DRAFT-1/details")
    assert page.select_one("#reference")["value"] == "DRAFT-1"
    assert page.select_one("#opens_date-day")["value"] == "7"
    assert page.select_one("#opens_time")["value"] == "09:30"
    assert page.select_one("input[name=kind][checked]")["value"] == "panel_consultation"


def test_editing_details_audits_before_and_after(db, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    data = details_form("DRAFT-1", title="A better title")
    data = from_page(get_page, "/admin/build/DRAFT-1/details", data)
    get_page("/admin/build/DRAFT-1/details", method="post", data=data, follow_redirects=True)
    assert reload(db, "DRAFT-1").title == "A better title"
    event = audit_events(db, "consultation.edited")[0]
    assert event.detail["before"]["title"] == "Changing the end date of the SSI variations"
    assert event.detail["after"]["title"] == "A better title"


def test_a_published_consultation_keeps_its_reference(db, get_page):
    factories.make_consultation(db, "OPEN-1", status="open")
    data = from_page(get_page, "/admin/build/OPEN-1/details", details_form("OPEN-2"))
    page = get_page("/admin/build/OPEN-1/details", method="post", data=data)
    assert error_messages(page) == [
        "The reference cannot change once published: people have its address"
    ]
    assert reload(db, "OPEN-2") is None


def test_an_open_consultations_dates_change_only_through_the_lifecycle(db, get_page):
    factories.make_consultation(db, "OPEN-1", status="open")
    data = from_page(get_page, "/admin/build/OPEN-1/details", details_form("OPEN-1"))
    page = get_page("/admin/build/OPEN-1/details", method="post", data=data)
    assert "only by closing, extending or reopening" in error_messages(page)[0]


@pytest.mark.parametrize("lifecycle", ["publish now", "close now"])
def test_a_typo_can_be_fixed_after_publishing_now_or_closing_now(db, get_page, lifecycle):
    # Both set a date to the moment the button was pressed, seconds and all, while the
    # form shows (and sends back) hours and minutes.
    factories.make_consultation(
        db, "SSI-2017", status="draft" if lifecycle == "publish now" else "open"
    )
    if lifecycle == "publish now":
        url, data = "/admin/consultations/SSI-2017/publish", {"when": "now"}
    else:
        url, data = "/admin/consultations/SSI-2017/close", {}
    get_page(url, method="post", data=data, follow_redirects=True)
    before = reload(db, "SSI-2017")
    opens_at, closes_at = before.opens_at, before.closes_at
    data = shown_form(get_page("/admin/build/SSI-2017/details")) | {
        "title": "Changing the SSI end date"
    }
    page = get_page(
        "/admin/build/SSI-2017/details", method="post", data=data, follow_redirects=True
    )
    assert error_messages(page) == []
    assert banner(page) == "Success The details are saved."
    after = reload(db, "SSI-2017")
    assert after.title == "Changing the SSI end date"
    assert (after.opens_at, after.closes_at) == (opens_at, closes_at)  # to the second


def test_a_closed_consultations_dates_still_do_not_change_by_editing(db, get_page):
    factories.make_consultation(db, "CLOSED-1", status="closed")
    data = shown_form(get_page("/admin/build/CLOSED-1/details")) | {"closes_time": "18:00"}
    page = get_page("/admin/build/CLOSED-1/details", method="post", data=data)
    assert "only by closing, extending or reopening" in error_messages(page)[0]


def test_duplicating_copies_summary_sections_and_questions_into_a_new_draft(db, get_page):
    source = factories.make_consultation(db, "SECMP0035", status="closed")
    section = Section(position=1, title="The proposal")
    source.sections.append(section)
    source.questions[0].section = section
    db.commit()
    data = details_form("SECMP0036", title="The next one")
    del data["kind"], data["summary"], data["modification"]
    data["source"] = "SECMP0035"
    page = get_page("/admin/build/duplicate", method="post", data=data, follow_redirects=True)
    assert banner(page) == "Success SECMP0036 is a new draft copied from SECMP0035."
    copy = reload(db, "SECMP0036")
    assert copy.published_at is None
    assert copy.title == "The next one"
    assert copy.summary == source.summary
    assert [(q.key, q.text) for q in copy.questions] == [
        (q.key, q.text) for q in reload(db, "SECMP0035").questions
    ]
    assert [s.title for s in copy.sections] == ["The proposal"]
    assert copy.questions[0].section.title == "The proposal"
    assert audit_events(db, "consultation.duplicated")[0].detail["before"] == {
        "source": "SECMP0035"
    }


def test_duplicating_needs_a_source_and_a_new_reference(db, get_page):
    factories.make_consultation(db, "SECMP0035")
    data = details_form("SECMP0035")
    data["source"] = ""
    page = get_page("/admin/build/duplicate", method="post", data=data)
    assert "Select the consultation to copy" in error_messages(page)
    data["source"] = "SECMP0035"
    page = get_page("/admin/build/duplicate", method="post", data=data)
    assert error_messages(page) == ["A consultation with reference SECMP0035 already exists"]


def test_duplicate_page_preselects_the_source_from_the_overview_link(db, get_page):
    factories.make_consultation(db, "SECMP0035")
    page = get_page("/admin/build/duplicate?from=SECMP0035")
    assert page.select_one("#source option[selected]")["value"] == "SECMP0035"


def test_dates_in_the_wrong_order_are_shown_on_the_closing_date(db, get_page):
    data = details_form(opens_date=["1", "7", "2040"], closes_date=["1", "6", "2040"])
    page = get_page("/admin/build/new", method="post", data=data)
    links = [a["href"] for a in page.select(".govuk-error-summary__list a")]
    assert links == ["#closes_date-day"]
    assert page.select_one("#closes_date-error") is not None
