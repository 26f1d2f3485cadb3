"""agent: the status a phone-only agent is held in on mod_callcenter

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 20:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # ALTER TABLE … ADD COLUMN on both databases, no batch mode: on SQLite a batch that copies
    # the agent table drops the old one, and with foreign keys on that DROP deletes the rows
    # that reference it (tiers, …). Hence no CHECK either: db.agents checks the values.
    op.add_column('agent', sa.Column('phone_status', sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('agent', 'phone_status')  # SQLite ≥ 3.35 drops a column in place
