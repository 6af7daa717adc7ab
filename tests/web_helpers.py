"""Test support for the visitor, sign-in and SECAS console tests.

pytest-flask pushes one request context for the whole test, so the application context
(and ``g``) outlives each client request: the app's per-request database session, the
signed-in user and the CSRF token cached in ``g`` would be shared by every request of a
test, and on SQLite the session would keep a write transaction open that blocks the
``db`` fixture. ``fresh_session_per_request`` ends all of that after each request, as a
new application context does in production.
"""

from collections.abc import Iterator

import pytest
from flask import Flask, g


@pytest.fixture
def fresh_session_per_request(app: Flask) -> Iterator[None]:
    """Close the app's database session at the end of every request."""

    def close(_error: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
        # Flask-Login's user and Flask-WTF's token are cached in g too. consult.db resets
        # the write intent itself (its teardown runs after this one), so leave its token.
        for name in [n for n in vars(g) if n != "write_intent_token"]:
            g.pop(name, None)

    app.teardown_request(close)
    yield
