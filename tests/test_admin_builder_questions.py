"""The builder: sections, questions, stable keys, the lock and the preview."""

import threading

import pytest
from sqlalchemy import func, select

from consult.admin import builder_service
from consult.db import utcnow
from consult.errors import IncompleteResponse, QuestionsLocked
from consult.models import Consultation, QuestionKind, Revision, Section, User
from consult.responses.service import AnswerInput
from tests import factories
from tests.admin_builder_helpers import (
    audit_events,
    banner,
    edited,
    error_messages,
    from_page,
    question_form,
    reload,
)
from tests.conftest import empty_descriptions, normalise

pytestmark = pytest.mark.usefixtures("signed_in_secas")


@pytest.fixture
def signed_in_secas(secas, login):
    login(secas)
    return secas


@pytest.fixture
def post(get_page):
    """POST a form and follow the redirect, as a browser does."""

    def send(url: str, data: dict | None = None):
        return get_page(url, method="post", data=data or {}, follow_redirects=True)

    return send


@pytest.fixture
def save(get_page):
    """Post an edit page's form from the page as it stands (with its version)."""

    def send(url: str, data: dict, follow_redirects: bool = True):
        data = from_page(get_page, url, data)
        return get_page(url, method="post", data=data, follow_redirects=follow_redirects)

    return send


@pytest.fixture
def draft(db):
    return factories.make_consultation(db, "DRAFT-1", status="draft")


def keys(db) -> list[str]:
    return [q.key for q in reload(db, "DRAFT-1").questions]


def add(get_page, **overrides):
    return get_page(
        "/admin/build/DRAFT-1/questions/new",
        method="post",
        data=question_form(**overrides),
        follow_redirects=True,
    )


# Questions


def test_question_form_labels_every_control(draft, get_page):
    page = get_page("/admin/build/DRAFT-1/questions/new")
    for name in ("text", "hint", "options", "rationale_prompt", "max_length", "section"):
        assert page.select_one(f"label[for={name}]") is not None, name
    legends = [normalise(legend.text) for legend in page.select("legend")]
    assert legends == ["Type of answer", "Must respondents answer it?"]


def test_the_question_form_has_no_empty_hint(draft, get_page):
    page = get_page(f"/admin/build/{draft.reference}/questions/new")
    assert empty_descriptions(page) == []
    assert [hint["id"] for hint in page.select(".govuk-hint") if not hint.text.strip()] == []


def test_adding_a_question_gives_it_the_next_key(db, draft, get_page):
    page = add(get_page, kind="multiple_choice", options="A\r\nB\r\n\r\nC", max_length="500")
    assert banner(page) == "Success The question is added."
    question = reload(db, "DRAFT-1").questions[-1]
    assert question.key == "q4"
    assert (question.kind, question.options, question.max_length) == (
        QuestionKind.multiple_choice,
        ["A", "B", "C"],
        500,
    )
    assert audit_events(db, "question.added")[0].detail["after"]["key"] == "q4"


def test_a_deleted_key_is_never_used_again(db, draft, get_page):
    get_page("/admin/build/DRAFT-1/questions/q3/delete", method="post", follow_redirects=True)
    assert keys(db) == ["q1", "q2"]
    add(get_page)
    assert keys(db) == ["q1", "q2", "q4"]


def test_an_imported_capital_key_is_taken_too(db, get_page):
    # An imported form may spell its keys "Q1"…; the builder's next key must not be "q4"
    # beside an imported "Q4", which only differs by case.
    questions = [
        {"key": "Q4", "kind": "text", "text": "Anything else?", "required": False},
    ]
    factories.make_consultation(db, "DRAFT-1", status="draft", questions=questions)
    add(get_page)
    assert keys(db) == ["Q4", "q5"]


def test_editing_a_question_keeps_its_key_and_audits_the_change(db, draft, save):
    data = question_form(kind="text", text="Any other comments?", options="", rationale_prompt="")
    data["required"] = "no"
    save("/admin/build/DRAFT-1/questions/q1", data)
    question = reload(db, "DRAFT-1").questions[0]
    assert (question.key, question.kind, question.required) == ("q1", QuestionKind.text, False)
    event = audit_events(db, "question.edited")[0]
    assert event.detail["before"]["kind"] == "single_choice"
    assert event.detail["after"]["text"] == "Any other comments?"


