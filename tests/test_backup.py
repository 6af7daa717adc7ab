"""A backup restores to exactly what was backed up, table by table."""

from sqlalchemy import select, text

from consult.db import Base
from consult.models import Organisation
from tests import factories
from tests.cli_helpers import invoke


def _snapshot(app) -> dict[str, list]:
    with app.extensions["consult.engine"].connect() as connection:
        tables = {
            table.name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
            for table in Base.metadata.sorted_tables
        }
        tables["alembic_version"] = connection.execute(
            text("SELECT version_num FROM alembic_version")
        ).all()
    return tables


def _populate(db, respondent, other_respondent) -> None:
    consultation = factories.make_consultation(db, "BAK-1")
    factories.make_response(db, consultation, respondent, confidential=True)
    factories.make_response(db, consultation, other_respondent)


def test_restore_gives_back_every_row_of_every_table_and_a_new_epoch(
    app, db, respondent, other_respondent, tmp_path
):
    _populate(db, respondent, other_respondent)
    before = _snapshot(app)
    assert before["revision_choice"], "the snapshot should hold real answers"
    result = invoke(app, "backup", str(tmp_path / "consult.backup"))
    assert result.exit_code == 0, result.output

    db.add(Organisation(name="Added after the backup", category="dcc"))
    db.commit()
    db.close()
    result = invoke(app, "restore", "--yes", str(tmp_path / "consult.backup"))
    assert result.exit_code == 0, result.output
    after = _snapshot(app)
    # The epoch is new, so no summary page kept before the restore is given after it.
    assert after.pop("database_epoch") != before.pop("database_epoch")
    assert after == before


def test_backup_refuses_to_overwrite_a_file(app, tmp_path):
    existing = tmp_path / "old.backup"
    existing.write_text("keep me")
    result = invoke(app, "backup", str(existing))
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert existing.read_text() == "keep me"


def test_restore_refuses_a_file_that_is_not_a_backup(app, db, organisation, tmp_path):
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(b"not a database at all" * 100)
    result = invoke(app, "restore", "--yes", str(bogus))
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert db.scalar(select(Organisation.name)) == organisation.name
