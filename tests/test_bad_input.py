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