def test_the_edit_page_shows_the_questions_values(draft, get_page):
    page = get_page("/admin/build/DRAFT-1/questions/q1")
    assert normalise(page.select_one("#options").text) == "Yes No"
    assert page.select_one("#rationale_prompt")["value"] == "Please provide your rationale"
    assert page.select_one("input[name=required][checked]")["value"] == "yes"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"text": "", "kind": ""}, ["Select the type of answer", "Enter the question"]),
        ({"options": "Yes"}, ["Enter at least 2 options, one on each line"]),
        ({"options": "Yes\nYes"}, ["Each option must be different"]),
        ({"kind": "text"}, ["A free text question has no options: remove them"]),
        ({"max_length": "lots"}, ["The character limit must be a whole number, like 2000"]),
        ({"max_length": "999999"}, ["The character limit must be between 1 and 20,000"]),
        ({"section": "999"}, ["Select a section from the list"]),
        ({"kind": "essay"}, ["Not a valid choice."]),
    ],
)
def test_bad_questions_are_explained_and_nothing_changes(db, draft, get_page, overrides, expected):
    page = get_page(
        "/admin/build/DRAFT-1/questions/new",
        method="post",
        follow_redirects=True,
        data=question_form(**overrides),
    )
    assert page.select_one("title").text.startswith("Error: ")
    assert error_messages(page) == expected
    assert keys(db) == ["q1", "q2", "q3"]


def test_moving_a_question_down_and_up(db, draft, get_page):
    page = get_page(
        "/admin/build/DRAFT-1/questions/q1/move",
        method="post",
        follow_redirects=True,
        data={"direction": "down"},
    )
    assert keys(db) == ["q2", "q1", "q3"]
    # The banner takes focus: it says where the question went.
    assert banner(page) == "Success Question q1 is now question 2 of 3."
    get_page(
        "/admin/build/DRAFT-1/questions/q3/move",
        method="post",
        follow_redirects=True,
        data={"direction": "up"},
    )
    assert keys(db) == ["q2", "q3", "q1"]
    assert audit_events(db, "question.moved")[0].detail == {
        "before": {"order": ["q1", "q2", "q3"]},
        "after": {"order": ["q2", "q1", "q3"]},
    }


def test_moving_past_the_end_is_explained(db, draft, get_page):
    page = get_page(
        "/admin/build/DRAFT-1/questions/q1/move",
        method="post",
        data={"direction": "up"},
        follow_redirects=True,
    )
    assert "cannot move further" in banner(page)
    assert keys(db) == ["q1", "q2", "q3"]


def test_the_overview_offers_move_buttons_in_post_forms(draft, get_page):
    page = get_page("/admin/build/DRAFT-1")
    buttons = [normalise(b.text) for b in page.select("#questions form[method=post] button")]
    assert buttons == [
        "Move down question q1",
        "Move up question q2",
        "Move down question q2",
        "Move up question q3",
    ]


def test_a_question_can_never_get_a_reserved_key():
    assert builder_service.RESERVED_KEYS >= {
        "check",
        "confidentiality",
        "confirmation",
        "attachments",
    }


def test_duplicating_renames_a_reserved_key(db, secas):
    source = factories.make_consultation(
        db, "OLD-1", questions=[{"key": "check", "kind": "text", "text": "Anything else?"}]
    )
    details = builder_service.ConsultationDetails(
        "NEW-1", "New", source.kind, None, "", source.opens_at, source.closes_at
    )
    copy = builder_service.duplicate(db, source, details, utcnow(), secas.id)
    assert [q.key for q in copy.questions] == ["q1"]


# Sections


