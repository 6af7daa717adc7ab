"""SECAS publishes "What respondents said" on a closed consultation's public page (the
public version: confidential respondents anonymised), with a confirmation, audited, and can
withdraw it."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.db import utcnow
from consult.filters import uk_datetime
from consult.models import AuditEvent, Consultation, LateAllowance, PartyCategory
from tests import factories
from tests.conftest import normalise
from tests.summaries_helpers import (
    CONFIDENTIAL,
    NOT_COUNTED,
    REFERENCE,
    answers,
    respondent_of,
    table_rows,
)

PUBLISH = f"/panel/consultations/{REFERENCE}/summary/publish"
WITHDRAW = f"/panel/consultations/{REFERENCE}/summary/withdraw"
PUBLIC_PAGE = f"/consultations/{REFERENCE}"


@pytest.fixture
def as_secas(login, secas):
    login(secas)
    return secas


@pytest.fixture
def published(client, arranged, as_secas):
    assert client.post(PUBLISH).status_code == 302
    return arranged


def _reload(db, reference: str = REFERENCE) -> Consultation:
    db.expire_all()
    return db.scalar(select(Consultation).where(Consultation.reference == reference))


def _actions(db) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_summary_offers_secas_to_publish_a_closed_consultation(get_page, arranged, as_secas):
    page = get_page(f"/panel/consultations/{REFERENCE}/summary")
    assert page.select_one("#publish-summary")["href"] == PUBLISH


def test_panel_members_are_not_offered_publishing(get_page, arranged, login, panel):
    login(panel)
    page = get_page(f"/panel/consultations/{REFERENCE}/summary")
    assert page.select_one("#publishing") is None


def test_publishing_asks_for_confirmation_first(get_page, db, arranged, as_secas):
    page = get_page(PUBLISH)
    assert normalise(page.select_one("h1").text) == "Publish what respondents said"
    assert "confidential respondents anonymised" in normalise(page.select_one("#explanation").text)
    assert _reload(db).summary_published_at is None


def test_publishing_warns_of_a_confidential_respondent_its_category_gives_away(
    get_page, db, arranged, as_secas
):
    # Octopus Energy, confidential, is the only Small Supplier: "Confidential respondent
    # (Small Supplier)" names it. EDF Energy is one of two Large Suppliers.
    url = f"/panel/consultations/{REFERENCE}/summary/publish"
    warning = normalise(get_page(url).select_one("#identifiable").text)
    assert warning == (
        "! Warning Readers may tell who some confidential respondents are. “Confidential "
        "respondent (Small Supplier)” names the only active organisation of its category in "
        "Consult."
    )
    gone = factories.make_organisation(db, "Bulb Energy", PartyCategory.small_supplier)
    gone.active = False  # no longer a party: it hides no one
    db.commit()
    assert get_page(url).select_one("#identifiable") is not None
    factories.make_organisation(db, "Good Energy", PartyCategory.small_supplier)
    assert get_page(url).select_one("#identifiable") is None


def test_the_warning_names_each_category_that_gives_one_away(get_page, db, arranged, as_secas):
    meter_maker = respondent_of(db, "Landis+Gyr", PartyCategory.other_sec_party)
    while_open = arranged.consultation.closes_at - timedelta(hours=2)
    factories.make_response(
        db,
        arranged.consultation,
        meter_maker,
        answers("Yes", "Ok."),
        confidential=True,
        now=while_open,
    )
    url = f"/panel/consultations/{REFERENCE}/summary/publish"
    assert normalise(get_page(url).select_one("#identifiable").text) == (
        "! Warning Readers may tell who some confidential respondents are. “Confidential "
        "respondent (Small Supplier)” and “Confidential respondent (Other SEC Party)” each "
        "name the only active organisation of their category in Consult."
    )


def test_publishing_shows_it_on_the_public_page_and_is_audited(client, get_page, db, published):
    assert _reload(db).summary_published_at is not None
    assert "summary.published" in _actions(db)
    page = get_page(f"/panel/consultations/{REFERENCE}/summary")
    assert "consultation’s public page since" in normalise(
        page.select_one("#published-status").text
    )


def test_public_page_shows_what_respondents_said_anonymised(client, get_page, published):
    client.post("/auth/logout")
    page = get_page(PUBLIC_PAGE)
    section = page.select_one("#what-respondents-said")
    assert normalise(section.select_one("h2").text) == "What respondents said"
    assert table_rows(page, "published-respondents-by-category")[-1] == ["Total", "5"]
    assert table_rows(page, "tally-q1")[0] == ["Yes", "2", "0", "1", "0", "0", "0", "0", "3"]
    assert page.select_one("#chart-q1 svg") is not None
    names = [row[0] for row in table_rows(page, "published-answers-q1")]
    assert names == [
        "British Gas",
        "Confidential respondent (Small Supplier)",
        "Western Power",
        "SGN Late",
        "Confidential respondent (Large Supplier)",
    ]
    text = normalise(section.text)
    for hidden in [*CONFIDENTIAL, *NOT_COUNTED, "Draft view."]:
        assert hidden not in text
    assert not section.select(".consult-tag-confidential")


def test_public_answers_page_filters_the_published_answers(client, get_page, published):
    client.post("/auth/logout")
    page = get_page(PUBLIC_PAGE)
    link = page.select_one("#published-all-answers-q1")["href"]
    answers = get_page(link + "?option=No")
    assert [row[0] for row in table_rows(answers, "answers")] == [
        "Confidential respondent (Small Supplier)",
        "SGN Late",
    ]
    for name in CONFIDENTIAL:
        assert name not in normalise(answers.select_one("main").text)


def test_public_pages_never_link_to_the_panels_pages(client, get_page, published):
    client.post("/auth/logout")
    page = get_page(PUBLIC_PAGE)
    answers = get_page(page.select_one("#published-all-answers-q1")["href"])
    for shown in (page, answers):
        links = [a["href"] for a in shown.select("a[href]")]
        assert not [link for link in links if link.startswith("/panel/")]


def test_public_answers_page_rejects_bad_filters_clearly(client, get_page, published):
    page = get_page(f"{PUBLIC_PAGE}/what-respondents-said/q1?category=martians", status=400)
    assert "There is no party category" in normalise(page.select_one("main").text)


def test_unpublished_summary_is_not_on_the_public_page(client, get_page, arranged):
    page = get_page(PUBLIC_PAGE)
    assert page.select_one("#what-respondents-said") is None
    get_page(f"{PUBLIC_PAGE}/what-respondents-said/q1", status=404)


def test_an_open_consultation_cannot_be_published(get_page, db, as_secas):
    factories.make_consultation(db, "OPEN-1", status="open")
    url = "/panel/consultations/OPEN-1/summary/publish"
    asked = get_page(url)
    assert "only once the consultation has closed" in normalise(asked.select_one("#refusal").text)
    assert asked.select_one("#confirm") is None, "a button that can only fail"

    page = get_page(url, method="post", status=400)
    message = normalise(page.select_one(".govuk-error-summary").text)
    assert "only once the consultation has closed" in message
    assert page.select_one(".govuk-error-summary a")["href"] == "#refusal"
    assert page.select_one("title").text.startswith("Error: ")
    assert _reload(db, "OPEN-1").summary_published_at is None


def test_nothing_published_offers_nothing_to_withdraw(get_page, db, arranged, as_secas):
    page = get_page(WITHDRAW)
    assert "nothing to withdraw" in normalise(page.select_one("#refusal").text)
    assert page.select_one("#confirm") is None


def test_publishing_twice_is_refused(get_page, published):
    page = get_page(PUBLISH, method="post", status=400)
    assert "already published" in normalise(page.select_one(".govuk-error-summary").text)


def test_withdrawing_takes_it_off_the_public_page_and_is_audited(client, get_page, db, published):
    assert normalise(get_page(WITHDRAW).select_one("h1").text) == "Withdraw what respondents said"
    assert client.post(WITHDRAW).status_code == 302
    assert _reload(db).summary_published_at is None
    assert _actions(db)[-2:] == ["summary.published", "summary.withdrawn"]
    assert get_page(PUBLIC_PAGE).select_one("#what-respondents-said") is None


def test_panel_members_may_not_publish(client, db, arranged, login, panel):
    login(panel)
    assert client.post(PUBLISH).status_code == 403
    assert _reload(db).summary_published_at is None


def test_publishing_form_carries_a_csrf_token(get_page, arranged, as_secas):
    page = get_page(PUBLISH)
    assert page.select_one("form input[name=csrf_token]") is not None


def test_publishing_warns_of_late_allowances_still_in_force(get_page, db, arranged, as_secas):
    until = utcnow() + timedelta(days=3)
    for allowance in db.scalars(select(LateAllowance)):
        allowance.until = utcnow() - timedelta(hours=1)
    factories.grant_late_allowance(
        db, arranged.consultation, arranged.organisations["Citizens Advice"], until
    )
    page = get_page(PUBLISH)
    assert normalise(page.select_one("#late-warning").text) == (
        "! Warning Late allowances are still in force (Citizens Advice until "
        f"{uk_datetime(until)}). A response submitted under one after you publish will change "
        "what the public page shows."
    )


def test_publishing_gives_no_late_warning_once_allowances_have_ended(
    get_page, db, arranged, as_secas
):
    for allowance in db.scalars(select(LateAllowance)):
        allowance.until = utcnow() - timedelta(hours=1)
    db.commit()
    assert get_page(PUBLISH).select_one("#late-warning") is None
