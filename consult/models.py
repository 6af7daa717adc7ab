"""The tables.

A response's *working copy* (``Answer`` rows) is what the respondent is editing; each
submission freezes it into an immutable ``Revision`` with ``RevisionAnswer`` and
``RevisionChoice`` rows. Summaries read only the current revision of submitted
responses, so a half-made amendment never shows up in them. Attachments are shared
rows: a revision records the ones it was submitted with, and removing one from the working
copy marks it removed rather than deleting it, so every revision keeps its files.
"""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.db import Base, UTCDateTime, utcnow


class PartyCategory(enum.StrEnum):
    """The categories the SEC votes by, plus the DCC and non-Parties."""

    large_supplier = "large_supplier"
    small_supplier = "small_supplier"
    electricity_network = "electricity_network"
    gas_network = "gas_network"
    other_sec_party = "other_sec_party"
    dcc = "dcc"
    non_party = "non_party"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    PartyCategory.large_supplier: "Large Supplier",
    PartyCategory.small_supplier: "Small Supplier",
    PartyCategory.electricity_network: "Electricity Network",
    PartyCategory.gas_network: "Gas Network",
    PartyCategory.other_sec_party: "Other SEC Party",
    PartyCategory.dcc: "DCC",
    PartyCategory.non_party: "Non-SEC Party",
}


class Role(enum.StrEnum):
    respondent = "respondent"
    secas = "secas"
    panel = "panel"


class ConsultationKind(enum.StrEnum):
    panel_consultation = "panel_consultation"
    modification_report = "modification_report"
    draft_proposal = "draft_proposal"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "panel_consultation": "Panel consultation",
            "modification_report": "Modification Report Consultation",
            "draft_proposal": "Draft proposal consultation",
            "other": "Other consultation",
        }[self.value]


class ConsultationStatus(enum.StrEnum):
    draft = "draft"
    upcoming = "upcoming"
    open = "open"
    closed = "closed"


class QuestionKind(enum.StrEnum):
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    text = "text"


class ResponseStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    withdrawn = "withdrawn"


class DeadlineChangeKind(enum.StrEnum):
    extended = "extended"
    closed_early = "closed_early"
    reopened = "reopened"


class MessageStatus(enum.StrEnum):
    queued = "queued"
    sent = "sent"
    failed = "failed"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint naming the allowed values."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class DatabaseEpoch(Base):
    """One row: a random token, new whenever the database is restored from a backup."""

    __tablename__ = "database_epoch"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    category: Mapped[PartyCategory] = mapped_column(_enum(PartyCategory, "party_category"))
    sec_party_id: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # One more on every update, however made: a kept summary naming it is then out of date.
    generation: Mapped[int] = mapped_column(
        Integer,
        default=0,
        server_default="0",
        onupdate=literal_column("organisation.generation + 1"),
    )
    # The application refuses such a name first; on PostgreSQL this stops the second of two
    # people adding "EDF Energy" and "edf energy" at the same moment (migration 0012 says
    # why SQLite, where writers take turns, has no such index).
    __table_args__ = (
        Index("organisation_name_ignoring_case", func.lower(name), unique=True).ddl_if(
            dialect="postgresql"
        ),
        # The same for SEC Party identifiers (migration 0015).
        Index(
            "organisation_sec_party_id_ignoring_case", func.lower(sec_party_id), unique=True
        ).ddl_if(dialect="postgresql"),
    )

    users: Mapped[list["User"]] = relationship(back_populates="organisation")


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role <> 'respondent' OR organisation_id IS NOT NULL",
            name="respondent_has_organisation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # E-mail preferences: receipts are always sent; these cover notices and reminders.
    notify_new_consultations: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    # A respondent: told when a colleague submits or withdraws the organisation's response.
    notify_colleagues: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or deactivation: sessions carrying an older value end.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The time step of the last two-factor code accepted: each code works once.
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    # Flask-Login's protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


# The most a consultation's summary (Markdown) may hold: about ten pages of prose. The
# full consultation document is a file; the summary introduces it.
MAX_SUMMARY_LENGTH = 50_000


