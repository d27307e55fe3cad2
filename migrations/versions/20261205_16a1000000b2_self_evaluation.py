"""the self-evaluation: statements per criterion, their versions, citations and sign-off (issue 16)

Revision ID: 16a1000000b2
Revises: 16a1000000a1
Create Date: 2026-12-05 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import tracker.models

# revision identifiers, used by Alembic.
revision = '16a1000000b2'
down_revision = '16a1000000a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sef_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('working_well', sa.Text(), nullable=False),
    sa.Column('to_improve', sa.Text(), nullable=False),
    sa.Column('being_done', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_sef_version_author_id_user')),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], name=op.f('fk_sef_version_criterion_id_criterion'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sef_version')),
    sa.UniqueConstraint('criterion_id', 'number', name='uq_sef_version_criterion_number')
    )
    with op.batch_alter_table('sef_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sef_version_criterion_id'), ['criterion_id'], unique=False)

    op.create_table('sef_citation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('evidence', 'measure', 'survey', name='citedkind', native_enum=False, length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('survey_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(CASE WHEN evidence_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN measure_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN survey_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_sef_citation_one_target')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence_item.id'], name=op.f('fk_sef_citation_evidence_id_evidence_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_sef_citation_measure_id_measure'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_sef_citation_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['sef_version.id'], name=op.f('fk_sef_citation_version_id_sef_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sef_citation'))
    )
    with op.batch_alter_table('sef_citation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sef_citation_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sef_citation_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sef_citation_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sef_citation_version_id'), ['version_id'], unique=False)

    op.create_table('sef_sign_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', tracker.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], name=op.f('fk_sef_sign_off_criterion_id_criterion'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user.id'], name=op.f('fk_sef_sign_off_signed_by_id_user')),
    sa.ForeignKeyConstraint(['version_id'], ['sef_version.id'], name=op.f('fk_sef_sign_off_version_id_sef_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sef_sign_off')),
    sa.UniqueConstraint('version_id', name=op.f('uq_sef_sign_off_version_id'))
    )
    with op.batch_alter_table('sef_sign_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sef_sign_off_criterion_id'), ['criterion_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sef_sign_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sef_sign_off_criterion_id'))

    op.drop_table('sef_sign_off')
    with op.batch_alter_table('sef_citation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sef_citation_version_id'))
        batch_op.drop_index(batch_op.f('ix_sef_citation_survey_id'))
        batch_op.drop_index(batch_op.f('ix_sef_citation_measure_id'))
        batch_op.drop_index(batch_op.f('ix_sef_citation_evidence_id'))

    op.drop_table('sef_citation')
    with op.batch_alter_table('sef_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sef_version_criterion_id'))

    op.drop_table('sef_version')
