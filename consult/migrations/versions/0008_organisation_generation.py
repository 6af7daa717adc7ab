"""count every change to an organisation, so a kept summary knows it is out of date

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 13:00:00

The Panel's summary names each respondent's organisation and counts it in its party
category. Each process keeps a rendered summary for as long as nothing it shows has
changed; renaming an organisation or moving it to another category must count as a
change, so every update of an organisation adds one to its generation.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on SQLite too (3.35 and later drop a column in place): a batch
# migration would copy the table, which users and responses refer to.


def upgrade() -> None:
    op.add_column(
        "organisation", sa.Column("generation", sa.Integer(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    op.drop_column("organisation", "generation")
