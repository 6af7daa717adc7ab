"""Behind TLS (FORCE_HTTPS): plain HTTP is redirected, HSTS is sent, cookies are Secure;
and the other protective headers are on every kind of response."""

import pytest


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "FORCE_HTTPS": True}


def test_https_responses_carry_hsts_for_a_year_with_subdomains(client):
    response = client.get("/consultations", base_url="https://localhost")
    assert response.status_code == 200
    directives = [d.strip() for d in response.headers["Strict-Transport-Security"].split(";")]
    max_age = int(directives[0].removeprefix("max-age="))
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in directives


def test_plain_http_is_redirected_to_https(client):
    response = client.get("/consultations")
    assert response.status_code in (301, 302)
    assert response.location.startswith("https://localhost/consultations")


def test_https_behind_a_proxy_is_recognised_by_its_forwarded_header(client):
    response = client.get("/consultations", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response.headers


@pytest.mark.parametrize("path", ["/consultations", "/auth/login", "/no-such-page", "/healthz"])
def test_every_response_refuses_framing_sniffing_and_leaky_referrers(client, path):
    response = client.get(path, base_url="https://localhost")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_too_many_attempts_page_is_protected_too(app, client, respondent):
    for _ in range(11):
        response = client.post(
            "/auth/login",
            base_url="https://localhost",
            data={"email": respondent.email, "password": "wrong"},
        )
    assert response.status_code == 429
    assert "Strict-Transport-Security" in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_session_cookie_is_secure(client, respondent):
    from tests import factories

    response = client.post(
        "/auth/login",
        base_url="https://localhost",
        data={"email": respondent.email, "password": factories.PASSWORD},
    )
    assert "; Secure" in response.headers["Set-Cookie"]
