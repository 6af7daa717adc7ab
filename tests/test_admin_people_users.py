"""SECAS invite users, change their roles, deactivate and reactivate them."""

import pyotp
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from consult.models import AuditEvent, Role, User
from tests import factories
from tests.conftest import empty_descriptions, normalise, scrolling_tables
from tests.people_helpers import banner, error_summary, link_in, outbox, table_rows


@pytest.fixture
def signed_in(secas, login):
    login(secas)
    return secas


def invite(get_page, **data):
    return get_page("/admin/users/invite", method="post", data=data, follow_redirects=True)


def test_inviting_a_respondent_creates_them_without_a_password_and_emails_a_link(
    db, organisation, signed_in, get_page
):
    page = invite(
        get_page,
        name="Ada Lovelace",
        email=" Ada@Example.com ",
        role="respondent",
        organisation=str(organisation.id),
    )
    assert banner(page) == "Success An invitation is on its way to ada@example.com."
    assert "Invited" in normalise(page.select_one("#user-details").text)
    user = db.scalar(select(User).where(User.email == "ada@example.com"))
    assert user.password_hash is None and user.organisation_id == organisation.id
    [message] = outbox(db, "invitation")
    assert message.to_address == "ada@example.com"
    assert link_in(message).startswith("/account/set-password/")


def test_a_respondent_needs_an_organisation(signed_in, get_page):
    page = get_page(
        "/admin/users/invite",
        method="post",
        data={"name": "Ada", "email": "ada@example.com", "role": "respondent"},
    )
    assert error_summary(page) == ["Select the respondent’s organisation"]


def test_a_respondent_without_name_or_organisation_is_told_both_at_once(signed_in, get_page):
    page = get_page(
        "/admin/users/invite",
        method="post",
        data={"email": "ada@example.com", "role": "respondent"},
    )
    assert error_summary(page) == [
        "Enter the person’s full name",
        "Select the respondent’s organisation",
    ]
    assert page.select_one(".govuk-error-summary a[href='#organisation']") is not None


def test_an_empty_invitation_lists_every_problem(signed_in, get_page):
    page = get_page("/admin/users/invite", method="post", data={})
    assert error_summary(page) == [
        "Enter the person’s full name",
        "Enter the person’s email address",
        "Select a role",
    ]


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "@example.com"])
def test_a_malformed_email_address_is_refused(signed_in, get_page, email):
    page = get_page(
        "/admin/users/invite",
        method="post",
        data={"name": "Ada", "email": email, "role": "panel"},
    )
    assert error_summary(page) == [
        "Enter an email address in the correct format, like name@example.com"
    ]


def test_an_existing_email_address_is_refused(respondent, signed_in, get_page):
    page = get_page(
        "/admin/users/invite",
        method="post",
        data={"name": "Ada", "email": respondent.email.upper(), "role": "panel"},
    )
    assert error_summary(page) == [
        f"A user with the email address {respondent.email} already exists"
    ]


def test_the_invite_and_role_forms_have_no_empty_hint(respondent, signed_in, get_page):
    for url in ("/admin/users/invite", f"/admin/users/{respondent.id}/role"):
        page = get_page(url)
        assert empty_descriptions(page) == [], url
        assert [h["id"] for h in page.select(".govuk-hint") if not h.text.strip()] == [], url


def test_the_users_table_scrolls_sideways_by_keyboard(respondent, signed_in, get_page):
    assert scrolling_tables(get_page("/admin/users")) == [("region", "Users", "0")]


def test_a_tampered_role_is_refused_not_a_server_error(signed_in, get_page):
    page = get_page(
        "/admin/users/invite",
        method="post",
        data={"name": "Ada", "email": "ada@example.com", "role": "admin"},
    )
    assert error_summary(page) == ["Select a role"]


def test_the_users_list_shows_role_organisation_and_status(db, respondent, signed_in, get_page):
    rows = table_rows(get_page("/admin/users"), "#users")
    assert [respondent.name, respondent.email, "Respondent", "British Gas", "Active"] in rows
    assert ["SECAS Analyst", signed_in.email, "SECAS", "", "Active"] in rows


