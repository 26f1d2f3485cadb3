"""call legs: one row per queue a call went through

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:36:33

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('call_leg',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.SmallInteger(), nullable=False),
    sa.Column('member_uuid', sa.String(length=64), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cause', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'],
        name=op.f('fk_call_leg_agent_id_agent'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'],
        name=op.f('fk_call_leg_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'],
        name=op.f('fk_call_leg_topic_id_topic'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_leg'))
    )
    with op.batch_alter_table('call_leg', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_leg_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index('uq_call_leg_member', ['call_id', 'member_uuid'], unique=True)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('call_leg', schema=None) as batch_op:
        batch_op.drop_index('uq_call_leg_member')
        batch_op.drop_index(batch_op.f('ix_call_leg_agent_id'))

    op.drop_table('call_leg')
