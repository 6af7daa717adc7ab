"""Only SECAS may use the console: visitors sign in first, other roles are refused."""

import pytest
from sqlalchemy import select

from consult.models import Consultation, DeadlineChange
from tests import factories

PAGES = [
    "/admin/consultations",
    "/admin/consultations/DRAFT-1/publish",
    "/admin/consultations/OPEN-1/close",
    "/admin/consultations/OPEN-1/extend",
    "/admin/audit",
]


@pytest.fixture(autouse=True)
def consultations(db):
    factories.make_consultation(db, "DRAFT-1", status="draft")
    factories.make_consultation(db, "OPEN-1", status="open")


@pytest.mark.parametrize("path", PAGES)
def test_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", ["respondent", "panel"])
def test_respondent_and_panel_are_refused(request, login, get_page, path, role):
    login(request.getfixturevalue(role))
    page = get_page(path, status=403)
    assert page.select_one("h1").text.strip() == "You do not have permission to see this page"


@pytest.mark.parametrize("path", PAGES[2:4])
@pytest.mark.parametrize("role", ["respondent", "panel"])
def test_posting_an_action_without_the_role_changes_nothing(request, db, login, client, path, role):
    login(request.getfixturevalue(role))
    data = {"closes_date": ["1", "1", "2099"], "closes_time": "17:00", "reason": "x"}
    assert client.post(path, data=data).status_code == 403
    assert db.scalars(select(DeadlineChange)).all() == []


def test_visitor_posting_an_action_is_sent_to_sign_in(db, client):
    response = client.post("/admin/consultations/DRAFT-1/publish")
    assert response.status_code == 302
    draft = db.scalar(select(Consultation).where(Consultation.reference == "DRAFT-1"))
    assert draft.published_at is None


@pytest.mark.parametrize("path", PAGES)
def test_secas_may_use_every_page(secas, login, get_page, path):
    login(secas)
    get_page(path)