class Consultation(Base):
    __tablename__ = "consultation"
    __table_args__ = (CheckConstraint("opens_at < closes_at", name="opens_before_closes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ConsultationKind] = mapped_column(_enum(ConsultationKind, "consultation_kind"))
    summary: Mapped[str] = mapped_column(Text, default="")
    modification: Mapped[str | None] = mapped_column(String(40))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # None while a draft; set when SECAS publishes. Status follows from the clock.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Last receipt number handed out; incremented atomically in the database.
    last_receipt_number: Mapped[int] = mapped_column(Integer, default=0)
    # Set when SECAS publishes "What respondents said" on the public page after close.
    summary_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sections: Mapped[list["Section"]] = relationship(
        back_populates="consultation", order_by="Section.position", cascade="all, delete-orphan"
    )

    questions: Mapped[list["Question"]] = relationship(
        back_populates="consultation", order_by="Question.position", cascade="all, delete-orphan"
    )
    documents: Mapped[list["Document"]] = relationship(
        back_populates="consultation", order_by="Document.position", cascade="all, delete-orphan"
    )
    deadline_changes: Mapped[list["DeadlineChange"]] = relationship(
        back_populates="consultation", order_by="DeadlineChange.changed_at"
    )

    def status_at(self, now: datetime) -> ConsultationStatus:
        """Where the consultation stands at ``now``."""
        if self.published_at is None:
            return ConsultationStatus.draft
        if now < self.opens_at:
            return ConsultationStatus.upcoming
        if now < self.closes_at:
            return ConsultationStatus.open
        return ConsultationStatus.closed


class Section(Base):
    """A group of questions, shown as one task in the respondent's task list."""

    __tablename__ = "section"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)

    consultation: Mapped[Consultation] = relationship(back_populates="sections")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="section", order_by="Question.position"
    )


# The respondent's URLs (/respond/<key>) put these words where a question key goes.
RESERVED_QUESTION_KEYS = frozenset({"check", "confidentiality", "confirmation", "attachments"})


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("consultation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    # None when the consultation has no sections (all questions in one list).
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(20))
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind, "question_kind"))
    text: Mapped[str] = mapped_column(Text)
    hint: Mapped[str | None] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    rationale_prompt: Mapped[str | None] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    max_length: Mapped[int | None] = mapped_column(Integer)

    consultation: Mapped[Consultation] = relationship(back_populates="questions")
    section: Mapped[Section | None] = relationship(back_populates="questions")

    @property
    def is_choice(self) -> bool:
        return self.kind is not QuestionKind.text

    @property
    def number(self) -> int:
        """Its place in the form as respondents see it ("Question 2 of 5")."""
        return self.consultation.questions.index(self) + 1

    @property
    def label(self) -> str:
        return question_label(self.number)


def question_label(number: int) -> str:
    """What people call a question: "Question 2", numbered by its place in the form. Its
    key is an identifier, for addresses and spreadsheet columns, and need not follow the
    order once SECAS moves questions."""
    return f"Question {number}"


class Document(Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The application refuses a second document of the same title in a consultation
    # first; on PostgreSQL this stops two added at the same moment (migration 0015).
    __table_args__ = (
        Index(
            "document_title_ignoring_case", consultation_id, func.lower(title), unique=True
        ).ddl_if(dialect="postgresql"),
    )

    consultation: Mapped[Consultation] = relationship(back_populates="documents")


class DeadlineChange(Base):
    """A close-now, extension or reopening, shown publicly with its reason."""

    __tablename__ = "deadline_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    kind: Mapped[DeadlineChangeKind] = mapped_column(
        _enum(DeadlineChangeKind, "deadline_change_kind")
    )
    previous_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    new_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    consultation: Mapped[Consultation] = relationship(back_populates="deadline_changes")


class LateAllowance(Base):
    """SECAS lets one organisation submit after close, until ``until``."""

    __tablename__ = "late_allowance"
    __table_args__ = (UniqueConstraint("consultation_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Response(Base):
    """One organisation's response to one consultation."""

    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("consultation_id", "organisation_id"),
        UniqueConstraint("consultation_id", "receipt_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[ResponseStatus] = mapped_column(
        _enum(ResponseStatus, "response_status"), default=ResponseStatus.draft
    )
    # The working copy's confidentiality answer; None until the respondent answers.
    confidential: Mapped[bool | None] = mapped_column(Boolean)
    receipt_number: Mapped[int | None] = mapped_column(Integer)
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revision.id", use_alter=True, name="fk_response_current_revision")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Optimistic locking: every save bumps it; a save from a stale page is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)

    consultation: Mapped[Consultation] = relationship()
    organisation: Mapped[Organisation] = relationship()
    updated_by: Mapped[User | None] = relationship()
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )
    # Every file ever attached, including those removed from the working copy since,
    # which a past revision may still hold; the working copy's own are ``attachments``.
    all_attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="response",
        order_by="(Attachment.uploaded_at, Attachment.id)",
        cascade="all, delete-orphan",
    )
    revisions: Mapped[list["Revision"]] = relationship(
        back_populates="response",
        order_by="Revision.number",
        foreign_keys="Revision.response_id",
    )
    current_revision: Mapped["Revision | None"] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def attachments(self) -> list["Attachment"]:
        """The working copy's attachments: those not removed."""
        return [a for a in self.all_attachments if a.removed_at is None]

    @property
    def started_again(self) -> bool:
        """A draft that was submitted before: withdrawn, then started again. It counts
        nowhere until it is submitted again."""
        return self.status is ResponseStatus.draft and self.current_revision_id is not None

    @property
    def receipt(self) -> str | None:
        """The receipt reference, e.g. ``SSI-2017-R0007``."""
        if self.receipt_number is None:
            return None
        return receipt_reference(self.consultation.reference, self.receipt_number)