def test_sections_can_be_added_renamed_reordered_and_deleted(db, draft, get_page, save):
    for title in ("The proposal", "Impact"):
        get_page(
            "/admin/build/DRAFT-1/sections/new",
            method="post",
            follow_redirects=True,
            data={"title": title},
        )
    sections = reload(db, "DRAFT-1").sections
    first, second = sections[0].id, sections[1].id
    save(f"/admin/build/DRAFT-1/sections/{second}", {"title": "Costs"})
    page = get_page(
        f"/admin/build/DRAFT-1/sections/{second}/move",
        method="post",
        follow_redirects=True,
        data={"direction": "up"},
    )
    assert [s.title for s in reload(db, "DRAFT-1").sections] == ["Costs", "The proposal"]
    assert banner(page) == "Success Section “Costs” is now section 1 of 2."
    get_page(f"/admin/build/DRAFT-1/sections/{first}/delete", method="post", follow_redirects=True)
    assert [s.title for s in reload(db, "DRAFT-1").sections] == ["Costs"]
    assert [e.action for e in audit_events(db, "section.")] == [
        "section.added",
        "section.added",
        "section.renamed",
        "section.moved",
        "section.deleted",
    ]


def test_a_section_needs_a_title(draft, get_page):
    page = get_page(
        "/admin/build/DRAFT-1/sections/new",
        method="post",
        follow_redirects=True,
        data={"title": " "},
    )
    assert error_messages(page) == ["Enter the section title"]


@pytest.mark.parametrize("title", ["The proposal", "THE PROPOSAL", "  the proposal "])
def test_a_second_section_of_the_same_title_is_refused_whatever_its_case(
    db, draft, get_page, title
):
    add_section = "/admin/build/DRAFT-1/sections/new"
    get_page(add_section, method="post", data={"title": "The proposal"}, follow_redirects=True)
    page = get_page(add_section, method="post", data={"title": title})
    assert error_messages(page) == [
        "There is already a section called “The proposal”: give each section a different title"
    ]
    assert page.select_one("#title")["value"] == title  # kept to correct
    assert [s.title for s in reload(db, "DRAFT-1").sections] == ["The proposal"]


def test_a_section_cannot_be_renamed_to_another_sections_title(db, draft, save):
    consultation = reload(db, "DRAFT-1")
    consultation.sections.append(Section(position=1, title="The proposal"))
    consultation.sections.append(Section(position=2, title="Impact"))
    db.commit()
    impact = reload(db, "DRAFT-1").sections[1].id
    url = f"/admin/build/DRAFT-1/sections/{impact}"
    page = save(url, {"title": "the Proposal"}, follow_redirects=False)
    assert error_messages(page) == [
        "There is already a section called “The proposal”: give each section a different title"
    ]
    assert [s.title for s in reload(db, "DRAFT-1").sections] == ["The proposal", "Impact"]


def test_a_section_can_be_renamed_to_its_own_title_in_another_case(db, draft, save):
    consultation = reload(db, "DRAFT-1")
    consultation.sections.append(Section(position=1, title="the proposal"))
    db.commit()
    url = f"/admin/build/DRAFT-1/sections/{reload(db, 'DRAFT-1').sections[0].id}"
    save(url, {"title": "The proposal"})
    assert [s.title for s in reload(db, "DRAFT-1").sections] == ["The proposal"]


def test_questions_are_kept_together_in_section_order(db, draft, save):
    consultation = reload(db, "DRAFT-1")
    consultation.sections.append(Section(position=1, title="First"))
    consultation.sections.append(Section(position=2, title="Second"))
    db.commit()
    first, second = (s.id for s in reload(db, "DRAFT-1").sections)
    save("/admin/build/DRAFT-1/questions/q1", question_form(section=str(second)))
    save(
        "/admin/build/DRAFT-1/questions/q3",
        question_form(kind="text", options="", rationale_prompt="", section=str(first)),
    )
    assert keys(db) == ["q2", "q3", "q1"]


def test_deleting_a_section_keeps_its_questions(db, draft, get_page):
    consultation = reload(db, "DRAFT-1")
    section = Section(position=1, title="First")
    consultation.sections.append(section)
    consultation.questions[0].section = section
    db.commit()
    get_page(
        f"/admin/build/DRAFT-1/sections/{section.id}/delete", method="post", follow_redirects=True
    )
    assert keys(db) == ["q1", "q2", "q3"]
    assert reload(db, "DRAFT-1").questions[0].section_id is None


