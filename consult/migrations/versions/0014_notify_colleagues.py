"""respondents told when a colleague submits or withdraws their organisation's response

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 08:00:00

Everyone already registered gets these e-mails, as new users do; each can turn them off
under Your account.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


# Not a batch: on SQLite that copies the user_account table, which others refer to. Both
# databases add and drop a column.


def upgrade() -> None:
    op.add_column(
        "user_account",
        sa.Column("notify_colleagues", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column("user_account", "notify_colleagues")
