"""declarations from the web and the portal; api sources

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:57:02

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('api_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('key_sha256', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_source')),
    sa.UniqueConstraint('key_sha256', name=op.f('uq_api_source_key_sha256')),
    sa.UniqueConstraint('name', name=op.f('uq_api_source_name'))
    )
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('receipt_code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('payload_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('triage_level', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('person_key', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('first_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_declaration_person_key_received_at', ['person_key', 'received_at'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_declaration_receipt_code'), ['receipt_code'])
        batch_op.create_index('uq_declaration_source_idempotency', ['source', 'idempotency_key'], unique=True)
        batch_op.create_foreign_key(batch_op.f('fk_declaration_topic_id_topic'), 'topic', ['topic_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_declaration_first_id_declaration'), 'declaration', ['first_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_declaration_first_id_declaration'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_declaration_topic_id_topic'), type_='foreignkey')
        batch_op.drop_index('uq_declaration_source_idempotency')
        batch_op.drop_constraint(batch_op.f('uq_declaration_receipt_code'), type_='unique')
        batch_op.drop_index('ix_declaration_person_key_received_at')
        batch_op.drop_column('first_id')
        batch_op.drop_column('person_key')
        batch_op.drop_column('triage_level')
        batch_op.drop_column('payload_sha256')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('receipt_code')
        batch_op.drop_column('topic_id')

    op.drop_table('api_source')
