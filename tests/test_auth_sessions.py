"""Sessions: renewed at sign-in, signed out after idling or after a fixed time, secure
cookies behind TLS, and 'sign out everywhere' when the password changes."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from consult.auth.service import end_sessions
from consult.models import Response
from tests import factories
from tests.conftest import normalise
from tests.people_helpers import banner, error_summary
from tests.responses_helpers import QUESTIONS

NEW_PASSWORD = "umbrella violin gravel orbit"


def sign_in(client, user, password: str = factories.PASSWORD):
    response = client.post("/auth/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, f"sign-in failed for {user.email}"
    return response


def age_session(client, **seconds_ago: int) -> None:
    """Move the session's recorded times into the past."""
    with client.session_transaction() as session:
        for key, seconds in seconds_ago.items():
            session[key] -= seconds


# Renewal at sign-in


def test_signing_in_issues_a_new_session_cookie(respondent, client):
    with client.session_transaction() as session:
        session["visited"] = True
    before = client.get_cookie("session").value
    sign_in(client, respondent)
    assert client.get_cookie("session").value != before


def test_a_cookie_from_before_sign_in_is_useless_afterwards(app, respondent, client):
    with client.session_transaction() as session:
        session["visited"] = True
    planted = client.get_cookie("session").value
    sign_in(client, respondent)
    attacker = app.test_client()
    attacker.set_cookie("session", planted, domain="localhost")
    response = attacker.get("/account/preferences")
    assert response.status_code == 302 and "/auth/login" in response.location


# Timeouts


def test_an_idle_session_is_signed_out_with_a_message(respondent, client, get_page):
    sign_in(client, respondent)
    age_session(client, seen_at=31 * 60, signed_in_at=31 * 60)
    response = client.get("/account/preferences")
    assert response.status_code == 302
    assert response.location == "/auth/login?next=/account/preferences"
    page = get_page(response.location)
    assert banner(page) == "Important You were signed out after 30 minutes without activity"
    assert page.select_one(".consult-account__name") is None


def test_activity_keeps_a_session_alive(respondent, client):
    sign_in(client, respondent)
    age_session(client, seen_at=29 * 60, signed_in_at=29 * 60)
    assert client.get("/account/preferences").status_code == 200
    age_session(client, seen_at=29 * 60)
    assert client.get("/account/preferences").status_code == 200


def test_a_session_ends_after_the_absolute_limit_however_active(respondent, client, get_page):
    sign_in(client, respondent)
    age_session(client, signed_in_at=12 * 3600 + 60)
    response = client.get("/consultations")
    assert "/auth/login" in response.location
    page = get_page(response.location)
    assert banner(page) == (
        "Important You were signed out because you signed in more than 12 hours ago"
    )


@pytest.mark.parametrize("idle", [5])
def test_the_idle_limit_is_configurable(app, respondent, client, idle):
    app.config["SESSION_IDLE_MINUTES"] = idle
    sign_in(client, respondent)
    age_session(client, seen_at=idle * 60 + 5)
    assert client.get("/account/preferences").status_code == 302


def test_an_expired_post_is_not_acted_on(db, respondent, client):
    sign_in(client, respondent)
    age_session(client, seen_at=31 * 60)
    response = client.post("/account/preferences", data={})
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert normalise(page.select_one("h1").text) == "You have been signed out"
    assert normalise(page.select_one("#signed-out-reason").text) == (
        "You were signed out after 30 minutes without activity. Nothing you sent was saved."
    )
    assert page.select_one("#sign-in-again")["href"] == "/auth/login?next=/account/preferences"
    db.refresh(respondent)
    assert respondent.notify_reminders  # the empty form would have turned it off
    assert page.select_one(".consult-account__name") is None
    assert client.get("/account/preferences").status_code == 302  # signed out


def test_an_answer_sent_after_the_session_ended_is_shown_back_not_lost(db, respondent, client):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    sign_in(client, respondent)
    age_session(client, seen_at=31 * 60)
    rationale = "A long rationale,\nwritten over half an hour."
    response = client.post(
        f"/consultations/{consultation.reference}/respond/q1",
        data={"version": "0", "answer": "No", "rationale": rationale, "action": "continue"},
    )
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    shown = [normalise(p.get_text(" ")) for p in page.select("#not-saved .govuk-inset-text p")]
    assert shown == ["No", "A long rationale, written over half an hour."]
    assert page.select_one("#sign-in-again")["href"] == (
        "/auth/login?next=/consultations/SSI-2017/respond/q1"
    )
    assert db.scalar(select(func.count()).select_from(Response)) == 0


