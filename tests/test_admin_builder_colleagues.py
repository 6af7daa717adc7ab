"""Two SECAS colleagues editing the same details, question or section: the later save,
from a page opened before the earlier one, is refused with what is saved now, and
nothing typed is lost."""

import pytest
from bs4 import BeautifulSoup

from consult.admin import builder_service
from consult.errors import StaleEdit
from consult.models import Consultation, Role, Section
from tests import factories
from tests.admin_builder_helpers import banner, edited, error_messages, reload, shown_form
from tests.conftest import check_page, normalise

pytestmark = pytest.mark.usefixtures("signed_in_secas")

STALE = {
    "details": "A colleague changed these details after you opened this page. Yours has not "
    "been saved: compare it with what is saved now, then save again to keep yours",
    "question": "A colleague changed this question after you opened this page. Yours has not "
    "been saved: compare it with what is saved now, then save again to keep yours",
    "section": "A colleague changed this section after you opened this page. Yours has not "
    "been saved: compare it with what is saved now, then save again to keep yours",
}


@pytest.fixture
def signed_in_secas(secas, login):
    login(secas)
    return secas


@pytest.fixture
def draft(db):
    consultation = factories.make_consultation(db, "DRAFT-1", status="draft")
    consultation.sections.append(Section(position=1, title="The proposal"))
    db.commit()
    return consultation


@pytest.fixture
def colleague_saves(app, db, login):
    """A second SECAS user, in a browser of their own, opens a page, changes it and saves."""
    browser = app.test_client()
    login(factories.make_user(db, Role.secas, name="Alex Colleague"), browser)

    def save(url: str, **changes) -> None:
        page = BeautifulSoup(browser.get(url).get_data(as_text=True), "html.parser")
        response = browser.post(url, data=shown_form(page) | changes)
        assert response.status_code == 302, "the colleague's save was refused"

    return save


def saved_now(page) -> dict[str, str]:
    rows = page.select("#saved-now .govuk-summary-list__row")
    return {
        normalise(row.select_one("dt").text): "\n".join(row.select_one("dd").stripped_strings)
        for row in rows
    }


def test_a_question_changed_by_a_colleague_is_not_overwritten(db, draft, get_page, colleague_saves):
    url = "/admin/build/DRAFT-1/questions/q1"
    mine = shown_form(get_page(url))
    colleague_saves(url, text="Do you agree with ending the variations on 30 June?")
    page = get_page(url, method="post", data=mine | {"options": "Yes\nNo\nPartly"})
    assert error_messages(page) == [STALE["question"]]
    assert page.select_one(".govuk-error-summary a")["href"] == "#text"
    assert saved_now(page) == {
        "Question": "Do you agree with ending the variations on 30 June?",
        "Options": "Yes\nNo",
    }
    # What I typed is still in the form, to save again or change.
    assert page.select_one("#options").text.split() == ["Yes", "No", "Partly"]
    assert normalise(page.select_one("#text").text) == mine["text"].strip()
    question = reload(db, "DRAFT-1").questions[0]
    assert question.text == "Do you agree with ending the variations on 30 June?"
    assert question.options == ["Yes", "No"]


def test_saving_again_having_seen_the_colleagues_change_goes_through(
    db, draft, get_page, colleague_saves
):
    url = "/admin/build/DRAFT-1/questions/q1"
    mine = shown_form(get_page(url))
    colleague_saves(url, text="Do you agree with ending the variations on 30 June?")
    refused = get_page(url, method="post", data=mine | {"options": "Yes\nNo\nPartly"})
    again = shown_form(refused) | {"text": "Do you agree with ending them on 30 June?"}
    page = get_page(url, method="post", data=again, follow_redirects=True)
    assert banner(page) == "Success Question q1 is saved."
    question = reload(db, "DRAFT-1").questions[0]
    assert (question.text, question.options) == (
        "Do you agree with ending them on 30 June?",
        ["Yes", "No", "Partly"],
    )


def test_details_changed_by_a_colleague_are_not_overwritten(db, draft, get_page, colleague_saves):
    url = "/admin/build/DRAFT-1/details"
    mine = shown_form(get_page(url))
    colleague_saves(url, title="Ending the SSI variations")
    page = get_page(url, method="post", data=mine | {"summary": "A shorter summary."})
    assert error_messages(page) == [STALE["details"]]
    assert page.select_one(".govuk-error-summary a")["href"] == "#title"
    assert saved_now(page) == {"Title": "Ending the SSI variations", "Summary": draft.summary}
    assert normalise(page.select_one("#summary").text) == "A shorter summary."
    consultation = reload(db, "DRAFT-1")
    assert (consultation.title, consultation.summary) == (
        "Ending the SSI variations",
        draft.summary,
    )


def test_a_section_renamed_by_a_colleague_is_not_renamed_over(db, draft, get_page, colleague_saves):
    url = f"/admin/build/DRAFT-1/sections/{draft.sections[0].id}"
    mine = shown_form(get_page(url))
    colleague_saves(url, title="The proposed end date")
    page = get_page(url, method="post", data=mine | {"title": "Proposal"})
    assert error_messages(page) == [STALE["section"]]
    assert saved_now(page) == {"Section title": "The proposed end date"}
    assert page.select_one("#title")["value"] == "Proposal"
    assert [s.title for s in reload(db, "DRAFT-1").sections] == ["The proposed end date"]


@pytest.mark.parametrize("version", [None, "", "not-a-version"])
def test_a_save_without_the_pages_version_is_refused_as_stale(db, draft, client, version):
    url = "/admin/build/DRAFT-1/questions/q1"
    data = shown_form(BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser"))
    data = data | {"text": "Changed"}
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = client.post(url, data=data)
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    check_page(page)
    assert error_messages(page) == [STALE["question"]]
    assert reload(db, "DRAFT-1").questions[0].text != "Changed"


def test_a_colleagues_save_committed_after_the_page_was_read_is_seen(app, db, draft, secas):
    """On PostgreSQL the save's request may read the question before a colleague's save
    commits, and take the lock after: the version is checked against the question as
    read again under the lock."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: a save reads after any other commits")
    sessions = app.extensions["consult.sessionmaker"]
    with sessions() as mine:
        consultation = mine.get(Consultation, draft.id)
        question = builder_service.find_question(consultation, "q1")
        shown = builder_service.question_version(question)
        with sessions() as colleagues:
            theirs = builder_service.find_question(colleagues.get(Consultation, draft.id), "q1")
            changed = edited(theirs, text="Do you agree with ending them on 30 June?")
            builder_service.update_question(colleagues, theirs.consultation, theirs, changed, None)
            colleagues.commit()
        with pytest.raises(StaleEdit):
            builder_service.update_question(
                mine,
                consultation,
                question,
                edited(question, options=["Yes", "No", "Partly"]),
                secas.id,
                expected_version=shown,
            )
    assert reload(db, "DRAFT-1").questions[0].options == ["Yes", "No"]
