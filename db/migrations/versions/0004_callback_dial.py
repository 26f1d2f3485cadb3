"""callback dial token and last result

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 11:05:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dial_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('last_result', sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.drop_column('last_result')
        batch_op.drop_column('dial_token')
