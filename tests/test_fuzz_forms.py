"""Hostile input to every form: each role's pages are requested, every POST form on them
found, and hypothesis posts mutated values (injections, markup, control characters, huge
and empty strings, missing, repeated and extra fields). Never a 500 or a stack trace; a
refused post saves nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from consult.models import Role
from tests import factories
from tests.cli_helpers import row_counts
from tests.fuzz_helpers import discover, mutated, problems, refused

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # the world is rebuilt each run: a replayed example means nothing
)


@pytest.fixture
def app_config(app_config: dict) -> dict:
    # Hundreds of failed sign-ins would otherwise hit the limits and lock accounts.
    return {**app_config, "RATELIMIT_ENABLED": False, "SIGN_IN_LOCKOUT_ATTEMPTS": 10**6}


@pytest.fixture
def world(db, organisation, other_organisation):
    """Consultations in each state, a draft response, and a user of each role."""
    open_one = factories.make_consultation(db, "FUZZ-1")
    factories.make_consultation(db, "FUZZ-DRAFT", status="draft")
    factories.make_consultation(db, "FUZZ-CLOSED", status="closed")
    users = {
        "respondent": factories.make_user(db, Role.respondent, organisation=organisation),
        "secas": factories.make_user(db, Role.secas),
        "panel": factories.make_user(db, Role.panel),
    }
    factories.make_response(db, open_one, users["respondent"], submit=False)
    values = {
        "reference": "FUZZ-1",
        "key": "q1",
        "document_id": 1,
        "section_id": 1,
        "attachment_id": 1,
        "organisation_id": organisation.id,
        "user_id": users["respondent"].id,
        "response_id": 1,
        "message_id": 1,
        "token": "not-a-token",
        "extension": "csv",
        "file_type": "pdf",
    }
    return {"users": users, "values": values}


def fuzz_forms_as(app, client, login, world, role: str, data) -> None:
    """One example: pick a form found for this role and post hostile values to it."""
    if role != "visitor":
        login(world["users"][role])
    forms = world.setdefault(f"forms:{role}", None) or discover(app, client, world["values"])
    world[f"forms:{role}"] = forms
    assert forms, f"no forms found for {role}"
    form = data.draw(st.sampled_from(forms), label="form")
    pairs = data.draw(mutated(form), label="fields")
    before = row_counts(app)
    with client.post(form.action, data=MultiDict(pairs)) as response:
        found, was_refused = problems(response), refused(response)
    shown = [(name, value[:80]) for name, value in pairs]
    assert not found, f"POST {form.action} {shown!r}: {found}"
    if was_refused:
        assert row_counts(app) == before, f"POST {form.action} {shown!r} refused but saved"


@pytest.mark.parametrize("role", ["visitor", "respondent", "panel", "secas"])
@FUZZ
@given(data=st.data())
def test_hostile_posts_to_every_form_never_break_the_service(app, client, login, world, role, data):
    fuzz_forms_as(app, client, login, world, role, data)


def test_forms_are_found_for_every_role(app, client, login, world):
    """The property above only means something if it reaches the forms."""
    found = {}
    for role in ("visitor", "respondent", "secas"):
        own = app.test_client()
        if role != "visitor":
            login(world["users"][role], own)
        found[role] = {form.action for form in discover(app, own, world["values"])}
    assert "/auth/login" in found["visitor"]
    assert "/account/reset-password" in found["visitor"]
    assert any(action.startswith("/consultations/FUZZ-1/respond") for action in found["respondent"])
    assert any(action.startswith("/admin/") for action in found["secas"])
    assert "/account/password" in found["secas"]


def test_a_crafted_date_with_one_part_is_refused_not_crashed(client, login, world):
    login(world["users"]["secas"])
    response = client.post(
        "/admin/consultations/FUZZ-1/extend",
        data={"closes_date": "2030-01-01", "closes_time": "17:00", "reason": "More time"},
    )
    assert response.status_code == 200
    assert "Enter the new closing date as a day, month and year" in response.get_data(as_text=True)