def test_changing_a_role_moves_a_respondent_to_the_panel_and_is_audited(
    db, respondent, signed_in, get_page
):
    page = get_page(
        f"/admin/users/{respondent.id}/role",
        method="post",
        data={"role": "panel", "organisation": ""},
        follow_redirects=True,
    )
    assert "Panel member" in normalise(page.select_one("#user-details").text)
    db.expire_all()
    assert respondent.role is Role.panel and respondent.organisation_id is None
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert event.detail["before"]["role"] == "respondent"
    assert event.detail["after"] == {"role": "panel", "organisation_id": None}


def test_making_someone_a_respondent_needs_an_organisation(panel, signed_in, get_page):
    page = get_page(f"/admin/users/{panel.id}/role", method="post", data={"role": "respondent"})
    assert error_summary(page) == ["Select the respondent’s organisation"]


def test_secas_cannot_change_their_own_role(signed_in, get_page):
    page = get_page(f"/admin/users/{signed_in.id}/role", method="post", data={"role": "panel"})
    assert error_summary(page) == ["You cannot change your own role: ask another SECAS user"]


def signed_in_client(app, user):
    """A client of its own: pytest-flask's ``client`` keeps each request's context alive
    until its next request, which another client's request would then share."""
    own = app.test_client()
    response = own.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return own


def test_a_role_change_ends_the_users_sessions(app, respondent, secas):
    theirs = signed_in_client(app, respondent)
    assert theirs.get("/account/preferences").status_code == 200
    admin = signed_in_client(app, secas)
    admin.post(f"/admin/users/{respondent.id}/role", data={"role": "panel"})
    assert theirs.get("/account/preferences").status_code == 302


def test_deactivation_asks_for_confirmation_first(respondent, signed_in, get_page):
    page = get_page(f"/admin/users/{respondent.id}/deactivate")
    assert normalise(page.select_one("h1").text) == f"Deactivate {respondent.name}?"
    assert normalise(page.select_one("#confirm").text) == "Deactivate user"


def test_a_deactivated_user_is_signed_out_at_once_and_cannot_sign_in(app, db, respondent, secas):
    theirs = signed_in_client(app, respondent)
    admin = signed_in_client(app, secas)
    response = admin.post(f"/admin/users/{respondent.id}/deactivate", follow_redirects=True)
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert banner(page) == f"Success {respondent.name} is deactivated and signed out."
    response = theirs.get("/account/preferences")
    assert response.status_code == 302 and "/auth/login" in response.location
    response = app.test_client().post(
        "/auth/login", data={"email": respondent.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 200  # the form again, with an error
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "user.deactivated"))
    assert event.actor_id == secas.id


def test_secas_cannot_deactivate_themselves(signed_in, get_page):
    page = get_page(f"/admin/users/{signed_in.id}/deactivate", method="post")
    assert error_summary(page) == ["You cannot deactivate your own account"]


