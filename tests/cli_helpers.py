"""Helpers for the CLI tests: run a command, check a refusal, count every table's rows."""

from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from consult.db import Base


def invoke(app: Flask, *args: str, input: str | None = None) -> Result:
    """Run ``flask --app consult <args>`` against the test app."""
    return app.test_cli_runner().invoke(args=list(args), input=input)


def row_counts(app: Flask) -> dict[str, int]:
    """The number of rows in every table, to show a refused command changed nothing."""
    with app.extensions["consult.engine"].connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


def assert_refused(result: Result, *fragments: str) -> str:
    """The command failed with one line, no traceback, naming each fragment; returns it."""
    assert result.exit_code != 0, f"expected failure, got: {result.output}"
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), f"crashed: {result.exception!r}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {result.stderr!r}"
    message = lines[0]
    assert message.startswith("Error: ")
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message
