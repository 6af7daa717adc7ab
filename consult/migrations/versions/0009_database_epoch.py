"""a token that changes whenever the database is restored from a backup

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 14:00:00

A kept summary page is keyed by counts and versions read from the database. A restore
brings back older counts and versions, so a different change made after it could give a
fingerprint a page was kept under before it. The token is part of every fingerprint, and
``restore`` gives it a new random value, so nothing kept before a restore is given after.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    epoch = op.create_table(
        "database_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(epoch, [{"id": 1, "token": secrets.token_hex(16)}])


def downgrade() -> None:
    op.drop_table("database_epoch")
