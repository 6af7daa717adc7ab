"""Input no person types but a crafted request can carry: refused with a message that says
what to fix, never a 500, and nothing saved before is lost. PostgreSQL cannot store a null
character at all, so these matter most there; the suite runs them on both databases."""

import pytest
from sqlalchemy import select

from consult.models import Answer, Organisation
from tests import factories
from tests.conftest import normalise
from tests.responses_helpers import QUESTIONS, respond_url

NUL_MESSAGE = "It contained a character that cannot be stored (a null character, code 0)."


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)


def refused(page) -> bool:
    return NUL_MESSAGE in normalise(page.select_one("main").text)


def test_a_null_character_in_an_address_is_refused(get_page, consultation):
    assert refused(get_page("/consultations/SSI%00", status=400))
    assert refused(get_page("/consultations?status=open%00", status=400))


def test_a_null_character_in_sign_in_is_refused(get_page, respondent):
    page = get_page(
        "/auth/login", method="post", status=400, data={"email": "a\x00@b.com", "password": "x"}
    )
    assert refused(page)
    assert normalise(page.select_one("header").text).count("Sign in") == 1  # as a visitor


def test_a_null_character_in_an_answer_is_refused_and_the_saved_answer_kept(
    db, get_page, login, respondent, consultation
):
    login(respondent)
    saved = {"version": "0", "action": "later", "answer": "Yes", "rationale": "We agree."}
    get_page(respond_url(consultation, "q1"), method="post", status=302, data=saved)
    crafted = {**saved, "version": "1", "rationale": "We\x00 agree."}
    page = get_page(respond_url(consultation, "q1"), method="post", status=400, data=crafted)
    assert refused(page)
    assert db.scalars(select(Answer.rationale)).all() == ["We agree."]


def test_a_null_character_in_an_organisation_name_is_refused(db, get_page, login, secas):
    login(secas)
    data = {"name": "Org\x00X", "category": "large_supplier"}
    assert refused(get_page("/admin/organisations/new", method="post", status=400, data=data))
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
