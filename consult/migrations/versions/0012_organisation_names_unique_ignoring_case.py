"""organisation names unique ignoring case, in the database too

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 10:00:00

The application refuses a name that differs from an existing one only in case ("edf
energy" beside "EDF Energy"), but the database compared exact text, so on PostgreSQL two
SECAS users adding such a pair at the same moment both got through: each check passed
before either committed. A unique index on lower(name) now stops the second. Should a
database hold such a pair already, the upgrade stops and names them rather than pick one.
The exact-text unique constraint stays: the new index implies it.

PostgreSQL only. On SQLite the race cannot happen: a request that writes takes the write
lock at BEGIN, so its check and its insert run with no other writer in between. And there
lower() is Consult's own (Python's Unicode rules, ``consult.db``): an index on it would be
kept by that function, so a tool opening the file without it (the sqlite3 shell, to mend
a name) would leave names with capitals beyond A-Z missing from the index.
"""

from itertools import groupby

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    rows = connection.execute(
        sa.text(
            "SELECT lower(name), name FROM organisation WHERE lower(name) IN "
            "(SELECT lower(name) FROM organisation GROUP BY lower(name) HAVING count(*) > 1) "
            "ORDER BY lower(name), name"
        )
    ).all()
    clashing = "; ".join(
        " and ".join(f"'{name}'" for _, name in group)
        for _, group in groupby(rows, key=lambda row: row[0])
    )
    if clashing:
        raise RuntimeError(
            f"Organisation names differ only in case: {clashing}. Rename all but one of "
            "each, then upgrade again."
        )
    op.create_index(
        "organisation_name_ignoring_case",
        "organisation",
        [sa.text("lower(name)")],
        unique=True,
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("organisation_name_ignoring_case", table_name="organisation")
