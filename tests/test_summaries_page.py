"""The Panel's summary page: figures, tallies, answers, versions, and who may see it."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from consult.filters import uk_datetime
from consult.models import PartyCategory
from tests import factories
from tests.conftest import normalise
from tests.summaries_helpers import (
    CONFIDENTIAL,
    COUNTED,
    NOT_COUNTED,
    REFERENCE,
    arrange,
    respondent_of,
    summary_url,
    table_head,
    table_rows,
)


@pytest.fixture
def arranged(db):
    return arrange(db)


@pytest.fixture
def as_panel(login, panel):
    login(panel)
    return panel


def test_page_counts_respondents_by_party_category(get_page, arranged, as_panel):
    page = get_page(summary_url())
    assert table_rows(page, "respondents-by-category") == [
        ["Large Supplier", "2"],
        ["Small Supplier", "1"],
        ["Electricity Network", "1"],
        ["Gas Network", "1"],
        ["Other SEC Party", "0"],
        ["DCC", "0"],
        ["Non-SEC Party", "0"],
        ["Total", "5"],
    ]


def test_page_counts_confidential_and_late_responses(get_page, arranged, as_panel):
    page = get_page(summary_url())
    rows = page.select("#response-counts .govuk-summary-list__row")
    counts = {normalise(r.select_one("dt").text): normalise(r.select_one("dd").text) for r in rows}
    assert counts == {"Responses": "5", "Confidential": "2", "Late": "1"}


def test_single_choice_tally_counts_the_latest_revision_by_category(get_page, arranged, as_panel):
    page = get_page(summary_url())
    assert table_head(page, "tally-q1") == [
        "Option",
        "Large Supplier",
        "Small Supplier",
        "Electricity Network",
        "Gas Network",
        "Other SEC Party",
        "DCC",
        "Non-SEC Party",
        "Total",
    ]
    assert table_rows(page, "tally-q1") == [
        ["Yes", "2", "0", "1", "0", "0", "0", "0", "3"],
        ["No", "0", "1", "0", "1", "0", "0", "0", "2"],
        ["Total", "2", "1", "1", "1", "0", "0", "0", "5"],
    ]


def test_multiple_choice_tally_counts_every_option_chosen(get_page, arranged, as_panel):
    page = get_page(summary_url())
    assert table_rows(page, "tally-q2") == [
        ["Metering", "1", "0", "1", "0", "0", "0", "0", "2"],
        ["Billing", "1", "1", "0", "0", "0", "0", "0", "2"],
        ["Customer service", "1", "0", "0", "0", "0", "0", "0", "1"],
        ["Total", "3", "1", "1", "0", "0", "0", "0", "5"],
    ]


def test_text_question_has_no_tally(get_page, arranged, as_panel):
    page = get_page(summary_url())
    assert page.select_one("#tally-q3") is None


def test_rationales_are_attributed_and_tagged_in_the_panel_version(get_page, arranged, as_panel):
    page = get_page(summary_url())
    assert table_head(page, "answers-q1") == ["Respondent", "Category", "Answer", "Rationale"]
    assert table_rows(page, "answers-q1") == [
        ["British Gas", "Large Supplier", "Yes", "We support the new date."],
        [
            "Octopus Energy Confidential",
            "Small Supplier",
            "No",
            '=HYPERLINK("http://evil.example")',
        ],
        ["Western Power", "Electricity Network", "Yes", "Changed our mind."],
        ["SGN Late", "Gas Network", "No", "Our systems need longer. Second line."],
        ["EDF Energy Confidential", "Large Supplier", "Yes", "Agreed."],
    ]
    tags = [normalise(t.text) for t in page.select("#answers-q1 .govuk-tag")]
    assert tags == ["Confidential", "Late", "Confidential"]


def test_text_answers_list_only_respondents_who_answered(get_page, arranged, as_panel):
    page = get_page(summary_url())
    assert table_rows(page, "answers-q3") == [
        ["British Gas", "Large Supplier", "No further comments."],
        ["EDF Energy Confidential", "Large Supplier", "Thanks."],
    ]


def test_drafts_withdrawn_and_earlier_revisions_never_appear(get_page, arranged, as_panel):
    text = normalise(get_page(summary_url()).select_one("main").text)
    for absent in [*NOT_COUNTED, "Withdrawn view.", "Draft view.", "First thoughts."]:
        assert absent not in text


def test_respondents_table_lists_each_counted_response_once(get_page, arranged, as_panel):
    page = get_page(summary_url())
    rows = table_rows(page, "respondents")
    assert [row[0] for row in rows] == COUNTED
    western_power = rows[2]
    assert western_power[1:3] == ["Electricity Network", "SSI-2017-R0003"]
    assert western_power[4:] == ["2", "No", "No"]
    assert rows[3][5:] == ["No", "Yes"]


def test_respondents_table_shows_submission_time_in_uk_time(get_page, arranged, as_panel):
    page = get_page(summary_url())
    submitted_at = arranged.consultation.closes_at - timedelta(hours=1)
    assert table_rows(page, "respondents")[0][3] == uk_datetime(submitted_at)


def test_public_version_anonymises_confidential_respondents(get_page, arranged, as_panel):
    page = get_page(summary_url(version="public"))
    text = normalise(page.select_one("main").text)
    for name in CONFIDENTIAL:
        assert name not in text
    respondents = [row[0] for row in table_rows(page, "respondents")]
    assert respondents == [
        "British Gas",
        "Confidential respondent (Small Supplier)",
        "Western Power",
        "SGN",
        "Confidential respondent (Large Supplier)",
    ]
    assert not page.select("#answers-q1 .consult-tag-confidential")


def test_public_version_links_to_public_downloads(get_page, arranged, as_panel):
    page = get_page(summary_url(version="public"))
    links = [a["href"] for a in page.select("#downloads a")]
    assert [link.split("?")[1] for link in links] == ["version=public"] * 4


def test_panel_version_warns_not_to_publish(get_page, arranged, as_panel):
    page = get_page(summary_url())
    assert "Do not publish it" in normalise(page.select_one("#version").text)


def test_unknown_version_is_a_clear_400_page(get_page, arranged, as_panel):
    page = get_page(summary_url(version="secret"), status=400)
    message = normalise(page.select_one("main").text)
    assert "version=panel" in message and "version=public" in message


def test_consultation_without_responses_says_so(get_page, db, as_panel):
    factories.make_consultation(db, "EMPTY-1", status="open")
    page = get_page(summary_url("EMPTY-1"))
    assert normalise(page.select_one("#no-responses").text) == (
        "No responses have been submitted yet."
    )
    assert table_rows(page, "tally-q1")[-1] == ["Total"] + ["0"] * 8


@pytest.mark.parametrize("status", ["draft", "upcoming"])
def test_consultation_that_has_not_opened_has_no_summary(get_page, db, as_panel, status):
    factories.make_consultation(db, "NOT-YET", status=status)
    get_page(summary_url("NOT-YET"), status=404)


def test_unknown_consultation_is_not_found(get_page, db, as_panel):
    get_page(summary_url("NOPE-1"), status=404)


def test_secas_may_see_the_summary(get_page, arranged, login, secas):
    login(secas)
    get_page(summary_url())


def test_respondent_may_not_see_the_summary(client, arranged, login):
    login(arranged.users["British Gas"])
    for suffix in ("", ".csv", ".xlsx", ".docx"):
        assert client.get(summary_url(suffix=suffix)).status_code == 403


def test_visitor_is_sent_to_sign_in(client, arranged):
    for suffix in ("", ".csv", ".xlsx", ".docx"):
        response = client.get(summary_url(suffix=suffix))
        assert response.status_code == 302
        assert "/auth/login" in response.location


def test_page_queries_do_not_grow_with_responses(app, client, db, as_panel):
    def queries_for(reference: str, count: int) -> int:
        consultation = factories.make_consultation(db, reference, status="open")
        for n in range(count):
            user = respondent_of(db, f"{reference} org {n}", list(PartyCategory)[n % 7])
            factories.make_response(db, consultation, user, confidential=n % 3 == 0)
        statements = []

        def record(*_args) -> None:
            statements.append(1)

        engine = app.extensions["consult.engine"]
        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(summary_url(reference)).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    few = queries_for("FEW-1", 2)
    assert few > 0
    assert queries_for("MANY-1", 20) == few


def test_reference_shown_in_page_heading(get_page, arranged, as_panel):
    page = get_page(summary_url())
    assert REFERENCE in normalise(page.select_one(".govuk-caption-l").text)
