"""Surveys of families and professionals: groups, questions, replies, comments and "you said, we did"."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model, db
from tracker.models import ArchivableMixin, TimestampMixin, UTCDateTime, enum_column, utcnow
from tracker.plan.models import Action, Finding, LabelledEnum, Theme


class Audience(LabelledEnum):
    PARENTS_CARERS = "parents_carers"
    SENCOS = "sencos"
    CHILDREN_YOUNG_PEOPLE = "children_young_people"
    PRACTITIONERS = "practitioners"

    @property
    def label(self) -> str:
        return {
            "parents_carers": "Parents and carers",
            "sencos": "SENCOs",
            "children_young_people": "Children and young people",
            "practitioners": "Practitioners",
        }[self.value]

    @property
    def reply_noun(self) -> str:
        """As in '32 of 39 SENCO replies'."""
        return {
            "parents_carers": "parent and carer",
            "sencos": "SENCO",
            "children_young_people": "children and young people's",
            "practitioners": "practitioner",
        }[self.value]


class QuestionKind(LabelledEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    RATING = "rating"
    FREE_TEXT = "free_text"


class PublicationStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


survey_finding = sa.Table(
    "survey_finding",
    db.metadata,
    sa.Column("survey_id", sa.ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("finding_id", sa.ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_survey_finding_finding_id", "finding_id"),  # the link read from its second side
)

comment_theme = sa.Table(
    "comment_theme",
    db.metadata,
    sa.Column("comment_id", sa.ForeignKey("survey_comment.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)

comment_finding = sa.Table(
    "comment_finding",
    db.metadata,
    sa.Column("comment_id", sa.ForeignKey("survey_comment.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("finding_id", sa.ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_comment_finding_finding_id", "finding_id"),  # the link read from its second side
)

response_comment = sa.Table(
    "response_comment",
    db.metadata,
    sa.Column("response_id", sa.ForeignKey("you_said_we_did.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("comment_id", sa.ForeignKey("survey_comment.id", ondelete="CASCADE"), primary_key=True),
)

response_action = sa.Table(
    "response_action",
    db.metadata,
    sa.Column("response_id", sa.ForeignKey("you_said_we_did.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
)


class Survey(ArchivableMixin, TimestampMixin, Model):
    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), unique=True)
    service: Mapped[str] = mapped_column(sa.String(200))
    teams: Mapped[str] = mapped_column(sa.Text, default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    opened_on: Mapped[date | None]
    closed_on: Mapped[date | None]

    groups: Mapped[list["SurveyGroup"]] = relationship(
        back_populates="survey", order_by="SurveyGroup.position"
    )
    questions: Mapped[list["SurveyQuestion"]] = relationship(order_by="SurveyQuestion.position")
    findings: Mapped[list[Finding]] = relationship(secondary=survey_finding)
    responses: Mapped[list["YouSaidWeDid"]] = relationship(order_by="YouSaidWeDid.position")


class SurveyGroup(Model):
    """An audience the survey asked, such as SENCOs or parents and carers."""

    __tablename__ = "survey_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    audience: Mapped[Audience] = mapped_column(enum_column(Audience))
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship(back_populates="groups")

    __table_args__ = (sa.UniqueConstraint("survey_id", "audience", name="uq_survey_group_audience"),)


class SurveyQuestion(Model):
    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
    source_column: Mapped[str] = mapped_column(sa.String(500), default="")  # the header it was imported from


class SurveyReply(Model):
    """One completed form. A respondent may send several (a SENCO once per team that supports them)."""

    __tablename__ = "survey_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_group.id"), index=True)
    respondent_key: Mapped[str | None] = mapped_column(sa.String(64))
    team: Mapped[str] = mapped_column(sa.String(120), default="")
    source_row: Mapped[str] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # personal data: stored only when a leader deliberately maps the column, never shown to viewers
    respondent_name: Mapped[str | None] = mapped_column(sa.String(200))
    respondent_email: Mapped[str | None] = mapped_column(sa.String(254))
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey_import.id"), index=True)

    group: Mapped[SurveyGroup] = relationship()
    answers: Mapped[list["SurveyAnswer"]] = relationship(back_populates="reply")

    __table_args__ = (sa.UniqueConstraint("survey_id", "source_row", name="uq_survey_reply_source_row"),)


class SurveyAnswer(Model):
    __tablename__ = "survey_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_reply.id"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_question.id"), index=True)
    value: Mapped[str] = mapped_column(sa.Text)

    reply: Mapped[SurveyReply] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()


class SurveyComment(Model):
    """A free-text comment from a reply, tagged to the themes and findings it speaks to."""

    __tablename__ = "survey_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_group.id"))
    reply_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey_reply.id"))
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey_question.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # marked by a leader when it names a child, a family or a worker: read like restricted evidence
    restricted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    group: Mapped[SurveyGroup] = relationship()
    question: Mapped[SurveyQuestion | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=comment_theme)
    findings: Mapped[list[Finding]] = relationship(secondary=comment_finding)

    @property
    def is_restricted(self) -> bool:
        return self.restricted


class YouSaidWeDid(Model):
    __tablename__ = "you_said_we_did"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    you_said: Mapped[str] = mapped_column(sa.Text)
    we_did: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[PublicationStatus] = mapped_column(enum_column(PublicationStatus))

    actions: Mapped[list[Action]] = relationship(secondary=response_action)
    comments: Mapped[list[SurveyComment]] = relationship(secondary=response_comment)


class SurveyImport(Model):
    """One file of replies brought in: what it was, how its columns were read, and who brought it in."""

    __tablename__ = "survey_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    source_format: Mapped[str] = mapped_column(sa.String(40))
    mapping: Mapped[dict] = mapped_column(sa.JSON)
    replies: Mapped[int]
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("survey_id", "sha256", name="uq_survey_import_file"),)
