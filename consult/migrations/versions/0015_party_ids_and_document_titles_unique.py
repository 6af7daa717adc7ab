"""SEC Party identifiers, and each consultation's document titles, unique ignoring case,
in the database too

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 09:00:00

The application refuses an SEC Party identifier another organisation has, and a second
document of the same title in a consultation, but on PostgreSQL two SECAS users saving
such a pair at the same moment would both get through: each check passes before either
commits. Unique indexes now stop the second, who gets the "not saved" page. Should the
database hold such a pair already, the upgrade stops and names them rather than pick one.

PostgreSQL only, as 0012 (which says why): on SQLite a request that writes takes the
write lock at BEGIN, so no other writer comes between its check and its insert.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _clashes(connection, query: str) -> str:
    return "; ".join(" and ".join(f"'{v}'" for v in row[1]) for row in connection.execute(sa.text(query)))


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    parties = _clashes(
        connection,
        "SELECT lower(sec_party_id), array_agg(name ORDER BY name) FROM organisation "
        "WHERE sec_party_id IS NOT NULL GROUP BY lower(sec_party_id) HAVING count(*) > 1 "
        "ORDER BY 1",
    )
    documents = _clashes(
        connection,
        "SELECT c.reference, array_agg(d.title ORDER BY d.title) FROM document d "
        "JOIN consultation c ON c.id = d.consultation_id "
        "GROUP BY c.reference, d.consultation_id, lower(d.title) HAVING count(*) > 1 "
        "ORDER BY 1",
    )
    problems = []
    if parties:
        problems.append(f"Organisations share an SEC Party identifier: {parties}")
    if documents:
        problems.append(f"A consultation has documents of the same title: {documents}")
    if problems:
        raise RuntimeError(
            ". ".join(problems) + ". Change all but one of each, then upgrade again."
        )
    op.create_index(
        "organisation_sec_party_id_ignoring_case",
        "organisation",
        [sa.text("lower(sec_party_id)")],
        unique=True,
    )
    op.create_index(
        "document_title_ignoring_case",
        "document",
        ["consultation_id", sa.text("lower(title)")],
        unique=True,
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("document_title_ignoring_case", table_name="document")
    op.drop_index("organisation_sec_party_id_ignoring_case", table_name="organisation")
