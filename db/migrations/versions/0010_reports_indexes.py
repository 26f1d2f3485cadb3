"""reports: the legs' index by time, and when after-call work ended

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 18:10:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('call_leg', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wrap_ended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_call_leg_queued_at', ['queued_at'], unique=False)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.create_index('ix_callback_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_callback_last_attempt_at', ['last_attempt_at'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.drop_index('ix_callback_last_attempt_at')
        batch_op.drop_index('ix_callback_created_at')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_created_at')
    with op.batch_alter_table('call_leg', schema=None) as batch_op:
        batch_op.drop_index('ix_call_leg_queued_at')
        batch_op.drop_column('wrap_ended_at')

