"""With CSRF protection on, every people, oversight, outbox and account form carries a
token and a POST without one changes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.db import utcnow
from consult.models import LateAllowance, User
from tests import factories
from tests.test_auth_csrf import sign_in_with_token


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def admin(client, secas):
    sign_in_with_token(client, secas)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/organisations/new",
        "/admin/users/invite",
        "/admin/consultations/SSI-2017/remind",
        "/account/preferences",
    ],
)
def test_forms_carry_a_token(db, admin, get_page, path):
    factories.make_consultation(db, "SSI-2017")
    page = get_page(path)
    assert page.select_one("form[method=post] input[name=csrf_token]")["value"]


def test_a_deactivation_without_a_token_is_refused(db, admin, respondent, get_page):
    get_page(f"/admin/users/{respondent.id}/deactivate", method="post", data={}, status=400)
    db.expire_all()
    assert db.scalar(select(User).where(User.id == respondent.id)).active


def test_a_reset_request_without_a_token_is_refused(client, respondent):
    response = client.post("/account/reset-password", data={"email": respondent.email})
    assert response.status_code == 400


def test_a_revocation_without_a_token_is_refused(db, admin, organisation, get_page):
    consultation = factories.make_consultation(db, "SSI-2017", status="closed")
    factories.grant_late_allowance(db, consultation, organisation, utcnow() + timedelta(days=3))
    url = f"/admin/consultations/SSI-2017/organisations/{organisation.id}/late-allowance/revoke"
    assert get_page(url).select_one("form[method=post] input[name=csrf_token]")["value"]
    get_page(url, method="post", data={"reason": "No token"}, status=400)
    db.expire_all()
    assert db.scalar(select(LateAllowance)) is not None
