"""callback dial token and last result; the outbound call dialled for a callback

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
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_call_callback_id'), ['callback_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_call_callback_id_callback'), 'callback',
                                    ['callback_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_call_callback_id_callback'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_call_callback_id'))
        batch_op.drop_column('callback_id')
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.drop_column('last_result')
        batch_op.drop_column('dial_token')