def canonical_reference(reference: str) -> str:
    """A consultation reference as stored and shown: capitals, as SEC references are written
    (SSI-2017, SECMP0035). References that differ only in case are one reference, so
    whatever case is typed, in a form, a file or an address, finds the same consultation."""
    return reference.strip().upper()


def receipt_reference(consultation_reference: str, number: int) -> str:
    """Format a receipt reference from its parts."""
    return f"{consultation_reference}-R{number:04d}"


class Answer(Base):
    """The working copy of one answer."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str | None] = mapped_column(Text)
    rationale: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class Revision(Base):
    """One submission of a response, never changed after it is made."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("response_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    confidential: Mapped[bool] = mapped_column(Boolean)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # The submitter declared they may respond on behalf of the organisation.
    declared: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The response's version on the check-answers page it was submitted from, so that the
    # same page posted again is told "already submitted" and an older one "changed since".
    submitted_from_version: Mapped[int | None] = mapped_column(Integer)

    response: Mapped[Response] = relationship(
        back_populates="revisions", foreign_keys=[response_id]
    )
    submitted_by: Mapped[User | None] = relationship()
    answers: Mapped[list["RevisionAnswer"]] = relationship(
        back_populates="revision", cascade="all, delete-orphan"
    )
    # The files submitted with this revision, whatever the working copy holds now.
    attachments: Mapped[list["Attachment"]] = relationship(
        secondary="revision_attachment", order_by="(Attachment.uploaded_at, Attachment.id)"
    )


revision_attachment = Table(
    "revision_attachment",
    Base.metadata,
    Column("revision_id", ForeignKey("revision.id", ondelete="CASCADE"), primary_key=True),
    # No cascade: a file a revision was submitted with must not be deleted.
    Column("attachment_id", ForeignKey("attachment.id"), primary_key=True, index=True),
)


class RevisionAnswer(Base):
    __tablename__ = "revision_answer"
    __table_args__ = (UniqueConstraint("revision_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    text: Mapped[str | None] = mapped_column(Text)
    rationale: Mapped[str | None] = mapped_column(Text)

    revision: Mapped[Revision] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    choices: Mapped[list["RevisionChoice"]] = relationship(
        back_populates="answer", cascade="all, delete-orphan"
    )


class RevisionChoice(Base):
    """One option chosen in a submitted answer: the row tallies GROUP BY."""

    __tablename__ = "revision_choice"
    __table_args__ = (UniqueConstraint("revision_answer_id", "option"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_answer_id: Mapped[int] = mapped_column(
        ForeignKey("revision_answer.id", ondelete="CASCADE")
    )
    option: Mapped[str] = mapped_column(String(300))

    answer: Mapped[RevisionAnswer] = relationship(back_populates="choices")


class Attachment(Base):
    """A supporting document a respondent attached to their organisation's response.

    Never deleted while its response exists: a revision may have been submitted with it.
    """

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Set when removed from the working copy; revisions submitted with it keep it.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    response: Mapped[Response] = relationship(back_populates="all_attachments")
    uploaded_by: Mapped[User | None] = relationship()


class AuditEvent(Base):
    """Who did what, when, to what; with the state before and after."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation.id", ondelete="SET NULL")
    )
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class OutboxMessage(Base):
    """An e-mail waiting to be (or already) delivered by ``send-mail``."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    # What the message is about, for the admin outbox page and to avoid repeat reminders.
    kind: Mapped[str] = mapped_column(String(40), default="other")
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(
        _enum(MessageStatus, "message_status"), default=MessageStatus.queued, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
