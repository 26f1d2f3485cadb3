"""after-call work deadlines survive a daemon restart

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'acw_deadline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('call_uuid', sa.String(length=64), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('until', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agent_id'], ['agent.id'],
                                name=op.f('fk_acw_deadline_agent_id_agent'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_acw_deadline')),
        sa.UniqueConstraint('agent_id', name=op.f('uq_acw_deadline_agent_id')),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('acw_deadline')
