"""Account lockout: after the configured number of failed sign-ins (passwords or
two-factor codes) the account refuses sign-in for a while. Counted in the database, so it
holds across processes and hosts; the rate limiter is off here to test lockout alone."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.db import utcnow
from consult.models import AuditEvent
from tests import factories
from tests.conftest import normalise


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {
        **app_config,
        "RATELIMIT_ENABLED": False,
        "SIGN_IN_LOCKOUT_ATTEMPTS": 3,
        "SIGN_IN_LOCKOUT_MINUTES": 15,
    }


def sign_in(client, email: str, password: str = factories.PASSWORD):
    return client.post("/auth/login", data={"email": email, "password": password})


def test_an_account_locks_after_the_configured_failures(db, respondent, client):
    for _ in range(3):
        assert sign_in(client, respondent.email, "wrong").status_code == 200
    db.expire_all()
    assert respondent.locked_until is not None


def test_a_locked_account_refuses_even_the_right_password_and_says_how_long(
    respondent, client, get_page
):
    for _ in range(3):
        sign_in(client, respondent.email, "wrong")
    data = {"email": respondent.email, "password": factories.PASSWORD}
    page = get_page("/auth/login", method="post", status=429, data=data)
    assert normalise(page.select_one("h1").text) == "Too many attempts to sign in"
    assert normalise(page.select_one("#wait").text) == "Wait 15 minutes, then try again."
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_the_lock_page_offers_a_password_reset(respondent, client, get_page):
    for _ in range(3):
        sign_in(client, respondent.email, "wrong")
    data = {"email": respondent.email, "password": "wrong"}
    page = get_page("/auth/login", method="post", status=429, data=data)
    assert page.select_one("main a[href='/account/reset-password']")


def test_a_lock_ends_after_its_time(db, respondent, client):
    respondent.locked_until = utcnow() - timedelta(seconds=1)
    respondent.failed_sign_ins = 2
    db.commit()
    assert sign_in(client, respondent.email).status_code == 302
    db.expire_all()
    assert respondent.failed_sign_ins == 0 and respondent.locked_until is None


def test_a_successful_sign_in_resets_the_count(db, respondent, client):
    for _ in range(2):
        sign_in(client, respondent.email, "wrong")
    assert sign_in(client, respondent.email).status_code == 302
    db.expire_all()
    assert respondent.failed_sign_ins == 0


def test_unknown_addresses_change_nothing(db, respondent, client):
    for _ in range(5):
        assert sign_in(client, "nobody@example.com", "wrong").status_code == 200
    db.expire_all()
    assert respondent.failed_sign_ins == 0


def test_locking_is_audited(db, respondent, client):
    for _ in range(3):
        sign_in(client, respondent.email, "wrong")
    db.expire_all()
    assert db.scalars(select(AuditEvent.action)).all() == ["user.locked"]


def test_a_password_reset_unlocks_the_account(db, respondent):
    from consult.auth.service import set_password

    respondent.locked_until = utcnow() + timedelta(minutes=10)
    db.commit()
    set_password(db, respondent, "a fresh memorable passphrase", reason="reset")
    db.commit()
    assert respondent.locked_until is None
