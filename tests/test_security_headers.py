"""Security headers on every page: a strict CSP with no inline scripts, no framing."""

import base64
import hashlib

from bs4 import BeautifulSoup


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/auth/login")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_the_only_inline_script_is_allowed_by_its_hash_not_a_nonce(client):
    response = client.get("/auth/login")
    policy = response.headers["Content-Security-Policy"]
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    inline = [s for s in page.select("script") if not s.get("src")]
    assert inline, "the GOV.UK template marks the body js-enabled with an inline script"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.string.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
        assert not script.get("nonce")
    assert "nonce" not in policy


def test_pages_refuse_framing_and_sniffing(client):
    response = client.get("/auth/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_is_http_only_and_same_site(client, respondent):
    response = client.post(
        "/auth/login", data={"email": respondent.email, "password": "correct horse battery staple"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
