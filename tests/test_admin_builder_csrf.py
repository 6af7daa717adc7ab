"""Every builder and lifecycle form carries a CSRF token and refuses a POST without one."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from consult.models import AuditEvent
from tests import factories
from tests.admin_builder_helpers import details_form, question_form

PAGES = [
    "/admin/build/new",
    "/admin/build/duplicate",
    "/admin/build/DRAFT-1/details",
    "/admin/build/DRAFT-1/sections/new",
    "/admin/build/DRAFT-1/questions/new",
    "/admin/build/DRAFT-1/questions/q1",
    "/admin/build/DRAFT-1/questions/q1/delete",
    "/admin/build/DRAFT-1/documents/new",
    "/admin/consultations/DRAFT-1/publish",
]


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def token_of(client, url: str) -> str | None:
    page = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    field = page.select_one("main form input[name=csrf_token]")
    return field["value"] if field else None


@pytest.fixture
def draft(db, client, secas):
    consultation = factories.make_consultation(db, "DRAFT-1", status="draft")
    data = {"email": secas.email, "password": factories.PASSWORD}
    client.post("/auth/login", data={**data, "csrf_token": token_of(client, "/auth/login")})
    return consultation


@pytest.mark.parametrize("url", PAGES)
def test_each_form_carries_a_token(draft, client, url):
    assert token_of(client, url)


def test_the_overviews_move_buttons_carry_a_token(draft, client):
    page = BeautifulSoup(client.get("/admin/build/DRAFT-1").get_data(as_text=True), "html.parser")
    forms = page.select("#questions form")
    assert forms and all(f.select_one("input[name=csrf_token]")["value"] for f in forms)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/admin/build/new", details_form("NEW-1")),
        ("/admin/build/DRAFT-1/questions/new", question_form()),
        ("/admin/build/DRAFT-1/questions/q1/move", {"direction": "down"}),
        ("/admin/consultations/DRAFT-1/publish", {"when": "now"}),
    ],
)
def test_a_post_without_a_token_changes_nothing(db, draft, client, url, data):
    response = client.post(url, data=data)
    assert response.status_code in (302, 400)
    db.commit()
    assert db.scalars(select(AuditEvent)).all() == []


def test_a_form_with_its_token_goes_through(db, draft, client):
    token = token_of(client, "/admin/build/DRAFT-1/questions/new")
    response = client.post(
        "/admin/build/DRAFT-1/questions/new", data={**question_form(), "csrf_token": token}
    )
    assert response.status_code == 302
    db.commit()
    assert [e.action for e in db.scalars(select(AuditEvent))] == ["question.added"]
