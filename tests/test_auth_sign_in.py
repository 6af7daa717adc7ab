"""Signing in and out with an e-mail address and password."""

from urllib.parse import urlsplit

import pytest

from tests import factories
from tests.conftest import normalise


def sign_in(client, email: str, password: str = factories.PASSWORD, next_: str | None = None):
    url = "/auth/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password})


def test_sign_in_page_has_labelled_email_and_password_fields(get_page):
    page = get_page("/auth/login")
    assert normalise(page.select_one("h1").text) == "Sign in"
    email = page.select_one("input[name=email]")
    password = page.select_one("input[name=password]")
    assert normalise(page.select_one(f"label[for={email['id']}]").text) == "Email address"
    assert normalise(page.select_one(f"label[for={password['id']}]").text) == "Password"


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("respondent", "/consultations"),
        ("panel", "/consultations"),
        ("secas", "/admin/consultations"),
    ],
)
def test_good_credentials_sign_in_and_go_to_the_roles_home(request, client, role, home):
    user = request.getfixturevalue(role)
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response.location == home


def test_signed_in_user_is_named_in_the_header(respondent, client, get_page):
    sign_in(client, respondent.email)
    page = get_page("/consultations")
    assert normalise(page.select_one(".consult-account__name").text) == (
        f"{respondent.name} (British Gas)"
    )


def test_email_is_matched_whatever_its_case(respondent, client):
    assert sign_in(client, f"  {respondent.email.upper()} ").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("known", "wrong password"),
        ("nobody@example.com", factories.PASSWORD),
    ],
)
def test_bad_credentials_are_refused_with_an_error_summary(respondent, get_page, email, password):
    email = respondent.email if email == "known" else email
    page = get_page("/auth/login", method="post", data={"email": email, "password": password})
    assert page.select_one("title").text.startswith("Error: ")
    summary = page.select_one(".govuk-error-summary")
    assert [normalise(a.text) for a in summary.select("a")] == [
        "Enter a correct email address and password"
    ]
    assert page.select_one(".consult-account__name") is None


def test_empty_form_asks_for_both_fields(get_page):
    page = get_page("/auth/login", method="post", data={"email": "", "password": ""})
    assert [normalise(a.text) for a in page.select(".govuk-error-summary a")] == [
        "Enter your email address",
        "Enter your password",
    ]


def test_inactive_user_is_refused(db, respondent, get_page):
    respondent.active = False
    db.commit()
    data = {"email": respondent.email, "password": factories.PASSWORD}
    page = get_page("/auth/login", method="post", data=data)
    assert "Enter a correct email address and password" in normalise(
        page.select_one(".govuk-error-summary").text
    )


def test_user_made_inactive_after_signing_in_loses_access(db, secas, client):
    sign_in(client, secas.email)
    secas.active = False
    db.commit()
    assert client.get("/admin/consultations").status_code == 302


def test_next_takes_the_user_back_to_a_local_page(secas, client):
    response = sign_in(client, secas.email, next_="/admin/audit")
    assert response.location == "/admin/audit"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(secas, client, target):
    location = sign_in(client, secas.email, next_=target).location
    # Browsers read a backslash as a slash, so "/\\host" would be another site.
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    assert urlsplit(location).netloc == ""


def test_visitor_sent_to_sign_in_returns_to_the_page_asked_for(secas, client):
    asked = client.get("/admin/audit")
    response = client.post(
        asked.location, data={"email": secas.email, "password": factories.PASSWORD}
    )
    assert response.location == "/admin/audit"


def test_session_is_renewed_at_sign_in(respondent, client):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client, respondent.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(respondent.id)


def test_sign_out_is_post_only(respondent, client):
    sign_in(client, respondent.email)
    assert client.get("/auth/logout").status_code == 405
    with client.session_transaction() as session:
        assert session["_user_id"] == str(respondent.id)


def test_sign_out_ends_the_session(secas, client):
    sign_in(client, secas.email)
    response = client.post("/auth/logout")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/admin/consultations").status_code == 302


def test_a_copy_of_the_session_cookie_stops_working_after_sign_out(app, secas, client):
    sign_in(client, secas.email)
    copied = app.test_client()
    cookie = client.get_cookie("session")
    copied.set_cookie("session", cookie.value)
    assert copied.get("/admin/consultations").status_code == 200
    client.post("/auth/logout")
    response = copied.get("/admin/consultations")
    assert response.status_code == 302 and "/auth/login" in response.location
