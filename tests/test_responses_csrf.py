"""Every form of the respondent's journey carries a CSRF token, and a post without one
changes nothing."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from consult.models import Response, ResponseStatus
from consult.responses import service
from tests import factories
from tests.responses_helpers import QUESTIONS, fresh, respond_url, response_url


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def form_fields(client, url: str) -> dict[str, str]:
    """The hidden fields of the page's main form (the one that is not sign-out)."""
    page = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    form = page.select_one("main form")
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


@pytest.fixture
def signed_in(client, respondent):
    token = form_fields(client, "/auth/login")["csrf_token"]
    client.post(
        "/auth/login",
        data={"email": respondent.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    return respondent


def test_journey_works_with_csrf_tokens(client, db, signed_in):
    consultation = factories.make_consultation(db, "CSRF-1", questions=QUESTIONS[:1])
    fields = form_fields(client, respond_url(consultation, "q1"))
    assert fields["csrf_token"]
    response = client.post(
        respond_url(consultation, "q1"), data={**fields, "answer": "Yes", "action": "continue"}
    )
    assert response.status_code == 302
    fields = form_fields(client, respond_url(consultation, "confidentiality"))
    client.post(respond_url(consultation, "confidentiality"), data={**fields, "confidential": "no"})
    fields = form_fields(client, respond_url(consultation, "check"))
    response = client.post(respond_url(consultation, "check"), data={**fields, "declaration": "y"})
    assert response.location.endswith(respond_url(consultation, "confirmation"))
    fields = form_fields(client, f"{response_url(consultation)}/withdraw")
    assert fields["csrf_token"]


def test_post_without_a_token_changes_nothing(client, db, signed_in):
    consultation = factories.make_consultation(db, "CSRF-2", questions=QUESTIONS[:1])
    response = client.post(
        respond_url(consultation, "q1"), data={"version": "0", "answer": "Yes", "action": "later"}
    )
    assert response.status_code == 400
    assert fresh(db).scalars(select(Response)).all() == []


def test_starting_a_withdrawn_response_again_needs_the_token(client, db, signed_in):
    consultation = factories.make_consultation(db, "CSRF-3", questions=QUESTIONS[:1])
    response = factories.make_response(db, consultation, signed_in)
    now = factories.while_open(consultation)
    service.withdraw(db, response, expected_version=response.version, user=signed_in, now=now)
    db.commit()
    fields = form_fields(client, response_url(consultation))
    assert fields["csrf_token"]
    url = f"{response_url(consultation)}/respond-again"
    assert client.post(url, data={"version": fields["version"]}).status_code == 400
    assert fresh(db).get(Response, response.id).status is ResponseStatus.withdrawn
    assert client.post(url, data=fields).status_code == 302
    assert fresh(db).get(Response, response.id).status is ResponseStatus.draft