# The lock


@pytest.fixture
def answered(db, respondent):
    consultation = factories.make_consultation(db, "OPEN-1", status="open")
    factories.make_response(db, consultation, respondent)
    return consultation


def test_the_overview_explains_why_questions_are_locked(answered, get_page):
    page = get_page("/admin/build/OPEN-1")
    notice = normalise(page.select_one("#questions-locked").text)
    assert "a response has already been submitted" in notice
    assert page.select_one("#add-question") is None
    assert page.select_one("#questions form") is None


@pytest.mark.parametrize(
    "url", ["/admin/build/OPEN-1/questions/q1", "/admin/build/OPEN-1/sections/new"]
)
def test_a_locked_edit_page_offers_nothing_to_save(answered, get_page, url):
    page = get_page(url)
    assert "Questions are locked" in normalise(page.select_one("#questions-locked").text)
    assert page.select_one("main form") is None  # not even Enter in a box submits
    assert normalise(page.select_one("#cannot-save").text) == "Back to OPEN-1"


def test_a_locked_question_page_shows_the_question_as_it_is(answered, get_page):
    page = get_page("/admin/build/OPEN-1/questions/q1")
    rows = {
        normalise(row.select_one("dt").text): normalise(row.select_one("dd").text)
        for row in page.select("#question-as-it-is .govuk-summary-list__row")
    }
    question = answered.questions[0]
    assert rows["Question"] == question.text
    assert rows["Options"] == ", ".join(question.options)
    # A save sent anyway (from a page opened before the lock) is refused; the lock notice
    # says why, with no error summary pointing at boxes that are not there.
    page = get_page("/admin/build/OPEN-1/questions/q1", method="post", data=question_form())
    assert page.select_one(".govuk-error-summary") is None
    assert page.select_one("#questions-locked")


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/admin/build/OPEN-1/questions/new", question_form()),
        ("/admin/build/OPEN-1/questions/q1", question_form()),
        ("/admin/build/OPEN-1/questions/q1/move", {"direction": "down"}),
        ("/admin/build/OPEN-1/questions/q1/delete", {}),
        ("/admin/build/OPEN-1/sections/new", {"title": "New"}),
    ],
)
def test_the_server_refuses_question_changes_once_a_response_is_submitted(
    db, answered, client, url, data
):
    response = client.post(url, data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "a response has already been submitted" in normalise(response.get_data(as_text=True))
    assert [q.key for q in reload(db, "OPEN-1").questions] == ["q1", "q2", "q3"]
    assert reload(db, "OPEN-1").questions[0].text.startswith("Do you agree")
    assert reload(db, "OPEN-1").sections == []
    assert audit_events(db, "question.") == []


@pytest.fixture
def answered_section(db, answered):
    section = Section(position=1, title="The proposal")
    answered.sections.append(section)
    db.commit()
    return section


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/admin/build/OPEN-1/questions/q2/delete", "Question q2 cannot be deleted"),
        (
            "/admin/build/OPEN-1/sections/{id}/delete",
            "The section “The proposal” cannot be deleted",
        ),
    ],
)
def test_the_delete_pages_of_locked_questions_say_why_with_nothing_to_press(
    answered_section, get_page, url, heading
):
    page = get_page(url.format(id=answered_section.id))
    assert normalise(page.select_one("h1").text) == heading
    assert "a response has already been submitted" in normalise(
        page.select_one("#explanation").text
    )
    assert page.select_one("#confirm") is None
    assert page.select_one("main form") is None


def test_deleting_a_locked_section_is_refused(db, answered_section, get_page):
    url = f"/admin/build/OPEN-1/sections/{answered_section.id}/delete"
    page = get_page(url, method="post")
    assert "a response has already been submitted" in normalise(
        page.select_one("#explanation").text
    )
    assert page.select_one("#confirm") is None  # nothing to press again
    assert [s.title for s in reload(db, "OPEN-1").sections] == ["The proposal"]
    assert audit_events(db, "section.") == []


