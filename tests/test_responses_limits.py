"""Character limits with the GOV.UK character count, enforced by the server; text pasted
from Word kept exactly, through the database, the pages, the receipt and the copies."""

import io
import re

import docx
import pytest
from sqlalchemy import select

from consult.models import Answer, OutboxMessage
from tests import factories
from tests.conftest import normalise
from tests.responses_helpers import (
    QUESTIONS,
    answer_all,
    error_summary,
    fresh,
    respond_url,
    response_url,
    save,
    submit,
    summary_rows,
)

# Smart quotes, a non-breaking space, a bullet, an en dash, an ellipsis, an emoji and a
# combining accent: what a regulatory affairs manager pastes from Word.
WORD_TEXT = (
    "“We support the change” – with caveats…\n"
    "• Costs\u00a0(£1.2m) rise\n"
    "• Timing isn’t fixed 👍\n"
    "Cafe\u0301 naïve"
)
LIMITED = {**QUESTIONS[2], "max_length": 120}


@pytest.fixture
def consultation(db):
    return factories.make_consultation(
        db, "SSI-2017", questions=[QUESTIONS[0], QUESTIONS[1], LIMITED, QUESTIONS[3]]
    )


@pytest.fixture
def signed_in(login, respondent):
    login(respondent)
    return respondent


def test_limited_question_has_a_character_count_for_answer_and_rationale(db, get_page, signed_in):
    consultation = factories.make_consultation(
        db, "LIM-1", questions=[{**QUESTIONS[0], "max_length": 300}]
    )
    page = get_page(respond_url(consultation, "q1"))
    counts = page.select("[data-module=govuk-character-count]")
    assert [c["data-maxlength"] for c in counts] == ["300"]
    assert counts[0].select_one("textarea#rationale")
    assert page.select_one("#rationale-info")


def test_text_without_a_set_limit_says_the_default_limit_before_it_is_reached(
    db, get_page, signed_in
):
    hinted = {**QUESTIONS[3], "key": "q2", "hint": "Costs, risks <or> dates."}
    consultation = factories.make_consultation(db, "LIM-2", questions=[QUESTIONS[0], hinted])
    page = get_page(respond_url(consultation, "q1"))
    assert normalise(page.select_one("#rationale-hint").text) == (
        "You can enter up to 20,000 characters."
    )
    assert "rationale-hint" in page.select_one("textarea#rationale")["aria-describedby"]
    page = get_page(respond_url(consultation, "q2"))
    assert [normalise(line) for line in page.select_one("#answer-hint").stripped_strings] == [
        "Costs, risks <or> dates.",
        "You can enter up to 20,000 characters.",
    ]


def test_answer_over_the_limit_is_refused_by_the_server(get_page, db, consultation, signed_in):
    page = get_page(
        respond_url(consultation, "q3"),
        method="post",
        data={"version": "0", "action": "continue", "answer": "é" * 121},
    )
    assert error_summary(page) == ["Your answer must be 120 characters or fewer"]
    assert fresh(db).scalars(select(Answer)).all() == []


def test_answer_at_the_limit_is_accepted(client, consultation, signed_in):
    response = save(client, consultation, "q3", answer="é" * 120)
    assert response.status_code == 302


def test_word_text_is_stored_exactly(client, db, consultation, signed_in):
    save(client, consultation, "q3", answer=WORD_TEXT.replace("\n", "\r\n"))
    fresh(db)
    assert db.scalar(select(Answer.text)) == WORD_TEXT


def test_word_text_comes_back_exactly_in_the_form(client, get_page, consultation, signed_in):
    save(client, consultation, "q3", answer=WORD_TEXT)
    page = get_page(respond_url(consultation, "q3"))
    assert page.select_one("textarea#answer").text.removeprefix("\n") == WORD_TEXT


def test_word_text_in_a_rationale_is_kept(client, db, consultation, signed_in):
    save(client, consultation, "q1", answer="Yes", rationale=WORD_TEXT)
    fresh(db)
    assert db.scalar(select(Answer.rationale)) == WORD_TEXT


def test_word_text_shows_on_check_answers_and_the_submitted_response(
    client, get_page, db, consultation, signed_in
):
    answer_all(client, consultation)
    save(client, consultation, "q3", answer=WORD_TEXT)
    check = get_page(respond_url(consultation, "check"))
    key = "3. What would the impact be on your organisation?"
    assert summary_rows(check, "answers")[key] == normalise(WORD_TEXT)
    assert "Cafe\u0301 naïve" in check.select_one("#answers").text
    submit(client, consultation)
    page = get_page(response_url(consultation))
    shown = page.select_one("#answers").text
    for line in WORD_TEXT.split("\n"):
        assert line in shown


def test_word_text_reaches_the_receipt_and_the_word_copy(client, db, consultation, signed_in):
    answer_all(client, consultation)
    save(client, consultation, "q3", answer=WORD_TEXT)
    submit(client, consultation)
    fresh(db)
    assert WORD_TEXT in db.scalar(select(OutboxMessage.body))
    copy = client.get(f"{response_url(consultation)}/copy.docx")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(copy.data)).paragraphs]
    assert WORD_TEXT in paragraphs


# Word writes a manual line break (Shift+Enter) as a vertical tab; other control
# characters (here a bell) can come with a paste too. XML can hold neither.
PASTED_CONTROLS = "First line\x0bsecond line\x07, rung"


def test_word_line_breaks_and_control_characters_reach_the_word_copy(
    client, consultation, signed_in
):
    answer_all(client, consultation)
    save(client, consultation, "q1", answer="Yes", rationale=PASTED_CONTROLS)
    save(client, consultation, "q3", answer=PASTED_CONTROLS)
    submit(client, consultation)
    copy = client.get(f"{response_url(consultation)}/copy.docx")
    assert copy.status_code == 200
    paragraphs = [p.text for p in docx.Document(io.BytesIO(copy.data)).paragraphs]
    assert paragraphs.count("First line\nsecond line, rung") == 2


def test_word_line_breaks_and_control_characters_reach_the_pdf_copy(
    client, consultation, signed_in
):
    answer_all(client, consultation)
    save(client, consultation, "q3", answer=PASTED_CONTROLS)
    submit(client, consultation)
    copy = client.get(f"{response_url(consultation)}/copy.pdf")
    assert copy.status_code == 200
    drawn = pdf_characters(copy.data)
    assert {"F", "s", ","} <= drawn
    # A character the font lacks would be drawn as its code, e.g. [U+000B].
    assert not drawn & {"[", "]", "+", "\x0b", "\x07"}


def pdf_characters(data: bytes) -> set[str]:
    """Every character a PDF's text draws, read from its fonts' ToUnicode maps (fpdf2
    writes them uncompressed: ``<glyph> <code point>`` pairs)."""
    assert data.startswith(b"%PDF")
    maps = re.findall(rb"beginbfchar\n(.*?)endbfchar", data, re.S)
    pairs = [re.findall(rb"<[0-9A-F]+> <([0-9A-F]+)>", found) for found in maps]
    return {chr(int(code, 16)) for codes in pairs for code in codes} - {"\x00"}
