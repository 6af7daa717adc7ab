"""The CONTRACT.md commands (``flask --app consult …``).

Each command is a thin wrapper over a service function, run in one unit of work that
commits once on success. Bad input exits non-zero with one line and changes nothing.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from consult import db, demo, mail, migrate, organisations
from consult.admin import notifications
from consult.auth.service import create_user
from consult.consultations import io
from consult.consultations.service import get_by_reference
from consult.db import session_scope, utcnow
from consult.errors import ConsultError


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A session committed once on success; domain errors become one-line CLI errors."""
    try:
        with session_scope(current_app._get_current_object()) as session:
            yield session
    except ConsultError as error:
        raise click.ClickException(_one_line(str(error))) from None


def _one_line(message: str) -> str:
    return " ".join(message.split())


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the schema to the latest migration."""
    engine = current_app.extensions["consult.engine"]
    migrate.upgrade(engine)
    click.echo("Database is at the latest migration.")
    problem = db.case_folding_problem(engine)
    if problem:
        click.echo(f"Warning: {problem}", err=True)


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--if-empty",
    is_flag=True,
    help="Skip loading (but print the sign-ins) if the "
    "database already holds consultations or users.",
)
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo consultations, organisations and users; print the sign-ins."""
    with unit_of_work() as session:
        if demo.is_empty(session):
            demo.load_demo(session, utcnow())
            click.echo("Loaded the demo data.")
        elif if_empty:
            click.echo("The database already holds data: the demo was not loaded.")
        else:
            raise click.ClickException(
                "the database already holds consultations or users: seed-demo loads only "
                "into an empty database (use --if-empty to skip loading)"
            )
    click.echo("Demo sign-ins (at /auth/login):")
    for sign_in in demo.SIGN_INS:
        click.echo(f"  {sign_in.label:<42} {sign_in.email:<36} password: {sign_in.password}")


@click.command("create-organisation")
@with_appcontext
@click.argument("name")
@click.option(
    "--category",
    required=True,
    metavar="CAT",
    help="large_supplier, small_supplier, electricity_network, gas_network, "
    "other_sec_party, dcc or non_party",
)
def create_organisation_command(name: str, category: str) -> None:
    """Create an organisation in a party category."""
    with unit_of_work() as session:
        organisation = organisations.create_organisation(session, name, category)
        click.echo(f"Created {organisation.name} ({organisation.category.label}).")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--role", required=True, metavar="ROLE", help="respondent, secas or panel")
@click.option(
    "--organisation",
    "organisation_name",
    metavar="NAME",
    help="The respondent's organisation (respondents only).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of stdin.")
def create_user_command(
    email: str, name: str, role: str, organisation_name: str | None, password_stdin: bool
) -> None:
    """Create a user; prompts for the password unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with unit_of_work() as session:
        user = create_user(
            session,
            email=email,
            name=name,
            role=role,
            password=password,
            organisation_name=organisation_name,
        )
        click.echo(f"Created {user.role.value} {user.email}.")


@click.command("import-consultation")
@with_appcontext
@click.argument("file")
@click.option("--publish", is_flag=True, help="Publish it too (it opens at its opens_at).")
def import_consultation_command(file: str, publish: bool) -> None:
    """Load a consultation from a JSON FILE ("-" for stdin); prints its reference."""
    text = _read_text(file) if file != "-" else sys.stdin.read()
    with unit_of_work() as session:
        data = io.parse(text)
        consultation = io.import_consultation(session, data, now=utcnow(), publish=publish)
        reference = consultation.reference
    click.echo(reference)


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text") from None


@click.command("export-consultation")
@with_appcontext
@click.argument("reference")
def export_consultation_command(reference: str) -> None:
    """Print a consultation as JSON (the format import-consultation reads)."""
    with unit_of_work() as session:
        consultation = get_by_reference(session, reference, include_drafts=True)
        document = io.export_consultation(consultation)
    click.echo(io.dumps(document))


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Deliver the queued e-mails (printed to the console when MAIL_SERVER is not set)."""
    with unit_of_work() as session:
        counts = mail.deliver_queued(session, current_app.config)
    click.echo(f"Sent {counts.sent} message{'s' if counts.sent != 1 else ''}.")
    if counts.unsent:
        raise click.ClickException(
            f"{counts.unsent} message{'s' if counts.unsent != 1 else ''} could not be sent "
            f"({counts.failed} left queued to retry, {counts.given_up} given up after "
            f"{mail.MAX_ATTEMPTS} attempts); last error: {_one_line(counts.last_error or '')}"
        )


@click.command("send-notifications")
@with_appcontext
def send_notifications_command() -> None:
    """Queue "now open" notices and reminders before close (run it from cron, hourly)."""
    with unit_of_work() as session:
        now = utcnow()
        opened = notifications.queue_opened_notices(session, now)
        reminders = notifications.queue_due_reminders(session, now)
    click.echo(f"Queued {opened} 'now open' notices and {reminders} reminders.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (
        init_db_command,
        seed_demo_command,
        create_organisation_command,
        create_user_command,
        import_consultation_command,
        export_consultation_command,
        send_mail_command,
        send_notifications_command,
    ):
        app.cli.add_command(command)
