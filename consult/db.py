"""Engine, a session per request, the declarative Base, SQLite pragmas, and how a
transaction begins (SQLite writers take the lock at once; summaries read one snapshot)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask, current_app, g, request
from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Whether the current unit of work means to write. On SQLite a writing transaction
# takes the write lock at BEGIN (IMMEDIATE), so concurrent writers queue on the busy
# timeout instead of failing when a read lock cannot be upgraded; readers stay DEFERRED.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
# Whether the unit of work reads with several statements that must agree with each other
# (a summary's counts, tallies and answers). On PostgreSQL its session's transaction is
# then REPEATABLE READ: every statement sees the database as of the first. A SQLite
# transaction reads one snapshot already.
one_snapshot: ContextVar[bool] = ContextVar("one_snapshot", default=False)


class Base(DeclarativeBase):
    """Base class of every table."""


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _snapshot_engine(engine: Engine) -> Engine:
    """The engine for units of work that read one snapshot: on PostgreSQL its
    transactions are REPEATABLE READ (psycopg begins them so in one statement, and the
    connection goes back to the pool at the default level)."""
    if engine.dialect.name == "sqlite":
        return engine
    return engine.execution_options(isolation_level="REPEATABLE READ")


def snapshot_session(app: Flask) -> Session:
    """A new session reading one snapshot (see ``one_snapshot``); for a streamed
    download, read after the request's session closed."""
    return app.extensions["consult.snapshot_sessionmaker"]()


def reads_one_snapshot(view: Callable) -> Callable:
    """Mark a view whose statements must all see the database as of one moment."""
    view.reads_one_snapshot = True
    return view


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN
    # SQLite's own lower() changes only A-Z: "Ŵyn" would never match a search for "ŵyn",
    # nor "ÉNERGIE" clash with "énergie". Python's lower() is Unicode's, as PostgreSQL's
    # is in a database with a UTF-8 locale (see ``case_folding_problem``).
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def case_folding_problem(engine: Engine) -> str | None:
    """Why the database's lower() would change only unaccented letters, or None: a
    PostgreSQL database created with the C (or POSIX) locale."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        ctype = connection.exec_driver_sql(
            "SELECT datctype FROM pg_database WHERE datname = current_database()"
        ).scalar()
    if ctype not in ("C", "POSIX"):
        return None
    return (
        f"the database's character type (LC_CTYPE) is {ctype}, so word searches match "
        "capitals only of unaccented letters (a search for 'ŵyn' misses 'Ŵyn'). Create the "
        "database with a UTF-8 locale, for example: createdb --template=template0 "
        "--locale=C.UTF-8 --encoding=UTF8 consult"
    )


def init_app(app: Flask) -> None:
    """Create the engine and session factory and close the request's session after it."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["consult.engine"] = engine
    app.extensions["consult.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["consult.snapshot_sessionmaker"] = sessionmaker(
        _snapshot_engine(engine), expire_on_commit=False
    )
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "commit", _forget_writes)
    event.listen(engine, "rollback", _forget_writes)
    event.listen(engine, "checkout", lambda _dbapi, record, _proxy: record.info.pop(_WROTE, None))
    app.before_request(_mark_intent)
    app.teardown_request(_clear_intent)
    app.teardown_appcontext(_close_session)


def _mark_intent() -> None:
    """What the request's unit of work means to do: write, or read one snapshot."""
    g.write_intent_token = write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))
    view = current_app.view_functions.get(request.endpoint)
    g.one_snapshot_token = one_snapshot.set(getattr(view, "reads_one_snapshot", False))


def _clear_intent(_exc: BaseException | None) -> None:
    # The test client runs requests in the caller's context: without the reset, a POST
    # would leave later reads in the same thread taking the SQLite write lock.
    token = g.pop("write_intent_token", None)
    if token is not None:
        write_intent.reset(token)
    token = g.pop("one_snapshot_token", None)
    if token is not None:
        one_snapshot.reset(token)


def get_session() -> Session:
    """The session of the current request or app context."""
    if "db_session" not in g:
        maker = "consult.snapshot_sessionmaker" if one_snapshot.get() else "consult.sessionmaker"
        g.db_session = current_app.extensions[maker]()
    return g.db_session


# Set on a connection by any statement but a SELECT (or BEGIN) since its transaction began.
_WROTE = "consult.wrote"


def _note_write(connection, _cursor, statement: str, *_args) -> None:
    if not statement.lstrip(" \t\n(")[:6].upper().startswith(("SELECT", "BEGIN")):
        connection.info[_WROTE] = True


def _forget_writes(connection) -> None:
    """After COMMIT or ROLLBACK (and at checkout) nothing is written but not committed."""
    connection.info.pop(_WROTE, None)


def _close_session(exc: BaseException | None) -> None:
    """End the request's session. A transaction that only read ends in COMMIT, which is
    the same to the database as ROLLBACK; but psycopg forgets the statements it has
    prepared on every ROLLBACK, and PostgreSQL would then parse and plan each statement
    of every request afresh. Anything else (an error; any statement but a SELECT, however
    sent; anything changed in memory but not flushed) is rolled back, as before."""
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        if exc is None and session.in_transaction() and _only_read(session):
            session.commit()
    except SQLAlchemyError:
        pass  # closing rolls back; a connection that is gone is discarded
    finally:
        session.close()


def _only_read(session: Session) -> bool:
    if session.new or session.dirty or session.deleted:
        return False
    return not session.connection().info.get(_WROTE)


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session outside a request (CLI, tests); commits on success, rolls back on error."""
    token = write_intent.set(True)
    session = app.extensions["consult.sessionmaker"]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        write_intent.reset(token)