def test_an_answer_sent_after_the_sessions_were_ended_elsewhere_is_shown_back(
    db, respondent, client
):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    sign_in(client, respondent)
    end_sessions(respondent)  # say, the password was changed on another device
    db.commit()
    response = client.post(
        f"/consultations/{consultation.reference}/respond/q1",
        data={"version": "0", "answer": "Yes", "rationale": "Typed here.", "action": "continue"},
    )
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert normalise(page.select_one("#signed-out-reason").text) == (
        "You were signed out: your password was changed, you signed out on another device, "
        "or your account was changed. Nothing you sent was saved."
    )
    assert "Typed here." in normalise(page.select_one("#not-saved").text)
    assert db.scalar(select(func.count()).select_from(Response)) == 0


def test_signing_out_after_the_idle_limit_still_ends_every_session(db, app, respondent, client):
    sign_in(client, respondent)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    age_session(client, seen_at=31 * 60)
    assert client.post("/auth/logout").location == "/consultations"
    db.refresh(respondent)
    assert respondent.session_epoch == 1
    assert "/auth/login" in copy.get("/account/preferences").location


def test_a_session_without_times_says_so_once(respondent, client):
    sign_in(client, respondent)
    with client.session_transaction() as session:
        del session["signed_in_at"]
    page = BeautifulSoup(client.post("/account/preferences").get_data(as_text=True), "html.parser")
    assert normalise(page.select_one("#signed-out-reason").text) == (
        "You were signed out. Sign in again to continue. Nothing you sent was saved."
    )


def test_a_session_without_times_is_not_trusted(respondent, client):
    sign_in(client, respondent)
    with client.session_transaction() as session:
        del session["signed_in_at"]
    assert "/auth/login" in client.get("/account/preferences").location


# Cookies


def test_the_session_cookie_is_secure_when_https_is_forced(app, respondent):
    app.config["FORCE_HTTPS"] = True
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    response = client.post(
        "/auth/login",
        base_url="https://localhost",
        data={"email": respondent.email, "password": factories.PASSWORD},
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def https_app_config(app_config: dict) -> dict:
    return {**app_config, "FORCE_HTTPS": True}


def test_forcing_https_turns_the_secure_cookie_on(https_app_config):
    from consult import create_app

    app = create_app(https_app_config)
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
    finally:
        app.extensions["consult.engine"].dispose()


# Changing the password


def test_the_change_password_page_is_labelled(respondent, client, get_page):
    sign_in(client, respondent)
    page = get_page("/account/password")
    assert normalise(page.select_one("h1").text) == "Change your password"
    labels = [normalise(label.text) for label in page.select("form label")]
    assert labels == ["Current password", "New password", "Confirm new password"]


def test_the_preferences_page_links_to_password_and_two_factor(respondent, client, get_page):
    sign_in(client, respondent)
    # The header names the page for all it holds (e-mails, password, two-factor sign-in).
    header = get_page("/consultations").select(".consult-account a")
    assert [(normalise(a.text), a["href"]) for a in header] == [
        ("Your account", "/account/preferences")
    ]
    page = get_page("/account/preferences")
    assert normalise(page.select_one("h1").text) == "Your account"
    links = page.select("#sign-in-settings a")
    assert [(normalise(a.text), a["href"]) for a in links] == [
        ("Change your password", "/account/password"),
        ("Two-factor sign-in (off)", "/account/two-factor"),
    ]


def test_a_wrong_current_password_is_refused(db, respondent, client, get_page):
    sign_in(client, respondent)
    data = {"current": "not it at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    page = get_page("/account/password", method="post", data=data)
    assert error_summary(page) == ["Your current password is not correct"]
    db.expire_all()
    assert respondent.session_epoch == 0


def test_a_common_new_password_is_refused(respondent, client, get_page):
    sign_in(client, respondent)
    data = {"current": factories.PASSWORD, "password": "password123", "confirm": "password123"}
    page = get_page("/account/password", method="post", data=data)
    [message] = error_summary(page)
    assert message.startswith("The password is too common")


def test_changing_the_password_signs_out_everywhere_else_but_here(
    app, db, respondent, client, get_page
):
    elsewhere = app.test_client()
    sign_in(elsewhere, respondent)
    sign_in(client, respondent)
    data = {"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    page = get_page("/account/password", method="post", data=data, follow_redirects=True)
    assert banner(page) == ("Success Your password is changed. You are signed out everywhere else.")
    assert client.get("/account/preferences").status_code == 200
    assert elsewhere.get("/account/preferences").status_code == 302
    sign_in(app.test_client(), respondent, NEW_PASSWORD)


def test_a_password_change_is_audited(db, respondent, client):
    from sqlalchemy import select

    from consult.models import AuditEvent

    sign_in(client, respondent)
    data = {"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    client.post("/account/password", data=data)
    db.expire_all()
    assert db.scalars(select(AuditEvent.action)).all() == ["user.password_changed"]


def test_changing_the_password_needs_a_sign_in(client):
    assert "/auth/login" in client.get("/account/password").location
