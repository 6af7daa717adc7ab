"""Every question of a published consultation, readable before responding, and as a Word
document to draft answers with colleagues."""

import io

import docx

from consult.filters import uk_datetime
from tests import factories
from tests.conftest import normalise
from tests.responses_helpers import QUESTIONS, add_sections

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def question_blocks(page) -> dict[str, str]:
    return {
        block["id"].removeprefix("question-"): normalise(block.get_text(" "))
        for block in page.select(".consult-question")
    }


def test_a_visitor_reads_every_question_with_what_it_asks_for(db, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    page = get_page("/consultations/SSI-2017")
    assert page.select_one("#read-questions")["href"] == "/consultations/SSI-2017/questions"

    page = get_page("/consultations/SSI-2017/questions")
    assert normalise(page.select_one("h1").text) == "The questions"
    assert f"the deadline is {uk_datetime(consultation.closes_at)}" in normalise(page.text)
    assert question_blocks(page) == {
        "q1": "Question 1 Do you agree with the proposed new end date? The DCC proposes 31 "
        "October 2017. Select one: Yes No Neutral Then: Please provide your rationale",
        "q2": "Question 2 Which of your systems are affected? Select all that apply: Metering "
        "Billing Customer service",
        "q3": "Question 3 What would the impact be on your organisation? Answer in up to 500 "
        "characters.",
        "q4": "Question 4 (optional) Do you have any other comments? Answer in up to 20,000 "
        "characters.",
    }
    assert [normalise(h.get_text(" ")) for h in page.select("main h2")] == [
        "Question 1 Do you agree with the proposed new end date?",
        "Question 2 Which of your systems are affected?",
        "Question 3 What would the impact be on your organisation?",
        "Question 4 (optional) Do you have any other comments?",
    ]


def test_questions_are_grouped_under_their_sections(db, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    add_sections(db, consultation, {"Your view": ["q1", "q2"], "Impact": ["q3", "q4"]})
    page = get_page("/consultations/SSI-2017/questions")
    assert [normalise(h.text) for h in page.select("main h2")] == ["Your view", "Impact"]
    assert len(page.select("main h3")) == 4


def test_the_questions_download_as_a_word_document_to_draft_answers_in(client, db):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    add_sections(db, consultation, {"Your view": ["q1", "q2"], "Impact": ["q3", "q4"]})
    reply = client.get("/consultations/SSI-2017/questions.docx")
    assert reply.status_code == 200
    assert reply.mimetype == DOCX
    assert reply.headers["Content-Disposition"] == (
        'attachment; filename="SSI-2017-questions.docx"'
    )
    document = docx.Document(io.BytesIO(reply.data))
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", f"SSI-2017: {consultation.title}"),
        ("Heading 2", "Your view"),
        ("Heading 3", "Question 1: Do you agree with the proposed new end date?"),
        ("Heading 3", "Question 2: Which of your systems are affected?"),
        ("Heading 2", "Impact"),
        ("Heading 3", "Question 3: What would the impact be on your organisation?"),
        ("Heading 3", "Question 4: Do you have any other comments?"),
    ]
    text = [p.text for p in document.paragraphs]
    assert (
        "Only a response submitted online counts: http://localhost/consultations/SSI-2017/respond"
        in text[2]
    )
    first = text.index("Question 1: Do you agree with the proposed new end date?")
    assert text[first + 1 : first + 7] == [
        "The DCC proposes 31 October 2017.",
        "Select one",
        "☐ Yes",
        "☐ No",
        "☐ Neutral",
        "Please provide your rationale",
    ]
    assert "Answer in up to 20,000 characters (optional)" in text


def test_a_draft_consultations_questions_are_not_found_by_visitors(db, client):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    assert client.get("/consultations/DRAFT-1/questions").status_code == 404
    assert client.get("/consultations/DRAFT-1/questions.docx").status_code == 404


def test_secas_read_a_drafts_questions(db, secas, login, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft", questions=QUESTIONS[:1])
    login(secas)
    page = get_page("/consultations/DRAFT-1/questions")
    assert list(question_blocks(page)) == ["q1"]


def test_a_closed_consultations_questions_say_it_closed(client, db):
    consultation = factories.make_consultation(db, "OLD-1", status="closed", questions=QUESTIONS)
    reply = client.get("/consultations/OLD-1/questions.docx")
    text = [p.text for p in docx.Document(io.BytesIO(reply.data)).paragraphs]
    assert text[1] == f"This consultation closed at {uk_datetime(consultation.closes_at)}."
    assert not any("submitted online" in line for line in text)


def test_the_words_link_is_the_sites_public_address(app, client, db):
    factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    app.config["PUBLIC_URL"] = "https://consult.example"
    reply = client.get("/consultations/SSI-2017/questions.docx")
    text = [p.text for p in docx.Document(io.BytesIO(reply.data)).paragraphs]
    assert text[2].endswith("counts: https://consult.example/consultations/SSI-2017/respond")


def test_a_closed_consultations_questions_page_says_it_closed(db, get_page):
    consultation = factories.make_consultation(db, "OLD-1", status="closed", questions=QUESTIONS)
    page = get_page("/consultations/OLD-1/questions")
    assert normalise(page.select_one("#closed").text) == (
        f"This consultation closed at {uk_datetime(consultation.closes_at)}. These are the "
        "questions it asked; you can also download them as a Word document."
    )
    assert "before you respond" not in normalise(page.text)
