"""Every answer to one question: filtered by party category and option, searched by word,
a page at a time, in both versions, with server-side GET filters that need no JavaScript."""

from urllib.parse import quote

import pytest

from consult.models import PartyCategory
from tests import factories
from tests.conftest import normalise
from tests.people_helpers import error_summary
from tests.summaries_helpers import (
    answers,
    count_queries,
    respondent_of,
    summary_url,
    table_rows,
)


def answers_url(key: str = "q1", reference: str = "SSI-2017", **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    url = summary_url(reference, f"/questions/{key}")
    return f"{url}?{query}" if query else url


def respondents(page) -> list[str]:
    return [row[0] for row in table_rows(page, "answers")]


def test_answers_page_lists_every_answer_and_counts_them(get_page, arranged, as_panel):
    page = get_page(answers_url())
    assert normalise(page.select_one("h1").text) == (
        "Question 1: Do you agree with the proposed new end date?"
    )
    assert normalise(page.select_one("#answer-count").text) == "5 answers."
    assert respondents(page) == [
        "British Gas",
        "Octopus Energy Confidential",
        "Western Power",
        "SGN Late",
        "EDF Energy Confidential",
    ]


def test_answers_filtered_by_party_category(get_page, arranged, as_panel):
    page = get_page(answers_url(category="large_supplier"))
    assert respondents(page) == ["British Gas", "EDF Energy Confidential"]
    assert normalise(page.select_one("#answer-count").text) == "2 answers matching these filters."
    selected = page.select_one("#category option[selected]")
    assert selected["value"] == "large_supplier"


def test_answers_filtered_by_option_chosen(get_page, arranged, as_panel):
    page = get_page(answers_url(option="No"))
    assert respondents(page) == ["Octopus Energy Confidential", "SGN Late"]


def test_multiple_choice_answers_filtered_by_one_of_the_options(get_page, arranged, as_panel):
    page = get_page(answers_url("q2", option="Billing"))
    assert [row[:3] for row in table_rows(page, "answers")] == [
        ["British Gas", "Large Supplier", "Metering; Billing"],
        ["Octopus Energy Confidential", "Small Supplier", "Billing"],
    ]


def test_answers_searched_by_word_whatever_its_case(get_page, arranged, as_panel):
    page = get_page(answers_url(search="SYSTEMS"))
    assert respondents(page) == ["SGN Late"]
    assert page.select_one("#search")["value"] == "SYSTEMS"


@pytest.mark.parametrize("word", ["ŵyn", "ŴYN", "ça", "ÉNERGIE"])
def test_search_ignores_the_case_of_accented_letters_too(get_page, db, as_panel, word):
    consultation = factories.make_consultation(db, "CYM-1", status="open")
    user = respondent_of(db, "Ynni Cymru", PartyCategory.other_sec_party)
    factories.make_response(
        db, consultation, user, answers("Yes", "Mae Ŵyn yn cytuno. Ça va, énergie.")
    )
    page = get_page(answers_url(reference="CYM-1", search=quote(word)))
    assert respondents(page) == ["Ynni Cymru"]


@pytest.mark.parametrize("typed", ["DCC’s", "dcc's"])
def test_search_finds_a_word_whichever_apostrophe_either_side_has(get_page, db, as_panel, typed):
    consultation = factories.make_consultation(db, "APO-1", status="open")
    curly = respondent_of(db, "Curly Energy", PartyCategory.small_supplier)
    straight = respondent_of(db, "Straight Energy", PartyCategory.small_supplier)
    factories.make_response(db, consultation, curly, answers("Yes", "The DCC’s plan works."))
    factories.make_response(db, consultation, straight, answers("Yes", "The DCC's plan works."))
    page = get_page(answers_url(reference="APO-1", search=quote(typed)))
    assert respondents(page) == ["Curly Energy", "Straight Energy"]


def test_a_search_too_long_to_run_is_said_beside_the_box(get_page, arranged, as_panel):
    typed = "one two three four five six seven eight nine"
    page = get_page(answers_url(option="Yes", search=quote(typed)))
    assert page.select_one("title").text.startswith("Error: ")
    assert error_summary(page) == ["Search for up to 8 words of up to 100 characters each"]
    assert page.select_one(".govuk-error-summary a")["href"] == "#search"
    assert normalise(page.select_one("#search-error").text) == (
        "Error: Search for up to 8 words of up to 100 characters each"
    )
    assert page.select_one("#search")["value"] == typed
    # The rest of the filter still applies.
    assert respondents(page) == ["British Gas", "Western Power", "EDF Energy Confidential"]


def test_search_needs_every_word(get_page, arranged, as_panel):
    assert respondents(get_page(answers_url(search="our+mind"))) == ["Western Power"]
    page = get_page(answers_url(search="our+nothing"))
    assert normalise(page.select_one("#answer-count").text) == "No answers match these filters."
    assert page.select_one("#answers") is None


def test_search_takes_wildcard_characters_literally(get_page, arranged, as_panel):
    page = get_page(answers_url(search="%25"))  # a literal %
    assert normalise(page.select_one("#answer-count").text) == "No answers match these filters."


def test_filters_combine(get_page, arranged, as_panel):
    page = get_page(answers_url(category="large_supplier", option="Yes", search="agreed"))
    assert respondents(page) == ["EDF Energy Confidential"]


def test_text_question_has_no_option_filter(get_page, arranged, as_panel):
    page = get_page(answers_url("q3"))
    assert page.select_one("#option") is None
    assert respondents(page) == ["British Gas", "EDF Energy Confidential"]


def test_filter_controls_are_labelled(get_page, arranged, as_panel):
    page = get_page(answers_url())
    for control in page.select("#answers-filter select, #answers-filter input[type=search]"):
        assert page.select_one(f"label[for={control['id']}]") is not None


def test_clear_filters_link_appears_only_when_filtered(get_page, arranged, as_panel):
    assert get_page(answers_url()).select_one("#clear-filters") is None
    link = get_page(answers_url(option="No")).select_one("#clear-filters")
    assert link["href"] == answers_url()


def test_public_version_anonymises_and_keeps_the_version_in_the_form(get_page, arranged, as_panel):
    page = get_page(answers_url(version="public", category="small_supplier"))
    assert respondents(page) == ["Confidential respondent (Small Supplier)"]
    assert page.select_one("#answers-filter input[name=version]")["value"] == "public"


def test_many_answers_are_paginated_keeping_the_filters(get_page, db, as_panel):
    consultation = factories.make_consultation(db, "MANY-1", status="open")
    for n in range(30):
        user = respondent_of(db, f"Supplier {n:02d}", PartyCategory.small_supplier)
        factories.make_response(db, consultation, user, answers("Yes", f"Reason {n:02d}"))
    page = get_page(answers_url(reference="MANY-1", category="small_supplier"))
    assert len(respondents(page)) == 25
    assert normalise(page.select_one("#answer-count").text) == (
        "Showing answers 1 to 25 of 30 matching these filters."
    )
    following = page.select_one("#pagination .govuk-pagination__next a")["href"]
    assert "category=small_supplier" in following and "page=2" in following
    second = get_page(following)
    assert respondents(second) == [f"Supplier {n:02d}" for n in range(25, 30)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"category": "martians"}, "There is no party category"),
        ({"option": "Perhaps"}, "is not an option of question 1"),
        ({"page": "0"}, "The page number must be a whole number"),
        ({"page": "two"}, "The page number must be a whole number"),
        ({"page": "2"}, "There is no page 2 of these answers: there is only 1 page."),
    ],
)
def test_bad_filters_get_a_clear_message(get_page, arranged, as_panel, args, message):
    page = get_page(answers_url(**args), status=400)
    assert message in normalise(page.select_one("main").text)


def test_a_bad_filter_links_to_every_answer_to_the_question(get_page, arranged, as_panel):
    page = get_page(answers_url(category="martians", page="2"), status=400)
    way_back = page.select_one("#way-back")
    assert normalise(way_back.text) == "Go to every answer to this question"
    assert way_back["href"] == answers_url()
    get_page(way_back["href"])


def test_the_way_back_from_a_bad_filter_keeps_the_public_version(get_page, arranged, as_panel):
    page = get_page(answers_url(version="public", option="Perhaps"), status=400)
    assert page.select_one("#way-back")["href"] == answers_url(version="public")


def test_unknown_question_is_not_found(get_page, arranged, as_panel):
    get_page(answers_url("q99"), status=404)


def test_answers_page_queries_do_not_grow_with_responses(app, client, db, as_panel):
    def queries_for(reference: str, responses: int) -> int:
        consultation = factories.make_consultation(db, reference, status="open")
        for n in range(responses):
            user = respondent_of(db, f"{reference} {n}", list(PartyCategory)[n % 7])
            factories.make_response(db, consultation, user, answers("No", f"Because {n}"))
        return count_queries(app, client, answers_url(reference=reference, search="because"))

    assert queries_for("FEW-1", 2) == queries_for("MANY-1", 30)
