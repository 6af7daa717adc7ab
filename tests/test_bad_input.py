"""Input no person means to send: refused with a message that says what to fix, never a
500, and neither what was typed nor what was saved before is lost. PostgreSQL cannot store a null
character at all, so these matter most there; the suite runs them on both databases."""

import pytest
from sqlalchemy import select

from consult.models import Answer, Organisation
from tests import factories
from tests.conftest import normalise
from tests.responses_helpers import QUESTIONS, respond_url, version_on

NUL_MESSAGE = "It contained a character that cannot be stored (a null character, code 0)."


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)


def refused(page) -> bool:
    return NUL_MESSAGE in normalise(page.select_one("main").text)


def test_a_null_character_in_an_address_is_refused(get_page, consultation):
    assert refused(get_page("/consultations/SSI%00", status=400))
    assert refused(get_page("/consultations?status=open%00", status=400))
    assert refused(get_page("/consultations?status=open&status=open%00", status=400))


def test_a_null_character_in_a_field_name_is_refused(get_page, login, respondent, consultation):
    login(respondent)
    data = {"version": "0", "action": "later", "answer": "Yes", "ration\x00ale": "x"}
    assert refused(get_page(respond_url(consultation, "q1"), method="post", status=400, data=data))


# A null character in what someone typed or pasted: the page comes back with the text
# (without it) and a message on the field, and nothing is saved until they send it again.

NUL_ERROR = (
    "contained a character that cannot be saved (a null character, code 0). "
    "It has been removed: check the text and try again"
)


def errors(page) -> list[str]:
    return [normalise(a.text) for a in page.select(".govuk-error-summary__list a")]


def test_a_null_character_in_sign_in_keeps_the_email_typed(get_page, respondent):
    data = {"email": f"{respondent.email}\x00", "password": "x"}
    page = get_page("/auth/login", method="post", data=data)
    assert errors(page) == [f"Email address {NUL_ERROR}"]
    assert page.select_one("input[name=email]")["value"] == respondent.email
    assert normalise(page.select_one("header").text).count("Sign in") == 1  # as a visitor


def test_a_null_character_in_a_rationale_keeps_the_text_and_the_saved_answer(
    db, get_page, login, respondent, consultation
):
    login(respondent)
    saved = {"version": "0", "action": "later", "answer": "Yes", "rationale": "We agree."}
    get_page(respond_url(consultation, "q1"), method="post", status=302, data=saved)
    version = version_on(get_page(respond_url(consultation, "q1")))
    pasted = {**saved, "version": version, "answer": "No", "rationale": "We\x00 disagree."}
    page = get_page(respond_url(consultation, "q1"), method="post", data=pasted)
    assert errors(page) == [f"Your rationale {NUL_ERROR}"]
    assert page.select_one(".govuk-error-summary__list a")["href"] == "#rationale"
    assert page.select_one("#rationale-error")
    assert page.select_one("textarea#rationale").text == "We disagree."
    assert page.select_one("input[name=answer][value=No]").has_attr("checked")
    assert db.scalars(select(Answer.rationale)).all() == ["We agree."]
    # Sent again as shown, it saves.
    again = {**pasted, "rationale": page.select_one("textarea#rationale").text}
    get_page(respond_url(consultation, "q1"), method="post", status=302, data=again)
    db.commit()  # end the read transaction, to see what the request committed
    assert db.scalars(select(Answer.rationale)).all() == ["We disagree."]


def test_a_null_character_in_a_text_answer_keeps_the_text(
    db, get_page, login, respondent, consultation
):
    login(respondent)
    data = {"version": "0", "action": "continue", "answer": "Little\x00 impact."}
    page = get_page(respond_url(consultation, "q3"), method="post", data=data)
    assert errors(page) == [f"Your answer {NUL_ERROR}"]
    assert page.select_one("textarea#answer").text == "Little impact."
    assert db.scalars(select(Answer)).all() == []


def test_a_null_character_in_an_organisation_name_keeps_the_name(db, get_page, login, secas):
    login(secas)
    data = {"name": "Org\x00X", "category": "large_supplier"}
    page = get_page("/admin/organisations/new", method="post", data=data)
    assert errors(page) == [f"Name {NUL_ERROR}"]
    assert page.select_one("input[name=name]")["value"] == "OrgX"
    assert db.scalar(select(Organisation).where(Organisation.name.like("Org%"))) is None


# Numbers: only ASCII digits, and no larger than the database's integers

HUGE = "99999999999999999999"


def test_an_id_too_large_for_the_database_is_not_found(get_page, login, secas):
    login(secas)
    get_page(f"/admin/users/{HUGE}", status=404)
    get_page(f"/admin/organisations/{HUGE}", status=404)


@pytest.mark.parametrize(
    "address",
    [
        f"/admin/audit?user={HUGE}",
        f"/admin/audit?consultation={HUGE}",
        f"/admin/audit.csv?user={HUGE}",
        f"/admin/audit?page={HUGE}",
        f"/admin/outbox?page={HUGE}",
        "/admin/outbox?page=%C2%B2",
    ],
)
def test_filters_and_pages_ignore_a_number_they_cannot_use(client, login, secas, address):
    login(secas)
    assert client.get(address).status_code == 200


def test_a_superscript_page_number_gets_a_message(get_page, login, panel, consultation):
    login(panel)
    address = f"/panel/consultations/{consultation.reference}/summary/questions/q3?page=%C2%B2"
    page = get_page(address, status=400)
    assert "The page number must be a whole number, 1 or more." in normalise(page.text)


WHOLE = "The character limit must be a whole number, like 2000"


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("²", WHOLE),
        ("0", WHOLE),
        (HUGE, "Character limit (optional) must be 6 characters or fewer"),
    ],
)
def test_a_character_limit_must_be_a_plain_whole_number(db, get_page, login, secas, limit, message):
    draft = factories.make_consultation(db, "DRAFT-1", status="draft")
    login(secas)
    data = {"kind": "text", "text": "Any comments?", "required": "no", "max_length": limit}
    data["section"] = ""
    page = get_page(f"/admin/build/{draft.reference}/questions/new", method="post", data=data)
    errors = [normalise(a.text) for a in page.select(".govuk-error-summary__list a")]
    assert errors == [message]


def test_every_form_reports_a_null_character(app):
    """A form built on FlaskForm directly would save the text with the null character
    silently removed: every form is a consult.forms.Form."""
    from flask_wtf import FlaskForm

    from consult.forms import Form

    def subclasses(cls: type) -> list[type]:
        return [sub for direct in cls.__subclasses__() for sub in (direct, *subclasses(direct))]

    plain = [c.__qualname__ for c in subclasses(FlaskForm) if c.__module__.startswith("consult")]
    plain = [name for name in plain if name != "Form"]
    forms = {c.__qualname__ for c in subclasses(Form)}
    assert forms and set(plain) <= forms, sorted(set(plain) - forms)
