"""Oversight: empty the Victims' Code rollups so they are counted again (issue 19).

Revision ID: 0027_recount_rights
Revises: 0026_feedback

Data only. The next revision splits `oversight_rights_daily` by share group, which the rows
counted so far do not know. Emptying the rollups and forgetting how far they had counted makes
the next statistics read count every item again (`rollups.sync_rights` builds from scratch
when it has no sync state), so no figure changes. Downgrading does the same for the code of
before, which reads the rollups without share groups.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_recount_rights"
down_revision = "0026_feedback"
branch_labels = None
depends_on = None

ROLLUPS = ("oversight_rights_daily", "oversight_rights_people")
RIGHTS_STATE = "victims_code_rights"  # rollups.RIGHTS_STATE


def _forget_rollups() -> None:
    for table in ROLLUPS:
        op.execute(sa.table(table).delete())
    state = sa.table("oversight_sync_state", sa.column("name", sa.String))
    op.execute(state.delete().where(state.c.name == RIGHTS_STATE))


def upgrade() -> None:
    _forget_rollups()


def downgrade() -> None:
    _forget_rollups()
