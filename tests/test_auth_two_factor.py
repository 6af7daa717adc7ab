"""Two-factor sign-in with an authenticator app (TOTP): set up with a QR code, asked for
after the password, each code used once, required for the configured roles."""

import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from consult.db import utcnow
from consult.models import AuditEvent
from tests import factories
from tests.conftest import normalise
from tests.people_helpers import banner, error_summary


def sign_in(client, user, password: str = factories.PASSWORD):
    return client.post("/auth/login", data={"email": user.email, "password": password})


def code_at(secret: str, steps_ahead: int = 0) -> str:
    """A code for the current 30-second step, or one step later (still accepted)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


@pytest.fixture
def two_factor_secas(db, secas):
    secas.totp_secret = pyotp.random_base32()
    db.commit()
    return secas


def signed_in(client, user) -> None:
    assert sign_in(client, user).status_code == 302


# Setting up


def test_the_setup_page_shows_a_qr_code_and_the_key(secas, client, get_page):
    signed_in(client, secas)
    page = get_page("/account/two-factor")
    assert normalise(page.select_one("h1").text) == "Set up two-factor sign-in"
    image = page.select_one("img#qr-code")
    assert image["src"].startswith("data:image/svg+xml;base64,")
    assert image["alt"] == "QR code to add Consult to an authenticator app"
    key = "".join(page.select_one("#secret").text.split())
    assert len(key) == 32
    label = page.select_one("label[for=code]")
    assert normalise(label.text) == "Security code"


def test_a_code_from_the_app_turns_two_factor_on(db, secas, client, get_page):
    signed_in(client, secas)
    key = "".join(get_page("/account/two-factor").select_one("#secret").text.split())
    page = get_page(
        "/account/two-factor", method="post", data={"code": code_at(key)}, follow_redirects=True
    )
    assert banner(page) == (
        "Success Two-factor sign-in is on. You will need a code each time you sign in."
    )
    db.expire_all()
    assert secas.totp_secret == key
    assert "user.two_factor_on" in db.scalars(select(AuditEvent.action)).all()


def test_a_wrong_code_does_not_turn_it_on(db, secas, client, get_page):
    signed_in(client, secas)
    get_page("/account/two-factor")
    page = get_page("/account/two-factor", method="post", data={"code": "000000x"})
    assert error_summary(page) == ["Enter the 6-digit code shown in your authenticator app"]
    db.expire_all()
    assert secas.totp_secret is None


# Signing in


def test_sign_in_asks_for_a_code_after_the_password(two_factor_secas, client, get_page):
    response = sign_in(client, two_factor_secas)
    assert response.location == "/auth/two-factor"
    page = get_page("/auth/two-factor")
    assert normalise(page.select_one("h1").text) == "Enter your security code"
    assert "/auth/login" in client.get("/admin/consultations").location  # not yet signed in


def test_the_right_code_completes_sign_in(db, two_factor_secas, client):
    sign_in(client, two_factor_secas)
    response = client.post("/auth/two-factor", data={"code": code_at(two_factor_secas.totp_secret)})
    assert response.location == "/admin/consultations"
    assert client.get("/admin/consultations").status_code == 200


def test_a_wrong_code_is_refused_with_a_message(two_factor_secas, client, get_page):
    sign_in(client, two_factor_secas)
    page = get_page("/auth/two-factor", method="post", data={"code": "123456"})
    assert error_summary(page) == ["Enter the 6-digit code shown in your authenticator app"]
    assert "/auth/login" in client.get("/admin/consultations").location


def test_a_code_works_only_once(app, two_factor_secas):
    code = code_at(two_factor_secas.totp_secret)
    first, second = app.test_client(), app.test_client()
    sign_in(first, two_factor_secas)
    assert first.post("/auth/two-factor", data={"code": code}).status_code == 302
    sign_in(second, two_factor_secas)
    assert second.post("/auth/two-factor", data={"code": code}).status_code == 200
    later = code_at(two_factor_secas.totp_secret, steps_ahead=1)
    assert second.post("/auth/two-factor", data={"code": later}).status_code == 302


def test_wrong_codes_count_towards_the_lockout(app, db, two_factor_secas, client):
    app.config["SIGN_IN_LOCKOUT_ATTEMPTS"] = 3
    sign_in(client, two_factor_secas)
    for _ in range(3):
        client.post("/auth/two-factor", data={"code": "000000"})
    db.expire_all()
    assert two_factor_secas.locked_until is not None


def test_the_code_step_expires(two_factor_secas, client, get_page):
    sign_in(client, two_factor_secas)
    with client.session_transaction() as session:
        session["pending_at"] -= 301
    response = client.post("/auth/two-factor", data={"code": code_at(two_factor_secas.totp_secret)})
    assert response.location == "/auth/login"
    page = get_page("/auth/login")
    assert banner(page) == "Important Sign in again: the code was not entered within 5 minutes."


def test_the_password_step_alone_gives_no_access_to_another_user(two_factor_secas, client):
    sign_in(client, two_factor_secas)
    with client.session_transaction() as session:
        assert "_user_id" not in session


# Turning it off


def test_a_user_whose_role_may_choose_turns_it_off_with_a_code(db, respondent, client, get_page):
    respondent.totp_secret = pyotp.random_base32()
    db.commit()
    sign_in(client, respondent)
    client.post("/auth/two-factor", data={"code": code_at(respondent.totp_secret)})
    later = code_at(respondent.totp_secret, steps_ahead=1)
    page = get_page(
        "/account/two-factor/turn-off", method="post", data={"code": later}, follow_redirects=True
    )
    assert banner(page) == "Success Two-factor sign-in is off."
    db.expire_all()
    assert respondent.totp_secret is None


# Required for some roles (configured for every test here; respondents may choose)


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "TWO_FACTOR_REQUIRED_ROLES": ["secas", "panel"]}


@pytest.mark.parametrize("role", ["secas", "panel"])
def test_a_required_role_must_set_it_up_before_anything_else(request, client, get_page, role):
    user = request.getfixturevalue(role)
    signed_in(client, user)
    response = client.get("/consultations")
    assert response.location == "/account/two-factor"
    page = get_page("/account/two-factor")
    assert normalise(page.select_one("#two-factor-required").text) == (
        "Your role must use two-factor sign-in. Set it up to continue using Consult."
    )


def test_respondents_are_not_required_to(respondent, client):
    signed_in(client, respondent)
    assert client.get("/consultations").status_code == 200


def test_once_set_up_the_required_user_carries_on(secas, client, get_page):
    signed_in(client, secas)
    key = "".join(get_page("/account/two-factor").select_one("#secret").text.split())
    client.post("/account/two-factor", data={"code": code_at(key)})
    assert client.get("/admin/consultations").status_code == 200


def test_a_required_role_cannot_turn_it_off(db, two_factor_secas, client):
    sign_in(client, two_factor_secas)
    client.post("/auth/two-factor", data={"code": code_at(two_factor_secas.totp_secret)})
    later = code_at(two_factor_secas.totp_secret, steps_ahead=1)
    client.post("/account/two-factor/turn-off", data={"code": later})
    db.expire_all()
    assert two_factor_secas.totp_secret is not None


def test_a_locked_account_cannot_finish_with_a_code(db, two_factor_secas, client):
    sign_in(client, two_factor_secas)
    two_factor_secas.locked_until = utcnow() + timedelta(minutes=5)
    db.commit()
    response = client.post("/auth/two-factor", data={"code": code_at(two_factor_secas.totp_secret)})
    assert response.status_code == 429
