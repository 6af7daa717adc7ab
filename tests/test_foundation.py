"""The foundations: health check, schema from migrations, database constraints."""

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from consult import migrate
from consult.models import Organisation, Response, Role, User
from tests import factories
from tests.conftest import BACKEND


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_schema_is_at_the_latest_migration(app):
    engine = app.extensions["consult.engine"]
    assert migrate.is_at_head(engine)
    assert "response" in inspect(engine).get_table_names()


def test_one_response_per_organisation_per_consultation(db, respondent):
    consultation = factories.make_consultation(db)
    factories.make_response(db, consultation, respondent, submit=False)
    db.add(Response(consultation_id=consultation.id, organisation_id=respondent.organisation_id))
    with pytest.raises(IntegrityError):
        db.commit()


def test_email_addresses_are_unique(db, respondent):
    db.add(User(email=respondent.email, name="Copy", role=Role.panel))
    with pytest.raises(IntegrityError):
        db.commit()


def test_respondent_without_organisation_is_refused_by_the_database(db):
    db.add(User(email="lonely@example.com", name="Lonely", role=Role.respondent))
    with pytest.raises(IntegrityError):
        db.commit()


def test_unknown_party_category_is_refused_by_the_database(db):
    with db.connection() as connection:
        with pytest.raises(IntegrityError):
            connection.exec_driver_sql(
                "INSERT INTO organisation (name, category, active, created_at) "
                "VALUES ('X', 'big_supplier', true, CURRENT_TIMESTAMP)"
            )


def test_organisation_names_are_unique(db, organisation):
    db.add(Organisation(name=organisation.name, category=organisation.category))
    with pytest.raises(IntegrityError):
        db.commit()


@pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="on SQLite writers take turns, so the application's own check is enough (0012)",
)
def test_organisation_names_are_unique_ignoring_case(db, organisation):
    db.add(Organisation(name=organisation.name.upper(), category=organisation.category))
    with pytest.raises(IntegrityError):
        db.commit()
