"""The database going away under a running gunicorn, and coming back.

On PostgreSQL the test starts its own throwaway cluster (never the session's shared one)
and stops it with ``pg_ctl stop -m fast``, which ends every connection. On SQLite the
volume holding the database file is moved away and the workers restarted, as when a disk
is unmounted: a connection opened before would carry on with the moved file, so only new
connections show the outage. While it lasts every page is the 503 page, never a stack
trace; once the database is back the same workers serve again (``pool_pre_ping``
replaces connections the outage broke)."""

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from consult import migrate
from consult.db import make_engine
from consult.models import Role
from consult.testing_pg import ThrowawayPostgres
from consult.testing_server import GunicornServer, http_status
from tests import factories
from tests.conftest import BACKEND, check_page
from tests.server_helpers import Visitor, heading, parse, token, version

UNAVAILABLE = "Sorry, the service is unavailable"


class SQLiteVolume:
    """A database file in a directory of its own, which can be moved away and back."""

    def __init__(self, root: Path) -> None:
        self.mounted = root / "volume"
        self.unmounted = root / "unmounted"
        self.mounted.mkdir()
        self.url = f"sqlite:///{self.mounted / 'consult.sqlite'}"

    def go_away(self, server: GunicornServer) -> None:
        os.rename(self.mounted, self.unmounted)
        server.reload()

    def come_back(self, _server: GunicornServer) -> None:
        os.rename(self.unmounted, self.mounted)

    def close(self) -> None:
        """Nothing to stop: the file lives in the test's temporary directory."""


class PostgresCluster:
    """A throwaway cluster of the test's own, stopped and started again in place."""

    def __init__(self) -> None:
        self.cluster = ThrowawayPostgres().start()
        self.url = self.cluster.create_database("consult_outage")
        self.running = True

    def go_away(self, _server: GunicornServer) -> None:
        self._pg_ctl("-m", "fast", "stop")
        self.running = False

    def come_back(self, _server: GunicornServer) -> None:
        cluster = self.cluster
        options = (
            f"-p {cluster.port} -k {cluster.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        )
        self._pg_ctl("-o", options, "-l", str(cluster.directory / "log"), "start")
        self.running = True

    def _pg_ctl(self, *args: str) -> None:
        self.cluster._run("pg_ctl", "-D", str(self.cluster.data), "-w", *args)

    def close(self) -> None:
        if self.running:
            self.cluster.stop()
        else:
            shutil.rmtree(self.cluster.directory, ignore_errors=True)


@pytest.fixture
def database(tmp_path) -> Iterator[SQLiteVolume | PostgresCluster]:
    store = PostgresCluster() if BACKEND == "postgresql" else SQLiteVolume(tmp_path)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def arranged(database):
    """A migrated database holding an open consultation and one respondent."""
    engine = make_engine(database.url)
    migrate.upgrade(engine)
    session = sessionmaker(engine, expire_on_commit=False)()
    consultation = factories.make_consultation(session, "SSI-2017")
    organisation = factories.make_organisation(session, "British Gas")
    respondent = factories.make_user(session, Role.respondent, organisation=organisation)
    session.close()
    engine.dispose()
    return consultation, respondent


@pytest.fixture
def server(database, arranged):
    with GunicornServer(database.url, workers=2) as running:
        yield running


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503, response.text[:300]
    page = parse(response)
    check_page(page)
    assert heading(page) == UNAVAILABLE
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower()


def test_database_outage_shows_the_503_page_and_the_service_recovers(database, arranged, server):
    consultation, respondent = arranged
    question = f"/consultations/{consultation.reference}/respond/q1"
    visitor, member = Visitor(server.url), Visitor(server.url)
    member.sign_in(respondent)
    form_page = member.page(question)

    database.go_away(server)
    assert_unavailable_page(visitor.get("/consultations"))
    assert_unavailable_page(visitor.get(f"/consultations/{consultation.reference}"))
    assert http_status(server.url + "/readyz") == 503

    database.come_back(server)
    server.wait_until("/readyz", 200, timeout=20)
    assert visitor.get("/consultations").status_code == 200
    save = {"csrf_token": token(form_page), "version": version(form_page), "action": "later"}
    saved = member.post(question, {**save, "answer": "Yes"}, allow_redirects=False)
    assert saved.status_code == 302, "a save made after the outage goes through"
    wait_for_every_worker(server, member, question)


def test_signed_in_people_get_the_503_page_during_an_outage(database, arranged, server):
    consultation, respondent = arranged
    question = f"/consultations/{consultation.reference}/respond/q1"
    member = Visitor(server.url)
    member.sign_in(respondent)
    form_page = member.page(question)

    database.go_away(server)
    assert_unavailable_page(member.get(question))
    save = {"csrf_token": token(form_page), "version": version(form_page), "action": "later"}
    assert_unavailable_page(member.post(question, {**save, "answer": "Yes"}))


def wait_for_every_worker(server: GunicornServer, member: Visitor, path: str) -> None:
    """Each worker's next requests succeed (enough of them that both workers serve)."""
    deadline = time.monotonic() + 10
    statuses = []
    while time.monotonic() < deadline and len(statuses) < 20:
        statuses.append(member.get(path).status_code)
    assert set(statuses) == {200}, statuses
