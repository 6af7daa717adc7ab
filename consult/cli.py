"""The CONTRACT.md commands (``flask --app consult …``)."""

import click
from flask import Flask, current_app

from consult import migrate


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the schema to the latest migration."""
    migrate.upgrade(current_app.extensions["consult.engine"])
    click.echo("Database is at the latest migration.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(init_db_command)
