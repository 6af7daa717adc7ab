"""Rate limits on sign-in and reset requests, and the account lockout after failed sign-ins.

Each test's app has its own limiter storage, so counts never leak between tests.
"""

import pytest
from bs4 import BeautifulSoup

from consult import create_app
from tests import factories
from tests.conftest import normalise


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {
        **app_config,
        "RATELIMIT_SIGN_IN_PER_EMAIL": "3 per minute",
        "RATELIMIT_SIGN_IN_PER_IP": "6 per minute",
        "RATELIMIT_RESET_PER_EMAIL": "2 per hour",
        "RATELIMIT_RESET_PER_IP": "4 per hour",
        "SIGN_IN_LOCKOUT_ATTEMPTS": 100,
    }


def sign_in(client, email: str, password: str = factories.PASSWORD, ip: str = "127.0.0.1"):
    return client.post(
        "/auth/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def main_text(response) -> str:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return normalise(page.select_one("main").text)


def fail_times(client, email: str, times: int, ip: str = "127.0.0.1") -> None:
    for _ in range(times):
        assert sign_in(client, email, "not the password", ip).status_code == 200


def test_failed_sign_ins_for_one_address_are_held_off_with_when_to_try_again(
    respondent, client, get_page
):
    fail_times(client, respondent.email, 3)
    page = get_page(
        "/auth/login",
        method="post",
        status=429,
        data={"email": respondent.email, "password": "another guess"},
    )
    assert normalise(page.select_one("h1").text) == "Too many attempts to sign in"
    assert normalise(page.select_one("#wait").text) == "Wait 1 minute, then try again."


def test_the_wait_is_in_the_retry_after_header(respondent, client):
    fail_times(client, respondent.email, 3)
    response = sign_in(client, respondent.email)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_even_the_right_password_waits_once_the_limit_is_reached(respondent, client):
    fail_times(client, respondent.email, 3)
    assert sign_in(client, respondent.email).status_code == 429
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_unknown_addresses_are_limited_exactly_like_known_ones(respondent, client):
    """The limit says nothing about whether an account exists."""
    fail_times(client, "nobody@example.com", 3)
    unknown = sign_in(client, "nobody@example.com")
    fail_times(client, respondent.email, 3, ip="10.0.0.2")
    known = sign_in(client, respondent.email, "another guess", ip="10.0.0.2")
    assert unknown.status_code == known.status_code == 429
    assert main_text(unknown) == main_text(known)


def test_successful_sign_ins_never_count(respondent, client):
    for _ in range(8):
        assert sign_in(client, respondent.email).status_code == 302
        client.post("/auth/logout")


def test_one_address_being_limited_does_not_hold_up_another(respondent, colleague, client):
    fail_times(client, respondent.email, 3)
    assert sign_in(client, colleague.email).status_code == 302


def test_failures_from_one_address_across_many_accounts_are_limited(client):
    for n in range(6):
        fail_times(client, f"guess{n}@example.com", 1)
    assert sign_in(client, "guess99@example.com", "x").status_code == 429


def test_reset_requests_are_limited_per_address(respondent, client, get_page):
    for _ in range(2):
        assert (
            client.post("/account/reset-password", data={"email": respondent.email}).status_code
            == 200
        )
    page = get_page(
        "/account/reset-password", method="post", status=429, data={"email": respondent.email}
    )
    assert normalise(page.select_one("h1").text) == "Too many requests for a reset link"


def test_each_app_counts_on_its_own_storage(app, app_config, respondent, client):
    fail_times(client, respondent.email, 3)
    other = create_app(app_config)
    try:
        assert sign_in(other.test_client(), respondent.email).status_code == 302
    finally:
        other.extensions["consult.engine"].dispose()


def test_limits_can_be_turned_off(app_config, respondent):
    other = create_app({**app_config, "RATELIMIT_ENABLED": False})
    try:
        client = other.test_client()
        fail_times(client, respondent.email, 7)
        assert sign_in(client, respondent.email).status_code == 302
    finally:
        other.extensions["consult.engine"].dispose()
