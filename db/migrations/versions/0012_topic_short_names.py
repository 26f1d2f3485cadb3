"""topic: a short name for tables and lists (the full name is a sentence)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 21:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # Plain ADD COLUMN (no batch copy of the topic table: its rows are referenced).
    op.add_column('topic', sa.Column('short_vi', sa.String(length=40), nullable=True))
    op.add_column('topic', sa.Column('short_en', sa.String(length=40), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('topic', 'short_en')
    op.drop_column('topic', 'short_vi')
