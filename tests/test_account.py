"""A user's own account: e-mail preferences; setting a password from an invitation;
resetting a forgotten password. Links are signed, expire and work once."""

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from consult.models import User
from tests import factories
from tests.conftest import normalise
from tests.people_helpers import banner, error_summary, link_in, outbox

NEW_PASSWORD = "a brand new passphrase"


def signed_in_client(app, email: str, password: str = factories.PASSWORD):
    own = app.test_client()
    response = own.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 302, f"sign-in failed for {email}"
    return own


# Preferences


def test_preferences_show_the_current_choices(respondent, login, get_page):
    login(respondent)
    page = get_page("/account/preferences")
    legend = normalise(page.select_one("legend").text)
    assert legend == "Which emails do you want?"
    boxes = page.select("input[name=emails]")
    assert [box.has_attr("checked") for box in boxes] == [True, True, True]


def test_a_user_opts_out_of_reminders(db, respondent, login, get_page):
    login(respondent)
    page = get_page(
        "/account/preferences",
        method="post",
        data={"emails": ["new_consultations"]},
        follow_redirects=True,
    )
    assert banner(page) == "Success Your email preferences are saved."
    db.expire_all()
    assert respondent.notify_new_consultations and not respondent.notify_reminders


def test_unticking_everything_opts_out_of_all(db, respondent, login, get_page):
    login(respondent)
    get_page("/account/preferences", method="post", data={}, follow_redirects=True)
    db.expire_all()
    assert not respondent.notify_new_consultations and not respondent.notify_reminders
    assert not respondent.notify_colleagues


def test_a_tampered_choice_is_refused(respondent, login, get_page):
    login(respondent)
    page = get_page("/account/preferences", method="post", data={"emails": ["spam"]})
    assert error_summary(page)


def test_preferences_need_a_sign_in(client):
    response = client.get("/account/preferences")
    assert response.status_code == 302 and "/auth/login" in response.location


# Invitations


@pytest.fixture
def invitation(app, db, organisation, secas):
    """An invited respondent and the path of the link in their e-mail."""
    admin = signed_in_client(app, secas.email)
    admin.post(
        "/admin/users/invite",
        data={
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "role": "respondent",
            "organisation": str(organisation.id),
        },
    )
    [message] = outbox(db, "invitation")
    return link_in(message)


def test_the_invited_user_sets_a_password_and_signs_in(app, db, invitation, get_page):
    page = get_page(invitation)
    assert normalise(page.select_one("h1").text) == "Set your password"
    page = get_page(
        invitation,
        method="post",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert banner(page) == "Success Your password is set. Sign in with it now."
    signed_in_client(app, "ada@example.com", NEW_PASSWORD)


def test_an_invitation_link_works_once(invitation, get_page):
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    get_page(invitation, method="post", data=data, follow_redirects=True)
    page = get_page(invitation, status=404)
    assert normalise(page.select_one("h1").text) == (
        "This link has expired or has already been used"
    )


def test_an_expired_invitation_is_refused(app, invitation, get_page):
    app.config["INVITATION_MAX_AGE_SECONDS"] = -1
    get_page(invitation, status=404)


def test_a_forged_or_mangled_link_is_refused(app, db, respondent, get_page):
    get_page("/account/set-password/not-a-token", status=404)
    forged = URLSafeTimedSerializer("wrong secret", salt="consult.invitation").dumps(
        {"user": respondent.id, "fp": "x"}
    )
    get_page(f"/account/set-password/{forged}", status=404)


def test_a_reset_link_cannot_be_used_as_an_invitation(app, db, respondent, client, get_page):
    client.post("/account/reset-password", data={"email": respondent.email})
    token = link_in(outbox(db, "password_reset")[0]).rsplit("/", 1)[1]
    get_page(f"/account/set-password/{token}", status=404)


def test_mismatched_or_short_passwords_show_errors(invitation, get_page):
    page = get_page(invitation, method="post", data={"password": "short", "confirm": "other"})
    assert error_summary(page) == [
        "The password must be at least 10 characters",
        "The passwords do not match",
    ]
    assert page.select_one("title").text.startswith("Error: ")


def test_an_invitation_to_a_deactivated_user_no_longer_works(app, db, invitation, get_page):
    user = db.scalar(select(User).where(User.email == "ada@example.com"))
    user.active = False
    db.commit()
    get_page(invitation, status=404)


# Password reset


def test_the_sign_in_page_links_to_password_reset(get_page):
    link = get_page("/auth/login").select_one("#forgot-password")
    assert normalise(link.text) == "Forgot your password?"
    assert link["href"] == "/account/reset-password"


def test_the_same_message_whether_or_not_the_address_exists(db, respondent, get_page):
    known = get_page("/account/reset-password", method="post", data={"email": respondent.email})
    unknown = get_page("/account/reset-password", method="post", data={"email": "no@example.com"})
    assert normalise(known.select_one("h1").text) == normalise(unknown.select_one("h1").text)
    assert normalise(known.select_one("#reset-sent").text).replace(respondent.email, "X") == (
        normalise(unknown.select_one("#reset-sent").text).replace("no@example.com", "X")
    )
    assert [m.to_address for m in outbox(db)] == [respondent.email]


def test_an_empty_reset_request_shows_an_error(get_page):
    page = get_page("/account/reset-password", method="post", data={"email": ""})
    assert error_summary(page) == ["Enter your email address"]


def test_a_reset_request_for_something_not_an_address_says_so(db, get_page):
    page = get_page("/account/reset-password", method="post", data={"email": "not an email"})
    assert error_summary(page) == [
        "Enter an email address in the correct format, like name@example.com"
    ]
    assert outbox(db) == []


def test_a_reset_ends_other_sessions_and_the_new_password_works(app, db, respondent, client):
    elsewhere = signed_in_client(app, respondent.email)
    client.post("/account/reset-password", data={"email": respondent.email})
    link = link_in(outbox(db, "password_reset")[0])
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = app.test_client().post(link, data=data)
    assert response.status_code == 302
    assert elsewhere.get("/account/preferences").status_code == 302
    signed_in_client(app, respondent.email, NEW_PASSWORD)
    response = app.test_client().post(
        "/auth/login", data={"email": respondent.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 200  # the old password no longer works
    assert app.test_client().get(link).status_code == 404  # nor does the link


def test_a_deactivated_user_is_sent_no_reset_link(db, respondent, get_page):
    respondent.active = False
    db.commit()
    get_page("/account/reset-password", method="post", data={"email": respondent.email})
    assert outbox(db) == []


def test_the_sign_in_session_survives_unrelated_changes(app, db, respondent):
    theirs = signed_in_client(app, respondent.email)
    respondent.name = "Renamed"
    db.commit()
    assert theirs.get("/account/preferences").status_code == 200


def test_a_page_of_the_reset_flow_renders_for_visitors(get_page):
    page = get_page("/account/reset-password")
    assert normalise(page.select_one("label[for=email]").text) == "Email address"
