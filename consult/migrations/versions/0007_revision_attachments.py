"""attachments belong to the revision they were submitted with

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00

A submission is an immutable revision, so the attachments the Panel sees must be the
ones submitted with it, not whatever the respondent holds while amending. Each revision
records its attachments; removing an attachment from a draft marks it removed instead of
deleting it, so a past revision's attachments stay readable. Each response's current
attachments are linked to its current revision, so an upgraded database keeps showing
what the Panel saw.
"""

import sqlalchemy as sa
from alembic import op

import consult.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revision_attachment",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["revision_id"], ["revision.id"], ondelete="CASCADE"),
        # No cascade: a file a revision was submitted with must not be deleted.
        sa.ForeignKeyConstraint(["attachment_id"], ["attachment.id"]),
        sa.PrimaryKeyConstraint("revision_id", "attachment_id"),
    )
    op.create_index(
        "ix_revision_attachment_attachment_id", "revision_attachment", ["attachment_id"]
    )
    with op.batch_alter_table("attachment") as batch:
        batch.add_column(
            sa.Column("removed_at", consult.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "INSERT INTO revision_attachment (revision_id, attachment_id)"
        " SELECT response.current_revision_id, attachment.id"
        " FROM attachment JOIN response ON response.id = attachment.response_id"
        " WHERE response.current_revision_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_revision_attachment_attachment_id", table_name="revision_attachment")
    op.drop_table("revision_attachment")
    # Before this migration a response held only its working copy's attachments, so
    # those removed from it (kept for past revisions) go.
    op.execute("DELETE FROM attachment WHERE removed_at IS NOT NULL")
    with op.batch_alter_table("attachment") as batch:
        batch.drop_column("removed_at")
