"""How a request's database session ends: what a view changed but did not commit is
never kept, and a request that only read ends without undoing anything, so PostgreSQL
keeps the statements it prepared for the next request on the same connection."""

import pytest
from flask import Flask, abort
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from consult.db import get_session
from consult.models import Organisation
from tests import factories
from tests.conftest import BACKEND


@pytest.fixture
def renamed(app: Flask, db: Session) -> Organisation:
    """An organisation, and routes that rename it without committing."""
    organisation = factories.make_organisation(db, "British Gas")
    db.commit()

    def rename(flush: bool) -> str:
        found = get_session().get(Organisation, organisation.id)
        found.name = "Renamed, never committed"
        if flush:
            get_session().flush()
        return "changed"

    app.add_url_rule("/test/rename-flushed", "rename_flushed", lambda: rename(True))
    app.add_url_rule("/test/rename-in-memory", "rename_in_memory", lambda: rename(False))
    return organisation


@pytest.mark.parametrize("path", ["/test/rename-flushed", "/test/rename-in-memory"])
def test_a_change_a_view_did_not_commit_is_never_kept(client, db, renamed, path):
    assert client.get(path).status_code == 200
    db.expire_all()
    assert db.scalar(select(Organisation.name).where(Organisation.id == renamed.id)) == (
        "British Gas"
    )


def name_after(app: Flask, client, db: Session, view, organisation: Organisation) -> str:
    """Serve ``view`` at a test address, request it, and read the organisation's name as
    stored."""
    app.add_url_rule("/test/view", "view", view)
    client.get("/test/view")
    db.expire_all()
    return db.get(Organisation, organisation.id).name


WRITES = {
    "an ORM update": lambda session, id_: session.execute(
        update(Organisation)
        .where(Organisation.id == id_)
        .values(name="Written, never committed")
        .execution_options(synchronize_session=False)
    ),
    "SQL text": lambda session, id_: session.execute(
        text("UPDATE organisation SET name = 'Written, never committed' WHERE id = :id"),
        {"id": id_},
    ),
    "the session's connection": lambda session, id_: session.connection().execute(
        text("UPDATE organisation SET name = 'Written, never committed' WHERE id = :id"),
        {"id": id_},
    ),
}


@pytest.mark.parametrize("refused", [False, True], ids=["returns", "refuses"])
@pytest.mark.parametrize("how", WRITES)
def test_a_statement_that_wrote_without_the_unit_of_work_is_never_kept(
    app, client, db, renamed, how, refused
):
    def write():
        WRITES[how](get_session(), renamed.id)
        if refused:
            abort(400)  # the 400 page: the request ends without an error
        return "written"

    assert name_after(app, client, db, write, renamed) == "British Gas"


def test_what_a_view_committed_stays_and_what_it_wrote_after_does_not(app, client, db, renamed):
    def write():
        session = get_session()
        session.get(Organisation, renamed.id).name = "Committed"
        session.commit()
        WRITES["SQL text"](session, renamed.id)
        return "written"

    assert name_after(app, client, db, write, renamed) == "Committed"


def test_a_view_that_fails_keeps_nothing_it_changed(app, client, db, renamed):
    def fail():
        found = get_session().get(Organisation, renamed.id)
        found.name = "Renamed, then failed"
        get_session().flush()
        raise RuntimeError("the view failed")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # the 500 page, as a visitor gets it
    assert name_after(app, client, db, fail, renamed) == "British Gas"


@pytest.mark.skipif(BACKEND != "postgresql", reason="prepared statements are PostgreSQL's")
def test_statements_read_again_and_again_are_prepared_once(app, client, renamed):
    def prepared() -> str:
        session = get_session()
        session.get(Organisation, renamed.id)
        names = session.scalars(text("SELECT statement FROM pg_prepared_statements"))
        return "\n".join(names)

    app.add_url_rule("/test/prepared", "prepared", prepared)
    # psycopg prepares a statement the sixth time it runs on a connection, unless a
    # ROLLBACK came between (the pool has the one connection these requests share).
    pages = [client.get("/test/prepared").get_data(as_text=True) for _ in range(8)]
    assert "FROM organisation" not in pages[0]
    assert "FROM organisation" in pages[-1]
