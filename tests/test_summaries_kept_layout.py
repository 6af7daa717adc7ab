"""The layout around a kept summary (the header naming who is signed in, the heading,
the publishing controls) is kept too: each person still sees their own name and role's
controls, a message waiting for them, and a sign-out form that works for their session."""

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from consult.models import Role
from tests import factories
from tests.conftest import normalise
from tests.summaries_helpers import summary_url


def seen(client: FlaskClient) -> BeautifulSoup:
    response = client.get(summary_url())
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def signed_in_as(page: BeautifulSoup) -> str:
    return normalise(page.select_one(".consult-account__name").text)


def sign_out(client: FlaskClient, page: BeautifulSoup) -> int:
    token = page.select_one(".consult-account__form input[name=csrf_token]")["value"]
    return client.post("/auth/logout", data={"csrf_token": token}).status_code


def test_each_person_sees_their_own_name_and_controls(app, client, db, arranged, login, panel):
    login(panel)
    assert signed_in_as(seen(client)) == "Panel Member"
    assert signed_in_as(seen(client)) == "Panel Member"  # the layout as kept

    colleague = factories.make_user(db, Role.panel, name="Another Member")
    secas = factories.make_user(db, Role.secas, name="SECAS Analyst")
    for user, publishing in ((colleague, False), (secas, True)):
        other = app.test_client()
        login(user, other)
        page = seen(other)
        assert signed_in_as(page) == user.name
        assert (page.select_one("#publishing") is not None) is publishing


def test_a_new_name_or_role_shows_at_once(client, db, arranged, login, panel):
    login(panel)
    seen(client)
    panel.name = "Panel Member, renamed"
    db.commit()
    assert signed_in_as(seen(client)) == "Panel Member, renamed"
    assert seen(client).select_one("#publishing") is None

    panel.role = Role.secas
    db.commit()
    assert seen(client).select_one("#publishing") is not None


def test_a_message_waiting_is_shown_once(client, arranged, login, panel):
    login(panel)
    assert seen(client).select_one(".govuk-notification-banner") is None
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your preferences are saved.")]

    banner = seen(client).select_one(".govuk-notification-banner")
    assert "Your preferences are saved." in normalise(banner.text)
    assert seen(client).select_one(".govuk-notification-banner") is None


def test_signing_out_works_from_a_kept_summary_in_every_session(
    app, client, arranged, login, panel
):
    login(panel)
    seen(client)
    first = seen(client)
    elsewhere = app.test_client()
    login(panel, elsewhere)
    second = seen(elsewhere)

    app.config["WTF_CSRF_ENABLED"] = True  # as in production, once signed in
    assert sign_out(elsewhere, second) == 302
    assert sign_out(client, first) == 302
    assert client.get(summary_url()).status_code == 302  # to the sign-in page


def test_a_page_kept_under_one_address_is_never_given_under_another(client, arranged, login, panel):
    login(panel)
    client.get(summary_url(), base_url="http://localhost/consult/")
    page = client.get(summary_url(), base_url="http://localhost/").get_data(as_text=True)
    assert 'href="/panel/consultations/' in page
    assert 'href="/consult/' not in page
