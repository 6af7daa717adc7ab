"""the last two-factor code accepted, so each code works once

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-29 12:00:00

A TOTP code stays valid for its 30-second step (and one step either side, for clock
drift); remembering the step of the last code accepted stops a code seen over someone's
shoulder, or replayed, from signing in a second time.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("totp_last_counter", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("totp_last_counter")
