"""Test support for the visitor, sign-in and SECAS console tests.

pytest-flask pushes one request context for the whole test, so the application context
(and ``g``) outlives each client request: the app's per-request database session would
then be shared by every request of a test and, on SQLite, keep a write transaction open
that blocks the ``db`` fixture. ``fresh_session_per_request`` ends the session after each
request, as happens in production.
"""

from collections.abc import Iterator

import pytest
from flask import Flask, g

from consult.db import write_intent


@pytest.fixture
def fresh_session_per_request(app: Flask) -> Iterator[None]:
    """Close the app's database session at the end of every request."""

    def close(_error: BaseException | None) -> None:
        g.pop("_login_user", None)  # Flask-Login's cache of the user, bound to that session
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
        # The request marked the test's own context as writing; a new request starts clean.
        write_intent.set(False)

    app.teardown_request(close)
    yield
