"""home-treatment monitoring

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:51:28

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('monitoring_episode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('person_name', sa.String(length=200), nullable=True),
    sa.Column('birth_year', sa.SmallInteger(), nullable=True),
    sa.Column('admin_unit_code', sa.String(length=16), nullable=True),
    sa.Column('positive_date', sa.Date(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('end_note', sa.Text(), nullable=True),
    sa.Column('times', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('last_slot_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('worsening', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('alert_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_check_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('missed', sa.Integer(), nullable=False),
    sa.Column('missed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('active', 'recovered', 'facility', 'deceased', 'lost')", name=op.f('ck_monitoring_episode_state_valid')),
    sa.ForeignKeyConstraint(['admin_unit_code'], ['admin_unit.code'], name=op.f('fk_monitoring_episode_admin_unit_code_admin_unit'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_monitoring_episode_case_id_case'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_monitoring_episode_declaration_id_declaration'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ended_by_id'], ['agent.id'], name=op.f('fk_monitoring_episode_ended_by_id_agent'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_monitoring_episode_topic_id_topic'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_episode'))
    )
    with op.batch_alter_table('monitoring_episode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_episode_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_monitoring_episode_state_unit', ['state', 'admin_unit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_episode_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index('uq_monitoring_episode_active_phone_topic', ['phone', 'topic_id'], unique=True, sqlite_where=sa.text("state = 'active'"), postgresql_where=sa.text("state = 'active'"))

    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('spo2', sa.Float(), nullable=True),
    sa.Column('respiratory_rate', sa.SmallInteger(), nullable=True),
    sa.Column('temperature', sa.Float(), nullable=True),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('red_flags', sa.SmallInteger(), nullable=False),
    sa.Column('negative_test', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('form', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.CheckConstraint("source IN ('call', 'web', 'declaration')", name=op.f('ck_check_in_source_valid')),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_check_in_agent_id_agent'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_check_in_call_id_call'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_check_in_declaration_id_declaration'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['episode_id'], ['monitoring_episode.id'], name=op.f('fk_check_in_episode_id_monitoring_episode'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in'))
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_declaration_id'), ['declaration_id'], unique=False)
        batch_op.create_index('ix_check_in_episode_id_at', ['episode_id', 'at'], unique=False)
        batch_op.create_index('uq_check_in_episode_call', ['episode_id', 'call_id'], unique=True)

    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declaration_received_at'), ['received_at'], unique=False)

    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('episode_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_callback_episode_id'), ['episode_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_callback_episode_id_monitoring_episode'), 'monitoring_episode', ['episode_id'], ['id'], ondelete='SET NULL', use_alter=True)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_callback_episode_id_monitoring_episode'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_callback_episode_id'))
        batch_op.drop_column('episode_id')

    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declaration_received_at'))

    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index('uq_check_in_episode_call')
        batch_op.drop_index('ix_check_in_episode_id_at')
        batch_op.drop_index(batch_op.f('ix_check_in_declaration_id'))

    op.drop_table('check_in')
    with op.batch_alter_table('monitoring_episode', schema=None) as batch_op:
        batch_op.drop_index('uq_monitoring_episode_active_phone_topic', sqlite_where=sa.text("state = 'active'"), postgresql_where=sa.text("state = 'active'"))
        batch_op.drop_index(batch_op.f('ix_monitoring_episode_updated_at'))
        batch_op.drop_index('ix_monitoring_episode_state_unit')
        batch_op.drop_index(batch_op.f('ix_monitoring_episode_case_id'))

    op.drop_table('monitoring_episode')
