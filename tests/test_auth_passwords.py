"""The password policy, wherever a password is set: the create-user command, an
invitation, a reset and a change. Common passwords are found offline (zxcvbn's lists)."""

import pytest

from consult.auth.policy import password_problem
from tests.cli_helpers import assert_refused, invoke, row_counts
from tests.people_helpers import error_summary, link_in, outbox


@pytest.mark.parametrize(
    "password",
    ["a brand new passphrase", "umbrella violin gravel orbit", "Tr0ub4dor&3-horse-staple"],
)
def test_long_uncommon_passwords_are_accepted(password):
    assert password_problem(password, email="ada@example.com", name="Ada Lovelace") is None


@pytest.mark.parametrize(
    ("password", "start"),
    [
        ("short", "The password must be at least 10 characters"),
        ("x" * 201, "The password must be 200 characters or fewer"),
        ("password123", "The password is too common"),
        ("qwertyuiop", "The password is too common"),
        ("1234567890", "The password is too common"),
        ("aaaaaaaaaaaa", "The password is too easy to guess"),
        ("abcdefghijkl", "The password is too easy to guess"),
    ],
)
def test_short_common_or_guessable_passwords_are_refused(password, start):
    assert password_problem(password).startswith(start)


@pytest.mark.parametrize(
    "password",
    ["ada.lovelace@example.com", "ada.lovelace2024", "AdaLovelace!!99", "my ada lovelace pw"],
)
def test_passwords_built_from_the_users_details_are_refused(password):
    problem = password_problem(password, email="ada.lovelace@example.com", name="Ada Lovelace")
    assert problem == "The password must not contain your email address or name"


def test_create_user_refuses_a_common_password_and_changes_nothing(app):
    before = row_counts(app)
    result = invoke(
        app,
        "create-user",
        "new@example.com",
        "--name",
        "New Person",
        "--role",
        "panel",
        "--password-stdin",
        input="password1234\n",
    )
    assert_refused(result, "too common")
    assert row_counts(app) == before


def test_create_user_refuses_the_users_own_address(app):
    result = invoke(
        app,
        "create-user",
        "grace.hopper@example.com",
        "--name",
        "Grace Hopper",
        "--role",
        "panel",
        "--password-stdin",
        input="grace.hopper@example.com\n",
    )
    assert_refused(result, "must not contain your email address or name")


def test_a_reset_refuses_a_common_password_with_a_message(db, respondent, client, get_page):
    client.post("/account/reset-password", data={"email": respondent.email})
    link = link_in(outbox(db, "password_reset")[0])
    data = {"password": "iloveyou123", "confirm": "iloveyou123"}
    page = get_page(link, method="post", data=data)
    [message] = error_summary(page)
    assert message.startswith("The password is too common")
    db.expire_all()
    assert respondent.session_epoch == 0  # nothing changed


def test_the_new_password_hint_states_the_rules(db, respondent, client, get_page):
    client.post("/account/reset-password", data={"email": respondent.email})
    page = get_page(link_in(outbox(db, "password_reset")[0]))
    hint = " ".join(page.select_one("#password-hint").text.split())
    assert "not a common password" in hint and "not your name or email address" in hint
