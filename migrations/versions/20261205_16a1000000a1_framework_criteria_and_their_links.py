"""inspection frameworks as versioned data: areas, criteria, and criteria linked to the plan (issue 16)

Revision ID: 16a1000000a1
Revises: 15a1000000f6
Create Date: 2026-12-05 02:10:43.689219

"""
import sqlalchemy as sa
from alembic import op

import tracker.models


# revision identifiers, used by Alembic.
revision = '16a1000000a1'
down_revision = '15a1000000f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('framework',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('source_url', sa.String(length=500), nullable=False),
    sa.Column('wording_note', sa.Text(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('outcomes', sa.JSON(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', tracker.models.UTCDateTime(), nullable=False),
    sa.Column('created_at', tracker.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_framework')),
    sa.UniqueConstraint('key', 'version', name='uq_framework_key_version')
    )
    op.create_table('evaluation_area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['framework.id'], name=op.f('fk_evaluation_area_framework_id_framework'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_area')),
    sa.UniqueConstraint('framework_id', 'key', name='uq_evaluation_area_framework_key')
    )
    with op.batch_alter_table('evaluation_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_area_framework_id'), ['framework_id'], unique=False)

    op.create_table('criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('guidance', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['evaluation_area.id'], name=op.f('fk_criterion_area_id_evaluation_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['framework_id'], ['framework.id'], name=op.f('fk_criterion_framework_id_framework'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion')),
    sa.UniqueConstraint('framework_id', 'key', name='uq_criterion_framework_key')
    )
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criterion_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criterion_framework_id'), ['framework_id'], unique=False)

    op.create_table('criterion_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('finding', 'action', 'measure', 'evidence', 'survey', name='linkkind', native_enum=False, length=40), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('survey_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.models.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(CASE WHEN finding_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN action_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN measure_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN evidence_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN survey_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_criterion_link_one_target')),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_criterion_link_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_criterion_link_created_by_id_user')),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], name=op.f('fk_criterion_link_criterion_id_criterion'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence_item.id'], name=op.f('fk_criterion_link_evidence_id_evidence_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_criterion_link_finding_id_finding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_criterion_link_measure_id_measure'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_criterion_link_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion_link')),
    sa.UniqueConstraint('criterion_id', 'action_id', name='uq_criterion_link_action'),
    sa.UniqueConstraint('criterion_id', 'evidence_id', name='uq_criterion_link_evidence'),
    sa.UniqueConstraint('criterion_id', 'finding_id', name='uq_criterion_link_finding'),
    sa.UniqueConstraint('criterion_id', 'measure_id', name='uq_criterion_link_measure'),
    sa.UniqueConstraint('criterion_id', 'survey_id', name='uq_criterion_link_survey')
    )
    with op.batch_alter_table('criterion_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criterion_link_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criterion_link_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criterion_link_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criterion_link_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criterion_link_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criterion_link_survey_id'), ['survey_id'], unique=False)



def downgrade():
    with op.batch_alter_table('criterion_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criterion_link_survey_id'))
        batch_op.drop_index(batch_op.f('ix_criterion_link_measure_id'))
        batch_op.drop_index(batch_op.f('ix_criterion_link_finding_id'))
        batch_op.drop_index(batch_op.f('ix_criterion_link_evidence_id'))
        batch_op.drop_index(batch_op.f('ix_criterion_link_criterion_id'))
        batch_op.drop_index(batch_op.f('ix_criterion_link_action_id'))

    op.drop_table('criterion_link')
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criterion_framework_id'))
        batch_op.drop_index(batch_op.f('ix_criterion_area_id'))

    op.drop_table('criterion')
    with op.batch_alter_table('evaluation_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_area_framework_id'))

    op.drop_table('evaluation_area')
    op.drop_table('framework')
