"""the response version a revision was submitted from

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 21:00:00

Submitting a check-answers page again after one's own submission, with nothing changed
since, is only "already submitted" if that page showed what was submitted: the same
version. A page from before a later change (an old tab) is stale. Revisions made before
this migration have no version recorded (NULL) and keep the earlier rule.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


# Not a batch: on SQLite that copies the table, and dropping the old one breaks the
# response's foreign key to its current revision. Both databases add and drop a column.


def upgrade() -> None:
    op.add_column("revision", sa.Column("submitted_from_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("revision", "submitted_from_version")
