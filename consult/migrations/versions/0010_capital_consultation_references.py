"""store every consultation reference in capitals

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 21:00:00

A reference is the consultation's web address. One created as ``test-002`` was not found
at ``/consultations/TEST-002``; references are now kept in capitals and looked up in
capitals whatever case is typed, so those stored before must be in capitals too. The
application already refused two references differing only in case; should a database
hold such a pair anyway, the upgrade stops and names them rather than pick one.

The downgrade changes nothing: the case each reference was first typed in is not kept,
and capitals work with the earlier code as well.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    clashes = connection.execute(
        sa.text(
            "SELECT upper(reference) FROM consultation GROUP BY upper(reference) "
            "HAVING count(*) > 1 ORDER BY upper(reference)"
        )
    ).scalars()
    clashing = ", ".join(clashes)
    if clashing:
        raise RuntimeError(
            f"Consultation references differ only in case: {clashing}. Rename one of each "
            "pair, then upgrade again."
        )
    op.execute("UPDATE consultation SET reference = upper(reference) WHERE reference <> upper(reference)")


def downgrade() -> None:
    pass
