"""Backups of the database: SQLite through its online backup API (safe while the app
runs), PostgreSQL through ``pg_dump``/``pg_restore`` in their custom format.

Uploaded files live under UPLOAD_FOLDER and are content-addressed (never changed once
written), so copying that folder alongside the database backup is enough.
"""

import secrets
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, insert, inspect
from sqlalchemy.engine import make_url

from consult.db import make_engine
from consult.errors import InvalidInput
from consult.models import DatabaseEpoch


def backup(database_url: str, target: Path) -> None:
    """Write a consistent copy of the database to ``target``."""
    url = make_url(database_url)
    if target.exists():
        raise InvalidInput(f"{target} already exists: choose a new file for the backup")
    if not target.parent.is_dir():
        raise InvalidInput(f"{target.parent} is not a folder")
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return
    _run(["pg_dump", "--format=custom", f"--file={target}", _libpq_url(database_url)])


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with the backup at ``source``."""
    url = make_url(database_url)
    if not source.is_file():
        raise InvalidInput(f"{source} is not a backup file")
    if url.get_backend_name() == "sqlite":
        _restore_sqlite(source, Path(url.database))
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url(database_url)}",
                str(source),
            ]
        )
    _new_epoch(database_url)


def _new_epoch(database_url: str) -> None:
    """Give the restored database a new epoch, so no summary page kept by a running
    process before the restore is given after it. A backup made before the epoch existed
    gets one from ``init-db``."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            if inspect(connection).has_table(DatabaseEpoch.__tablename__):
                connection.execute(delete(DatabaseEpoch))
                connection.execute(insert(DatabaseEpoch).values(id=1, token=secrets.token_hex(16)))
    finally:
        engine.dispose()


def _restore_sqlite(source: Path, database: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_db:
            backup_db.execute("SELECT count(*) FROM alembic_version").fetchone()
            with sqlite3.connect(database) as live:
                backup_db.backup(live)
    except sqlite3.DatabaseError as error:
        raise InvalidInput(f"{source} is not a Consult SQLite backup ({error})") from None


def _libpq_url(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise InvalidInput(f"{command[0]} is not installed: install the PostgreSQL client tools")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise InvalidInput(f"{command[0]}: {message}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a backup of the database to PATH (a new file)."""
    try:
        backup(current_app.config["DATABASE_URL"], path)
    except InvalidInput as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the database to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm that the database's contents are replaced.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database's contents with the backup at PATH."""
    if not yes:
        click.confirm("This replaces everything in the database. Continue?", abort=True)
    current_app.extensions["consult.engine"].dispose()
    try:
        restore(current_app.config["DATABASE_URL"], path)
    except InvalidInput as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the database from {path}.")