def test_the_service_enforces_the_lock(db, answered, secas):
    with pytest.raises(QuestionsLocked):
        builder_service.delete_question(db, answered, answered.questions[0], secas.id)


def test_a_draft_response_does_not_lock_the_questions(db, respondent, get_page):
    consultation = factories.make_consultation(db, "OPEN-1", status="open")
    factories.make_response(db, consultation, respondent, submit=False)
    page = get_page("/admin/build/OPEN-1")
    assert page.select_one("#questions-locked") is None
    assert page.select_one("#add-question") is not None


def test_a_first_submission_that_waited_for_an_edit_is_checked_against_it(
    app, db, respondent, secas
):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: an edit and a submission never overlap")
    consultation = factories.make_consultation(db, "OPEN-1", status="open")
    sessions = app.extensions["consult.sessionmaker"]
    editing = sessions()
    editable = editing.get(Consultation, consultation.id)
    question = builder_service.find_question(editable, "q1")
    details = edited(question, options=["Yes", "Partly"])  # "No" is no longer an option
    builder_service.update_question(editing, editable, question, details, secas.id)
    refused: list[Exception] = []

    def submit_no() -> None:  # answered against the wording read before the edit commits
        with sessions() as other:
            given = {"q1": AnswerInput(choices=("No",), rationale="We disagree.")}
            try:
                factories.make_response(
                    other,
                    other.get(Consultation, consultation.id),
                    other.get(User, respondent.id),
                    given,
                )
            except Exception as error:  # reported below: a thread's exception is lost
                refused.append(error)

    submitting = threading.Thread(target=submit_no)
    submitting.start()
    try:
        submitting.join(1.0)
        assert submitting.is_alive(), "the submission did not wait for the edit"
        editing.commit()
    finally:
        editing.close()
        submitting.join(10)
    assert refused, "submitted"
    assert isinstance(refused[0], IncompleteResponse), repr(refused[0])
    assert refused[0].changed == ["q1"]
    db.expire_all()
    assert db.scalar(select(func.count(Revision.id))) == 0


# Preview


def test_preview_starts_at_the_first_question(draft, client):
    response = client.get("/admin/build/DRAFT-1/preview")
    assert response.headers["Location"].endswith("/admin/build/DRAFT-1/preview/q1")


def test_preview_shows_the_respondents_question_page(draft, get_page):
    page = get_page("/admin/build/DRAFT-1/preview/q1")
    legend = page.select_one("legend")
    assert normalise(legend.text) == "Do you agree with the proposed new end date?"
    assert [i["value"] for i in page.select("input[name=answer]")] == ["Yes", "No"]
    assert (
        normalise(page.select_one("label[for=rationale]").text) == "Please provide your rationale"
    )
    assert "Nothing is saved" in banner(page)


def test_preview_checks_answers_as_respondents_would_and_stores_nothing(db, draft, get_page):
    page = get_page(
        "/admin/build/DRAFT-1/preview/q1",
        method="post",
        follow_redirects=True,
        data={"action": "continue"},
    )
    assert error_messages(page) == ["Select an answer to question 1"]
    response = get_page(
        "/admin/build/DRAFT-1/preview/q1",
        method="post",
        data={"answer": "Yes", "action": "continue"},
        follow_redirects=True,
    )
    assert normalise(response.select_one("legend").text) == "Which of your systems are affected?"
    assert audit_events(db) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"options": "Yes"}, "options"),
        ({"kind": "text"}, "options"),
        ({"max_length": "999999"}, "max_length"),
        ({"kind": "text", "options": "", "rationale_prompt": "Why?"}, "rationale_prompt"),
    ],
)
def test_a_refusal_is_shown_on_the_field_it_concerns(draft, get_page, overrides, field):
    page = get_page(
        "/admin/build/DRAFT-1/questions/new", method="post", data=question_form(**overrides)
    )
    links = [a["href"] for a in page.select(".govuk-error-summary__list a")]
    assert links == [f"#{field}"]
    assert page.select_one(f"#{field}-error") is not None
