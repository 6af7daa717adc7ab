"""Pages of every role stay readable on a narrow screen and at high zoom (WCAG 1.4.10 Reflow,
1.4.4 Resize text): the page never scrolls sideways, and its heading and main controls are
on screen. A table too wide for the window scrolls inside its own container (GOV.UK's
pattern for wide data tables), never the page; axe-core checks each page at that width too,
so such a container can be reached and scrolled with the keyboard.

Two windows:

- 320 × 640 CSS pixels: a small phone, and what WCAG's reflow criterion asks for (1280 px
  at 400% zoom).
- 200% zoom of a 1280 × 800 window. Zooming divides the CSS pixels a window has by the zoom
  factor, so Chromium lays the page out in 640 × 400 CSS pixels, each drawn as 2 × 2 device
  pixels. That is emulated here exactly as a 640 × 400 viewport with a device scale factor
  of 2: the same layout, media queries and rendering as browser zoom, without driving the
  browser's zoom control, which Playwright cannot reach.
"""

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from consult.db import utcnow
from consult.responses import service as responses
from tests import factories
from tests.browser.conftest import open_page
from tests.browser.helpers import sign_in
from tests.responses_helpers import QUESTIONS, add_sections
from tests.summaries_helpers import REFERENCE, arrange

WINDOWS = {
    "320px": {"viewport": {"width": 320, "height": 640}},
    "zoom-200%": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}

# The page's width, and what pokes out past the window and is not clipped by a scrolling
# container that itself fits (so the failure names the element to fix).
_OVERFLOW = """() => {
  const width = window.innerWidth;
  const fits = (el) => el.getBoundingClientRect().right <= width + 0.5;
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible" && fits(up)) return true;
    }
    return false;
  };
  const culprits = [...document.body.querySelectorAll("*")]
    .filter((el) => !fits(el) && el.getBoundingClientRect().width > 0 && !clipped(el))
    .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${[...el.classList].join(".")}`);
  return {width, scrollWidth: document.documentElement.scrollWidth, culprits};
}"""


