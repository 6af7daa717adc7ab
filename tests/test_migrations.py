"""Migrations that move data: an upgraded database keeps what the Panel saw."""

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consult import migrate
from consult.db import make_engine, utcnow
from consult.models import (
    Attachment,
    Document,
    Organisation,
    PartyCategory,
    Response,
    Revision,
)
from consult.responses import attachments
from consult.responses import service as responses
from tests import factories
from tests.conftest import BACKEND

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def database_url(_database: dict, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own, so migrating it down and up leaves the shared one
    alone (on PostgreSQL the run shares one database)."""
    if _database["backend"] == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrating.sqlite'}"
    else:
        url = _database["server"].create_database(f"migrating_{uuid.uuid4().hex}")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url


def migrate_to(engine: Engine, target: str) -> None:
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if target == "head":
            command.upgrade(config, target)
        else:
            command.downgrade(config, target)


def attach(app, db: Session, response: Response, user, filename: str) -> Attachment:
    return attachments.add(
        db,
        response,
        io.BytesIO(PDF + filename.encode()),
        filename,
        root=Path(app.config["UPLOAD_FOLDER"]),
        max_bytes=1024 * 1024,
        user=user,
        now=utcnow(),
    )


def submit(db: Session, response: Response, user) -> None:
    responses.submit(
        db, response, expected_version=response.version, user=user, now=utcnow(), declared=True
    )


def test_upgrade_to_0007_gives_each_current_revision_the_files_its_response_held(
    app, db, respondent, other_respondent
):
    consultation = factories.make_consultation(db, "SSI-2017")
    submitted = factories.make_response(db, consultation, respondent, submit=False)
    attach(app, db, submitted, respondent, "evidence.pdf")
    submit(db, submitted, respondent)
    draft = factories.make_response(db, consultation, other_respondent, submit=False)
    attach(app, db, draft, other_respondent, "draft.pdf")
    db.commit()
    db.close()
    engine = app.extensions["consult.engine"]

    migrate_to(engine, "0006")
    migrate_to(engine, "head")

    linked = db.execute(
        select(Revision.number, Attachment.filename).join(Revision.attachments)
    ).all()
    assert linked == [(1, "evidence.pdf")]


def test_downgrade_from_0007_keeps_only_the_working_copys_files(app, db, respondent):
    consultation = factories.make_consultation(db, "SSI-2017")
    response = factories.make_response(db, consultation, respondent, submit=False)
    submitted = attach(app, db, response, respondent, "submitted.pdf")
    submit(db, response, respondent)
    attachments.remove(db, response, submitted.id, user=respondent, now=utcnow())
    attach(app, db, response, respondent, "amended.pdf")
    db.commit()
    db.close()
    engine = app.extensions["consult.engine"]

    migrate_to(engine, "0006")

    with engine.connect() as connection:
        names = connection.scalars(text("SELECT filename FROM attachment")).all()
    assert names == ["amended.pdf"]


def test_upgrade_to_0010_puts_references_in_capitals_and_keeps_their_receipts(app, db, respondent):
    consultation = factories.make_consultation(db, "test-002")
    factories.make_response(db, consultation, respondent)
    db.close()
    engine = app.extensions["consult.engine"]

    migrate_to(engine, "0009")
    migrate_to(engine, "head")

    db.expire_all()
    response = db.scalar(select(Response))
    assert response.consultation.reference == "TEST-002"
    assert response.receipt == "TEST-002-R0001"


def test_upgrade_to_0010_stops_at_references_differing_only_in_case(app, db):
    factories.make_consultation(db, "test-002")
    factories.make_consultation(db, "Test-002")
    db.close()
    engine = app.extensions["consult.engine"]
    migrate_to(engine, "0009")

    with pytest.raises(RuntimeError, match="differ only in case: TEST-002"):
        migrate_to(engine, "head")
    with engine.connect() as connection:
        references = connection.scalars(text("SELECT reference FROM consultation")).all()
    assert sorted(references) == ["Test-002", "test-002"]


only_postgresql_has_0012s_index = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="0012 adds its index on PostgreSQL only: on SQLite writers take turns",
)


@only_postgresql_has_0012s_index
def test_upgrade_to_0012_keeps_organisations_and_makes_names_unique_ignoring_case(app, db):
    engine = app.extensions["consult.engine"]
    migrate_to(engine, "0011")
    for name in ("EDF Energy", "Énergie Locale", "Octopus Energy"):
        factories.make_organisation(db, name)
    db.close()

    migrate_to(engine, "head")

    with engine.connect() as connection:
        names = connection.scalars(text("SELECT name FROM organisation")).all()
    assert sorted(names) == ["EDF Energy", "Octopus Energy", "Énergie Locale"]
    db.add(Organisation(name="énergie locale", category=PartyCategory.large_supplier))
    with pytest.raises(IntegrityError):
        db.commit()


@only_postgresql_has_0012s_index
def test_upgrade_to_0012_stops_at_organisation_names_differing_only_in_case(app, db):
    engine = app.extensions["consult.engine"]
    migrate_to(engine, "0011")
    names = ["EDF Energy", "edf energy", "Énergie Locale", "énergie locale", "Octopus Energy"]
    for name in names:
        factories.make_organisation(db, name)
    db.close()

    with pytest.raises(RuntimeError, match="Organisation names differ only in case") as stopped:
        migrate_to(engine, "head")
    clashing = str(stopped.value)
    assert all(f"'{name}'" in clashing for name in names[:4])
    assert "Octopus" not in clashing
    with engine.connect() as connection:
        kept = connection.scalars(text("SELECT name FROM organisation")).all()
    assert sorted(kept) == sorted(names)


only_postgresql_lacked_0013s_key = pytest.mark.skipif(
    BACKEND != "postgresql", reason="SQLite has had the key since 0001: 0013 changes nothing"
)


def point_at_a_missing_revision(engine: Engine, response_id: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE response SET current_revision_id = 999999 WHERE id = :id"),
            {"id": response_id},
        )


def test_a_response_cannot_point_at_a_revision_that_does_not_exist(app, db, respondent):
    response = factories.make_response(db, factories.make_consultation(db), respondent)
    with pytest.raises(IntegrityError):
        point_at_a_missing_revision(app.extensions["consult.engine"], response.id)


@only_postgresql_lacked_0013s_key
def test_upgrade_to_0013_stops_at_a_response_pointing_at_a_missing_revision(app, db, respondent):
    engine = app.extensions["consult.engine"]
    response = factories.make_response(db, factories.make_consultation(db), respondent)
    db.close()
    migrate_to(engine, "0012")
    point_at_a_missing_revision(engine, response.id)

    with pytest.raises(RuntimeError, match="Responses point at revisions that do not exist") as e:
        migrate_to(engine, "head")
    assert f"response {response.id} (revision 999999)" in str(e.value)
    with engine.connect() as connection:
        kept = connection.scalar(text("SELECT current_revision_id FROM response"))
    assert kept == 999999


def test_upgrade_to_0014_tells_everyone_already_registered_of_colleagues_responses(app, db):
    engine = app.extensions["consult.engine"]
    migrate_to(engine, "0013")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user_account (email, name, role, active, created_at, "
                "notify_new_consultations, notify_reminders, session_epoch, failed_sign_ins) "
                "VALUES ('old@example.com', 'Old', 'secas', :yes, :now, :yes, :no, 0, 0)"
            ),
            {"yes": True, "no": False, "now": utcnow()},
        )

    migrate_to(engine, "head")

    with engine.connect() as connection:
        wanted = connection.execute(
            text("SELECT notify_colleagues, notify_reminders FROM user_account")
        ).one()
    assert tuple(map(bool, wanted)) == (True, False)
    migrate_to(engine, "0013")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM user_account")) == 1
        columns = {c["name"] for c in inspect(connection).get_columns("user_account")}
    assert "notify_colleagues" not in columns and "notify_reminders" in columns


only_postgresql_has_0015s_indexes = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="0015 adds its indexes on PostgreSQL only: on SQLite writers take turns",
)


@only_postgresql_has_0015s_indexes
def test_upgrade_to_0015_stops_at_shared_party_identifiers_and_document_titles(app, db):
    engine = app.extensions["consult.engine"]
    migrate_to(engine, "0014")
    for name, party in (("EDF Energy", "SEC0001"), ("E.ON", "sec0001"), ("SSE", "SEC0002")):
        factories.make_organisation(db, name).sec_party_id = party
    consultation = factories.make_consultation(db, "SSI-2017")
    for title in ("Consultation document", "CONSULTATION DOCUMENT", "Appendix A"):
        consultation.documents.append(
            Document(
                title=title, filename="a.pdf", content_type="application/pdf", size=1, sha256="0"
            )
        )
    db.commit()
    db.close()

    with pytest.raises(RuntimeError) as stopped:
        migrate_to(engine, "head")
    assert str(stopped.value) == (
        "Organisations share an SEC Party identifier: 'E.ON' and 'EDF Energy'. A consultation "
        "has documents of the same title: 'CONSULTATION DOCUMENT' and 'Consultation "
        "document'. Change all but one of each, then upgrade again."
    )
    with engine.begin() as connection:
        connection.execute(text("UPDATE organisation SET sec_party_id = NULL WHERE name = 'E.ON'"))
        connection.execute(text("DELETE FROM document WHERE title = 'CONSULTATION DOCUMENT'"))
    migrate_to(engine, "head")
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text("UPDATE organisation SET sec_party_id = 'sec0002' WHERE name = 'E.ON'")
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE document SET title = 'appendix a'"))
    migrate_to(engine, "0014")
    with engine.begin() as connection:  # gone again on the way down
        connection.execute(
            text("UPDATE organisation SET sec_party_id = 'sec0002' WHERE name = 'E.ON'")
        )
