"""Fixtures: an app on a real, migrated database (SQLite by default; PostgreSQL when
``CONSULT_TEST_DATABASE=postgresql``), a client, a CLI runner, users of each role and a
``get_page`` helper that returns parsed HTML and checks what every page must get right."""

import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from consult import create_app, migrate
from consult.db import Base, make_engine
from consult.models import PartyCategory, Role, User
from consult.testing_pg import ThrowawayPostgres
from tests import factories

BACKEND = os.environ.get("CONSULT_TEST_DATABASE", "sqlite")
# Summaries' arranged consultation and a signed-in Panel member, for every summaries test.
pytest_plugins = ["tests.summaries_helpers"]


@pytest.fixture(autouse=True)
def _push_request_context() -> None:
    """Replace pytest-flask's fixture of this name, which keeps one request context open
    for the whole test: then every client request would share one application context,
    its ``g``, its database session and its cached user and CSRF token. Without it each
    request gets its own context, as in production."""


@pytest.fixture(scope="session")
def _database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A migrated database shared by the run: a template file (SQLite) or a server."""
    if BACKEND == "postgresql":
        server = ThrowawayPostgres().start()
        try:
            url = server.create_database("consult_test")
            engine = make_engine(url)
            migrate.upgrade(engine)
            engine.dispose()
            yield {"backend": "postgresql", "url": url, "server": server}
        finally:
            server.stop()
        return
    template = tmp_path_factory.mktemp("db") / "template.sqlite"
    engine = make_engine(f"sqlite:///{template}")
    migrate.upgrade(engine)
    engine.dispose()
    yield {"backend": "sqlite", "template": template}


@pytest.fixture
def database_url(_database: dict, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty, migrated database for one test."""
    if _database["backend"] == "sqlite":
        path = tmp_path / "consult.sqlite"
        shutil.copy(_database["template"], path)
        yield f"sqlite:///{path}"
        return
    yield _database["url"]
    engine = make_engine(_database["url"])
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict:
    """The test configuration; override this fixture to change a setting."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": "localhost",
    }


@pytest.fixture
def app(app_config: dict) -> Iterator[Flask]:
    app = create_app(app_config)
    yield app
    app.extensions["consult.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A plain test client. pytest-flask's enters it with ``with``, which keeps its last
    request's context open, so a second client's request in the same test would share it."""
    return app.test_client()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session on the test database for arranging and checking; commit to share."""
    session = app.extensions["consult.sessionmaker"]()
    yield session
    session.close()


@pytest.fixture
def organisation(db: Session):
    return factories.make_organisation(db, "British Gas", PartyCategory.large_supplier)


@pytest.fixture
def other_organisation(db: Session):
    return factories.make_organisation(db, "Octopus Energy", PartyCategory.small_supplier)


@pytest.fixture
def respondent(db: Session, organisation) -> User:
    return factories.make_user(db, Role.respondent, organisation=organisation)


@pytest.fixture
def colleague(db: Session, organisation) -> User:
    return factories.make_user(db, Role.respondent, organisation=organisation, name="Colleague")


@pytest.fixture
def other_respondent(db: Session, other_organisation) -> User:
    return factories.make_user(db, Role.respondent, organisation=other_organisation)


@pytest.fixture
def secas(db: Session) -> User:
    return factories.make_user(db, Role.secas, name="SECAS Analyst")


@pytest.fixture
def panel(db: Session) -> User:
    return factories.make_user(db, Role.panel, name="Panel Member")


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], None]:
    """Sign a user in through the real sign-in form."""

    def sign_in(user: User, a_client: FlaskClient | None = None) -> None:
        response = (a_client or client).post(
            "/auth/login", data={"email": user.email, "password": factories.PASSWORD}
        )
        assert response.status_code == 302, f"sign-in failed for {user.email}"

    return sign_in


@pytest.fixture
def get_page(client: FlaskClient) -> Callable[..., BeautifulSoup]:
    """Request a page, check its status, return it parsed (see ``check_page``)."""

    def fetch(url: str, status: int = 200, method: str = "get", **kwargs) -> BeautifulSoup:
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == status, (
            f"{method.upper()} {url}: {response.status_code}, expected {status}"
        )
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        check_page(page)
        return page

    return fetch


def check_page(page: BeautifulSoup) -> None:
    """What every page must get right: a title, unique ids, error links that resolve."""
    title = page.select_one("title")
    assert title is not None and title.text.strip(), "page has no <title>"
    ids = Counter(tag["id"] for tag in page.select("[id]"))
    duplicates = [i for i, n in ids.items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    summary_links = page.select(".govuk-error-summary a[href^='#']")
    for link in summary_links:
        target = link["href"][1:]
        assert target in ids, f"error summary links to #{target}, which is not on the page"
    if page.select_one(".govuk-error-summary"):
        assert title.text.strip().startswith("Error: "), "page with errors needs 'Error: ' title"
    empty = empty_descriptions(page)
    assert not empty, f"aria-describedby names missing or empty elements: {empty}"


def empty_descriptions(page: BeautifulSoup) -> list[str]:
    """Ids that aria-describedby names but that are missing or have no text: a screen
    reader announces nothing for them, or a stray empty element is left on the page."""
    described_by = [
        i for tag in page.select("[aria-describedby]") for i in tag["aria-describedby"].split()
    ]
    return [i for i in described_by if not (page.find(id=i) and page.find(id=i).text.strip())]


def scrolling_tables(page: BeautifulSoup) -> list[tuple[str | None, str | None, str | None]]:
    """Each horizontally scrolling table wrapper's role, name and tabindex: a keyboard user
    can scroll only one that takes focus, and a screen reader names it by its label."""
    return [
        (wrapper.get("role"), wrapper.get("aria-label"), wrapper.get("tabindex"))
        for wrapper in page.select(".consult-table-wrapper")
    ]


def normalise(text_: str) -> str:
    """Collapse white space, as a reader sees text."""
    return " ".join(text_.split())
