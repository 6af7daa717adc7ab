"""The Panel's summary page: figures, tallies, answers, versions, and who may see it."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from consult.filters import uk_datetime
from consult.models import DeadlineChange, DeadlineChangeKind, PartyCategory
from consult.responses.service import AnswerInput
from tests import factories
from tests.conftest import normalise
from tests.summaries_helpers import (
    CONFIDENTIAL,
    COUNTED,
    NOT_COUNTED,
    REFERENCE,
    answers,
    respondent_of,
    summary_url,
    table_head,
    table_rows,
)


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


# Headline figures: the period and its changes


def test_page_gives_the_consultation_period(get_page, arranged, as_panel):
    page = get_page(summary_url())
    rows = page.select("#consultation-period .govuk-summary-list__row")
    period = {normalise(r.select_one("dt").text): normalise(r.select_one("dd").text) for r in rows}
    consultation = arranged.consultation
    assert period == {
        "Opened": uk_datetime(consultation.opens_at),
        "Closed": uk_datetime(consultation.closes_at),
    }


def test_page_lists_each_extension_with_its_reason(get_page, db, arranged, as_panel):
    consultation = arranged.consultation
    db.add(
        DeadlineChange(
            consultation_id=consultation.id,
            kind=DeadlineChangeKind.extended,
            previous_closes_at=consultation.closes_at - timedelta(days=7),
            new_closes_at=consultation.closes_at,
            reason="The DCC asked for more time.",
        )
    )
    db.commit()
    page = get_page(summary_url())
    change = page.select("#consultation-period .govuk-summary-list__row")[-1]
    assert normalise(change.select_one("dt").text) == "Change to the deadline"
    assert normalise(change.select_one("dd").text) == (
        f"Deadline extended from {uk_datetime(consultation.closes_at - timedelta(days=7))} "
        f"to {uk_datetime(consultation.closes_at)} Reason: The DCC asked for more time."
    )


# Charts


def test_each_choice_question_has_an_svg_chart_named_for_screen_readers(
    get_page, arranged, as_panel
):
    page = get_page(summary_url())
    assert [f["id"] for f in page.select("figure.consult-chart")] == ["chart-q1", "chart-q2"]
    svg = page.select_one("#chart-q1 svg")
    assert svg["role"] == "img"
    labelled_by = svg["aria-labelledby"].split()
    assert normalise(page.select_one(f"#{labelled_by[0]}").text) == (
        "Answers to question 1 by party category"
    )
    assert "Yes: 3, No: 2" in page.select_one(f"#{labelled_by[1]}").text


def test_chart_bars_are_as_long_as_their_counts(get_page, arranged, as_panel):
    page = get_page(summary_url())
    bars = page.select("#chart-q1 .consult-chart__bar")
    lengths = [sum(float(r["width"]) for r in bar.select("rect")) for bar in bars]
    assert lengths == pytest.approx([540, 360], abs=0.1)  # Yes 3, No 2
    segments = [r.select_one("title").text for r in bars[0].select("rect")]
    assert segments == ["Large Supplier: 2", "Electricity Network: 1"]
    assert [normalise(t.text) for t in page.select("#chart-q1 .consult-chart__total")] == ["3", "2"]


def test_chart_legend_names_only_the_categories_that_answered(get_page, arranged, as_panel):
    page = get_page(summary_url())
    legend = [normalise(li.text) for li in page.select("#chart-q1 .consult-chart__legend li")]
    assert legend == ["Large Supplier", "Small Supplier", "Electricity Network", "Gas Network"]


def test_page_has_no_inline_styles_the_csp_would_block(get_page, arranged, as_panel):
    page = get_page(summary_url())
    assert page.select("[style]") == []
    assert page.select("style") == []


# Answers: a short preview per question, then a page of all of them


def test_many_answers_show_a_preview_and_a_link_to_all_of_them(get_page, db, as_panel):
    consultation = factories.make_consultation(db, "MANY-1", status="open")
    for n in range(7):
        user = respondent_of(db, f"Supplier {n}", PartyCategory.small_supplier)
        factories.make_response(db, consultation, user, answers("Yes", f"Reason {n}"))
    page = get_page(summary_url("MANY-1"))
    assert len(table_rows(page, "answers-q1")) == 5
    link = page.select_one("#all-answers-q1")
    assert normalise(link.text).startswith("See all the answers to question 1")
    assert link["href"] == summary_url("MANY-1", "/questions/q1")


def test_a_long_rationale_shows_its_start_in_the_preview_and_the_rest_on_request(
    get_page, db, as_panel
):
    consultation = factories.make_consultation(db, "MANY-1", status="open")
    long = "We need longer. " * 200  # 3,200 characters
    factories.make_response(
        db, consultation, respondent_of(db, "Verbose Ltd", PartyCategory.small_supplier),
        answers("No", long),
    )  # fmt: skip
    factories.make_response(
        db, consultation, respondent_of(db, "Brief Ltd", PartyCategory.small_supplier),
        answers("Yes", "Fine."),
    )  # fmt: skip
    page = get_page(summary_url("MANY-1"))
    cells = {row[0]: row[-1] for row in table_rows(page, "answers-q1")}
    assert cells["Brief Ltd"] == "Fine."
    cell = page.select("#answers-q1 tbody tr")[0].select("td")[-1]
    shown = cell.select_one(".consult-pre-wrap").text
    assert len(shown) <= 1_001 and shown.endswith("…")
    rest = cell.select_one("details.consult-rest")
    assert normalise(rest.select_one("summary").text) == (
        f"Show the rest of Verbose Ltd’s rationale ({len(long) - len(shown) + 1:,} more characters)"
    )
    assert normalise(rest.select_one("summary .govuk-visually-hidden").text) == (
        "of Verbose Ltd’s rationale"
    )
    # Nothing is lost: the start and the rest make the whole rationale.
    assert shown[:-1] + rest.select_one(".govuk-details__text").text.strip()[1:] == long.strip()
    # The page of all the answers shows it whole.
    page = get_page(summary_url("MANY-1", "/questions/q1"))
    assert long.strip() in normalise(page.select_one("#answers").text)


def test_a_consultation_of_hundreds_of_questions_has_its_summary(get_page, db, as_panel):
    # SQLite refuses a compound SELECT of more than 500 parts.
    many = [
        {"key": f"t{n}", "kind": "text", "text": f"Comment {n}", "required": False}
        for n in range(1, 502)
    ]
    consultation = factories.make_consultation(db, "LONG-1", status="open", questions=many)
    user = respondent_of(db, "Supplier", PartyCategory.small_supplier)
    given = {"t1": AnswerInput(text="First"), "t501": AnswerInput(text="Last")}
    factories.make_response(db, consultation, user, given)
    page = get_page(summary_url("LONG-1"))
    assert [row[-1] for row in table_rows(page, "answers-t1")] == ["First"]
    assert [row[-1] for row in table_rows(page, "answers-t501")] == ["Last"]


def test_public_version_links_to_public_answers(get_page, arranged, as_panel):
    page = get_page(summary_url(version="public"))
    assert page.select_one("#all-answers-q1")["href"].endswith("/questions/q1?version=public")


def test_respondents_are_listed_fifty_to_a_page(get_page, db, as_panel):
    consultation = factories.make_consultation(db, "MANY-2", status="open")
    for n in range(51):
        user = respondent_of(db, f"Supplier {n:02d}", PartyCategory.small_supplier)
        factories.make_response(db, consultation, user)
    page = get_page(summary_url("MANY-2"))
    assert len(table_rows(page, "respondents")) == 50
    assert normalise(page.select_one("#respondents-range").text).startswith(
        "Respondents 1 to 50 of 51"
    )
    following = page.select_one("#respondents-pagination .govuk-pagination__next a")["href"]
    second = get_page(following)
    assert [row[0] for row in table_rows(second, "respondents")] == ["Supplier 50"]


def test_page_of_respondents_that_is_not_a_number_is_a_400(get_page, arranged, as_panel):
    get_page(summary_url() + "?page=last", status=400)


def test_page_of_respondents_beyond_the_last_says_how_many_there_are(get_page, arranged, as_panel):
    page = get_page(summary_url() + "?page=3", status=400)
    message = "There is no page 3 of respondents: there is only 1 page."
    assert message in normalise(page.select_one("main").text)


def test_page_of_respondents_beyond_the_last_links_to_the_summary(get_page, arranged, as_panel):
    page = get_page(summary_url() + "?page=3", status=400)
    way_back = page.select_one("#way-back")
    assert normalise(way_back.text) == "Go to the summary"
    assert way_back["href"] == summary_url()
    get_page(way_back["href"])


def test_page_links_to_the_attachments_zip_with_its_count(get_page, arranged, as_panel):
    link = get_page(summary_url()).select_one("#attachments-link")
    assert link["href"] == summary_url(suffix="/attachments.zip")
    assert "(0 files)" in normalise(link.text)


# The Panel's list of summaries


def test_index_lists_consultations_that_have_opened_with_their_responses(
    get_page, db, arranged, as_panel
):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    factories.make_consultation(db, "SOON-1", status="upcoming")
    factories.make_consultation(db, "OPEN-1", status="open")
    page = get_page("/panel/consultations")
    rows = table_rows(page, "summaries")
    assert [(row[0], row[2], row[4]) for row in rows] == [
        ("OPEN-1", "Open", "0"),
        (REFERENCE, "Closed", "5"),
    ]
    links = [a["href"] for a in page.select("#summaries a")]
    assert links == [summary_url("OPEN-1"), summary_url()]


def test_index_without_consultations_says_so(get_page, db, as_panel):
    page = get_page("/panel/consultations")
    assert normalise(page.select_one("#no-summaries").text) == "No consultation has opened yet."
