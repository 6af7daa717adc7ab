"""create-organisation and create-user: good input creates, bad input is one line and
changes nothing."""

import pytest
from sqlalchemy import select

from consult.auth.service import authenticate
from consult.models import Organisation, PartyCategory, Role, User
from tests.cli_helpers import assert_refused, invoke, row_counts

PASSWORD = "a long enough password"


def test_create_organisation_records_its_party_category(app, db):
    result = invoke(app, "create-organisation", "Bulb Energy", "--category", "small_supplier")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Created Bulb Energy (Small Supplier)."
    organisation = db.scalar(select(Organisation).where(Organisation.name == "Bulb Energy"))
    assert organisation.category is PartyCategory.small_supplier


@pytest.mark.parametrize("category", [c.value for c in PartyCategory])
def test_create_organisation_accepts_every_party_category(app, category):
    result = invoke(app, "create-organisation", f"Org {category}", "--category", category)

    assert result.exit_code == 0, result.output


def test_create_organisation_refuses_an_unknown_category(app):
    before = row_counts(app)

    result = invoke(app, "create-organisation", "Bulb Energy", "--category", "big_supplier")

    assert_refused(result, "unknown category 'big_supplier'", "large_supplier", "non_party")
    assert row_counts(app) == before


def test_create_organisation_refuses_a_duplicate_name_whatever_its_case(app, organisation):
    before = row_counts(app)

    result = invoke(app, "create-organisation", "BRITISH GAS", "--category", "large_supplier")

    assert_refused(result, "already exists")
    assert row_counts(app) == before


def test_create_organisation_needs_a_category(app):
    result = invoke(app, "create-organisation", "Bulb Energy")

    assert result.exit_code != 0
    assert "--category" in result.stderr


def test_create_user_reads_the_password_from_stdin(app, db, organisation):
    result = invoke(
        app,
        "create-user",
        "Jo.Bloggs@Example.com",
        "--name",
        "Jo Bloggs",
        "--role",
        "respondent",
        "--organisation",
        "British Gas",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Created respondent jo.bloggs@example.com."
    user = authenticate(db, "jo.bloggs@example.com", PASSWORD)
    assert user is not None and user.organisation_id == organisation.id


def test_create_user_prompts_for_the_password_twice(app, db):
    result = invoke(
        app,
        "create-user",
        "secas@example.com",
        "--name",
        "Sam Ellis",
        "--role",
        "secas",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output
    assert authenticate(db, "secas@example.com", PASSWORD).role is Role.secas


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "respondent"], PASSWORD, "a respondent needs an organisation"),
        (
            ["--role", "respondent", "--organisation", "Nobody Ltd"],
            PASSWORD,
            "no organisation called 'Nobody Ltd'",
        ),
        (["--role", "chair"], PASSWORD, "unknown role 'chair'"),
        (["--role", "panel"], "short", "at least 10 characters"),
        (
            ["--role", "panel", "--organisation", "British Gas"],
            PASSWORD,
            "only respondents belong to an organisation",
        ),
    ],
)
def test_create_user_refuses_bad_input_and_changes_nothing(
    app, organisation, args, password, message
):
    before = row_counts(app)

    result = invoke(
        app,
        "create-user",
        "new@example.com",
        "--name",
        "New Person",
        *args,
        "--password-stdin",
        input=f"{password}\n",
    )

    assert_refused(result, message)
    assert row_counts(app) == before


def test_create_user_refuses_an_email_address_already_in_use(app, respondent):
    before = row_counts(app)

    result = invoke(
        app,
        "create-user",
        respondent.email.upper(),
        "--name",
        "Copy",
        "--role",
        "panel",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )

    assert_refused(result, "already exists")
    assert row_counts(app) == before


def test_create_user_refuses_something_that_is_not_an_email_address(app, db):
    result = invoke(
        app,
        "create-user",
        "not-an-address",
        "--name",
        "X",
        "--role",
        "panel",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )

    assert_refused(result, "is not an email address")
    assert db.scalar(select(User)) is None
