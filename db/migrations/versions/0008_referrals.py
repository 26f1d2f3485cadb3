"""referrals: reports forwarded to agencies

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:14:04

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('forwarded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('forwarded_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('informed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('callback_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('forwarded', 'in_progress', 'resolved', 'caller_informed')", name=op.f('ck_referral_state_valid')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_referral_agency_id_agency'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['callback_id'], ['callback.id'], name=op.f('fk_referral_callback_id_callback'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_referral_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['forwarded_by_id'], ['agent.id'], name=op.f('fk_referral_forwarded_by_id_agent'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['agent.id'], name=op.f('fk_referral_updated_by_id_agent'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral')),
    sa.UniqueConstraint('case_id', 'agency_id', name=op.f('uq_referral_case_id_agency_id'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_agency_id_state', ['agency_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_callback_id'), ['callback_id'], unique=False)
        batch_op.create_index('ix_referral_state_due_at', ['state', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_updated_at'), ['updated_at'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_updated_at'))
        batch_op.drop_index('ix_referral_state_due_at')
        batch_op.drop_index(batch_op.f('ix_referral_callback_id'))
        batch_op.drop_index('ix_referral_agency_id_state')

    op.drop_table('referral')
