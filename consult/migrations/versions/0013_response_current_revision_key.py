"""the response's foreign key to its current revision, on PostgreSQL too

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 12:00:00

0001 declared it with use_alter (response and revision refer to each other), and
create_table leaves such a key to an ALTER that was never made. SQLite, which accepts a
key to a table not yet created, has had it inline from the start; PostgreSQL had none, so
nothing stopped a response pointing at a revision that does not exist. Should one do so
already, the upgrade stops and names it rather than guess which revision was meant.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    dangling = connection.execute(
        sa.text(
            "SELECT response.id, response.current_revision_id FROM response"
            " WHERE response.current_revision_id IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM revision WHERE revision.id = response.current_revision_id)"
            " ORDER BY response.id"
        )
    ).all()
    if dangling:
        named = "; ".join(f"response {id_} (revision {rev})" for id_, rev in dangling)
        raise RuntimeError(
            f"Responses point at revisions that do not exist: {named}. Restore them from a "
            "backup, or set their current_revision_id to their latest revision, then "
            "upgrade again."
        )
    op.create_foreign_key(
        "fk_response_current_revision", "response", "revision", ["current_revision_id"], ["id"]
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint("fk_response_current_revision", "response", type_="foreignkey")
