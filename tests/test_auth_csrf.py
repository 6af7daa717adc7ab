"""With CSRF protection on (as in production), a POST without its token is refused clearly."""

import re

import pytest
from sqlalchemy import select

from consult.models import Consultation
from tests import factories
from tests.conftest import normalise


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def token_from(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def sign_in_with_token(client, user) -> None:
    token = token_from(client, "/auth/login")
    data = {"email": user.email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 302


def test_sign_in_without_a_token_is_refused_with_a_clear_page(respondent, get_page):
    data = {"email": respondent.email, "password": factories.PASSWORD}
    page = get_page("/auth/login", method="post", data=data, status=400)
    assert normalise(page.select_one("h1").text) == "Your form expired"
    assert "reload the page and try again" in normalise(page.select_one("main").text)
    assert page.select_one(".consult-account__name") is None


def test_sign_in_with_the_token_works(respondent, client):
    sign_in_with_token(client, respondent)
    with client.session_transaction() as session:
        assert session["_user_id"] == str(respondent.id)


def test_sign_out_without_a_token_keeps_the_user_signed_in(respondent, client):
    sign_in_with_token(client, respondent)
    assert client.post("/auth/logout").status_code == 400
    with client.session_transaction() as session:
        assert session["_user_id"] == str(respondent.id)


def test_admin_action_without_a_token_changes_nothing(db, secas, client, get_page):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    sign_in_with_token(client, secas)
    page = get_page("/admin/consultations/DRAFT-1/publish", method="post", status=400)
    assert normalise(page.select_one("h1").text) == "Your form expired"
    db.expire_all()
    draft = db.scalar(select(Consultation).where(Consultation.reference == "DRAFT-1"))
    assert draft.published_at is None


def test_admin_action_with_the_token_from_its_page_works(db, secas, client):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    sign_in_with_token(client, secas)
    token = token_from(client, "/admin/consultations/DRAFT-1/publish")
    response = client.post("/admin/consultations/DRAFT-1/publish", data={"csrf_token": token})
    assert response.status_code == 302
    db.expire_all()
    draft = db.scalar(select(Consultation).where(Consultation.reference == "DRAFT-1"))
    assert draft.published_at is not None