@pytest.fixture(params=list(WINDOWS.values()), ids=list(WINDOWS))
def narrow_page(browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a narrow or zoomed window; a screenshot is saved when the test fails."""
    yield from open_page(browser, request, bypass_csp=True, **request.param)


def assert_readable(page: Page, *controls) -> None:
    """No sideways scrolling of the page; the h1 and each control visible and within the
    window's width."""
    measured = page.evaluate(_OVERFLOW)
    assert measured["scrollWidth"] <= measured["width"], (
        f"{page.url} scrolls sideways: {measured['scrollWidth']} px wide in a "
        f"{measured['width']} px window; too wide: {measured['culprits'][:8]}"
    )
    for target in (page.locator("h1"), *controls):
        expect(target).to_be_visible()
        box = target.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= measured["width"] + 0.5, (
            f"{target} is cut off at {page.url}: {box}"
        )


@pytest.fixture
def check(narrow_page: Page, assert_accessible) -> Callable[..., None]:
    """Open a page in the narrow window; assert it is readable and passes axe-core there."""

    def visit(url: str, *controls) -> None:
        narrow_page.goto(url)
        assert_readable(narrow_page, *controls)
        assert_accessible(narrow_page)

    return visit


def test_respondent_pages_reflow(narrow_page, check, base_url, db, respondent):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    add_sections(db, consultation, {"Your view": ["q1", "q2"], "Impact": ["q3", "q4"]})
    factories.make_response(db, consultation, respondent)
    page = narrow_page
    sign_in(page, base_url, respondent)
    respond = f"{base_url}/consultations/SSI-2017/respond"

    check(f"{base_url}/consultations", page.get_by_role("link", name=consultation.title))
    check(
        f"{base_url}/consultations/SSI-2017",
        page.get_by_role("button", name="View or amend your response"),
    )
    check(
        f"{respond}/q1",
        page.get_by_label("Yes"),
        page.get_by_label("Please provide your rationale"),
        page.get_by_role("button", name="Save and continue"),
    )
    check(
        f"{respond}/q3",
        page.get_by_label("What would the impact be on your organisation?"),
        page.locator(".govuk-character-count__status"),  # "You have 500 characters remaining"
    )
    check(
        f"{respond}/check",
        page.get_by_role("link", name="Change your answer to question 1"),
        page.get_by_label("I confirm I am authorised to respond on behalf of British Gas"),
        page.get_by_role("button", name="Submit response"),
    )
    check(
        f"{base_url}/consultations/SSI-2017/response",
        page.get_by_role("button", name="Amend your response"),
        page.get_by_role("region", name="Revision history"),  # the table scrolls inside it
    )
    check(f"{base_url}/responses", page.get_by_role("link", name=consultation.title))


def test_a_word_too_long_for_the_window_wraps_instead_of_widening_the_page(
    narrow_page, check, base_url, db, respondent
):
    word = "W" * 300
    question = {**QUESTIONS[0], "text": f"Do you agree {word}?", "hint": word}
    consultation = factories.make_consultation(db, "LONG-1", title=word, questions=[question])
    consultation.summary = f"Background: {word}"
    db.commit()
    check(f"{base_url}/consultations/LONG-1")
    sign_in(narrow_page, base_url, respondent)
    check(f"{base_url}/consultations/LONG-1/respond/q1", narrow_page.get_by_label("Yes"))


def test_panel_summary_pages_reflow(narrow_page, check, base_url, db, panel):
    arrange(db)
    page = narrow_page
    sign_in(page, base_url, panel)
    summary = f"{base_url}/panel/consultations/{REFERENCE}/summary"
    check(f"{base_url}/panel/consultations")
    # Every wide table scrolls inside a labelled region keyboard users can reach.
    check(
        summary,
        page.locator("#downloads"),
        page.locator("#chart-q1 .consult-chart__svg"),
        page.locator("#all-answers-q1"),
    )
    check(
        f"{summary}/questions/q1",
        page.get_by_label("Party category"),
        page.get_by_label("Option chosen"),
        page.get_by_role("button", name="Show answers"),
    )
    check(f"{summary}/responses/1", page.locator("#answer-q1"), page.locator("#files-heading"))


def test_secas_console_and_builder_reflow(narrow_page, check, base_url, db, secas):
    arranged = arrange(db)
    draft = factories.make_consultation(db, "SSI-2018", status="draft", questions=QUESTIONS)
    add_sections(db, draft, {"Your view": ["q1", "q2"], "Impact": ["q3", "q4"]})
    page = narrow_page
    sign_in(page, base_url, secas)
    admin = f"{base_url}/admin"
    check(f"{admin}/consultations", page.get_by_role("button", name="Create a consultation"))
    check(
        f"{admin}/build/SSI-2018",
        page.get_by_role("link", name="Publish", exact=True),
        page.get_by_role("button", name="Add a question"),
    )
    check(f"{admin}/consultations/{REFERENCE}/responses")
    amended = responses.find_response(
        db, arranged.consultation, arranged.organisations["Western Power"].id
    )
    check(f"{admin}/consultations/{REFERENCE}/responses/{amended.id}")
    check(f"{admin}/organisations", page.get_by_role("button", name="Add an organisation"))
    check(f"{admin}/organisations/{arranged.organisations['SGN'].id}")
    check(f"{admin}/users", page.get_by_role("button", name="Invite a user"))
    check(f"{admin}/outbox")
    check(f"{admin}/audit", page.get_by_role("button", name="Filter", exact=True))


def test_an_answer_refused_at_the_deadline_is_shown_back_readably(
    narrow_page, base_url, db, respondent, assert_accessible
):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    page = narrow_page
    sign_in(page, base_url, respondent)
    page.goto(f"{base_url}/consultations/SSI-2017/respond/q1")
    page.get_by_label("No").check()
    link = "https://example.com/" + "evidence" * 40  # a pasted address, no spaces
    page.get_by_label("Please provide your rationale").fill(f"Our reasons, at length: {link}")
    consultation.closes_at = utcnow()  # the deadline passes while they type
    db.commit()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_have_text("This consultation has closed")
    assert link in page.locator("#not-saved").inner_text()
    assert_readable(page, page.locator("#not-saved"))
    assert_accessible(page)
