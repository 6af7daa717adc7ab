"""What operators rely on: readiness, request ids, JSON logs, and a database outage
that shows a 503 page instead of a stack trace."""

import json
import logging

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import text

from consult import create_app
from tests.conftest import check_page


def test_readyz_is_ready_when_the_schema_is_at_the_latest_migration(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ready"


def test_readyz_is_not_ready_when_a_migration_is_missing(app, client):
    engine = app.extensions["consult.engine"]
    with engine.begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        response = client.get("/readyz")
    finally:
        # On PostgreSQL the database outlives the test (only its rows are emptied).
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert response.status_code == 503
    assert "init-db" in response.get_data(as_text=True)


def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/healthz").headers["X-Request-Id"]
    assert len(first) >= 8 and first != second


def test_a_proxys_request_id_is_kept_and_a_malformed_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-Id": "lb-0123456789"})
    assert kept.headers["X-Request-Id"] == "lb-0123456789"
    replaced = client.get("/healthz", headers={"X-Request-Id": "<script>"})
    assert replaced.headers["X-Request-Id"] != "<script>"


def test_each_request_is_logged_as_one_json_line(client, capsys):
    client.get("/healthz", headers={"X-Request-Id": "trace-abcdef12"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    request = next(line for line in lines if line.get("message") == "request")
    assert request["request_id"] == "trace-abcdef12"
    assert request["path"] == "/healthz" and request["status"] == 200


def test_a_database_that_went_away_gives_a_503_page_not_a_stack_trace(app_config, tmp_path):
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/db.sqlite"})
    logging.getLogger("consult").disabled = True
    try:
        response = app.test_client().get("/consultations")
    finally:
        logging.getLogger("consult").disabled = False
    assert response.status_code == 503
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    check_page(page)
    assert page.select_one("h1").text.strip() == "Sorry, the service is unavailable"
    assert "Traceback" not in response.get_data(as_text=True)
    assert page.select_one(".consult-request-id").text == response.headers["X-Request-Id"]


def test_init_db_warns_of_a_postgresql_database_whose_lower_knows_only_ascii(_database):
    if _database["backend"] != "postgresql":
        pytest.skip("only a PostgreSQL database has a locale that changes lower()")
    url = _database["server"].create_database("consult_c_locale", locale="C")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test-secret-key"})
    try:
        result = app.test_cli_runner().invoke(args=["init-db"])
    finally:
        app.extensions["consult.engine"].dispose()
    assert result.exit_code == 0
    assert "Warning: the database's character type (LC_CTYPE) is C" in result.stderr
    assert "--locale=C.UTF-8" in result.stderr


def test_init_db_does_not_warn_of_a_database_that_lowers_every_letter(app):
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0
    assert result.stdout == "Database is at the latest migration.\n"
    assert "Warning" not in result.stderr