def test_a_reactivated_user_can_sign_in_again(app, respondent, secas):
    admin = signed_in_client(app, secas)
    admin.post(f"/admin/users/{respondent.id}/deactivate")
    admin.post(f"/admin/users/{respondent.id}/reactivate")
    response = app.test_client().post(
        "/auth/login", data={"email": respondent.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302


def test_an_invited_user_can_be_sent_a_new_invitation(db, signed_in, get_page, client):
    invite(get_page, name="Ada", email="ada@example.com", role="panel")
    user = db.scalar(select(User).where(User.email == "ada@example.com"))
    page = get_page(f"/admin/users/{user.id}/invitation", method="post", follow_redirects=True)
    assert banner(page) == "Success A new invitation is on its way to ada@example.com."
    first, second = outbox(db, "invitation")
    # Only the newest link works: the first may have gone to the wrong place.
    old = BeautifulSoup(client.get(link_in(first)).get_data(as_text=True), "html.parser")
    assert normalise(old.select_one("h1").text) == "This link has expired or has already been used"
    assert "stop working when a newer invitation is sent" in normalise(old.text)
    new = BeautifulSoup(client.get(link_in(second)).get_data(as_text=True), "html.parser")
    assert new.select_one("input[name=password]") is not None


def test_a_user_with_a_password_is_not_reinvited(db, respondent, signed_in, get_page):
    page = get_page(
        f"/admin/users/{respondent.id}/invitation", method="post", follow_redirects=True
    )
    assert "already set a password" in banner(page)
    assert outbox(db, "invitation") == []


def test_an_unknown_user_is_not_found(signed_in, get_page):
    get_page("/admin/users/999", status=404)
    get_page("/admin/users/999/deactivate", method="post", status=404)


def test_panel_members_cannot_manage_users(panel, login, client, respondent):
    login(panel)
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/admin/users/{respondent.id}/deactivate").status_code == 403


# Two-factor reset, for someone who lost their authenticator app


def test_the_user_page_says_whether_two_factor_is_set_up(db, panel, signed_in, get_page):
    rows = {
        normalise(r.select_one("dt").text): r
        for r in get_page(f"/admin/users/{panel.id}").select(".govuk-summary-list__row")
    }
    assert normalise(rows["Two-factor authentication"].select_one("dd").text) == "Not set up"
    assert rows["Two-factor authentication"].select_one("a") is None
    panel.totp_secret = pyotp.random_base32()
    db.commit()
    row = next(
        r
        for r in get_page(f"/admin/users/{panel.id}").select(".govuk-summary-list__row")
        if normalise(r.select_one("dt").text) == "Two-factor authentication"
    )
    assert normalise(row.select_one("dd").text) == "Set up"
    assert row.select_one("a")["href"] == f"/admin/users/{panel.id}/two-factor/reset"


def test_resetting_two_factor_signs_them_out_and_lets_them_in_with_a_new_app(app, db, panel, secas):
    panel.totp_secret = pyotp.random_base32()
    db.commit()
    theirs = app.test_client()
    theirs.post("/auth/login", data={"email": panel.email, "password": factories.PASSWORD})
    code = pyotp.TOTP(panel.totp_secret).now()
    assert theirs.post("/auth/two-factor", data={"code": code}).status_code == 302
    assert theirs.get("/panel/consultations").status_code == 200

    admin = signed_in_client(app, secas)
    page = BeautifulSoup(
        admin.get(f"/admin/users/{panel.id}/two-factor/reset").get_data(as_text=True),
        "html.parser",
    )
    assert normalise(page.select_one("h1").text) == (
        f"Reset two-factor authentication for {panel.name}?"
    )
    response = admin.post(f"/admin/users/{panel.id}/two-factor/reset", follow_redirects=True)
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert banner(page).startswith(f"Success {panel.name}’s two-factor authentication is reset.")

    assert "/auth/login" in theirs.get("/panel/consultations").location
    db.expire_all()
    assert panel.totp_secret is None
    credentials = {"email": panel.email, "password": factories.PASSWORD}
    assert theirs.post("/auth/login", data=credentials).location != "/auth/two-factor"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "user.two_factor_reset"))
    assert (event.actor_id, event.detail["user_id"]) == (secas.id, panel.id)


def test_resetting_two_factor_that_is_not_set_up_says_so(panel, signed_in, get_page):
    page = get_page(f"/admin/users/{panel.id}/two-factor/reset", method="post")
    assert error_summary(page) == [f"{panel.name} has not set up two-factor authentication"]


def test_two_messages_waiting_are_both_shown_with_their_own_titles(
    respondent, signed_in, client, get_page
):
    client.post(f"/admin/users/{respondent.id}/reactivate")
    client.post(f"/admin/users/{respondent.id}/reactivate")
    page = get_page(f"/admin/users/{respondent.id}")  # checks every id is unique
    banners = page.select(".govuk-notification-banner")
    assert [normalise(b.text) for b in banners] == [
        f"Important {respondent.name} is already active"
    ] * 2
    assert [b["aria-labelledby"] for b in banners] == [
        "govuk-notification-banner-title",
        "govuk-notification-banner-title-2",
    ]
