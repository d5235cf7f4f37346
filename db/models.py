"""Tables: people and groups, deployed process versions, cases with their workflow state,
the task and timer rows derived from that state, the case timeline and notifications."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from db.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Membership(Base):
    __tablename__ = "memberships"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)


class Group(Base):
    """A team that tasks are offered to (a BPMN candidate group)."""

    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    label: Mapped[str] = mapped_column(String(200))


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(40))
    is_demo: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Raised when the person signs out, changes their password or is deactivated: a page session
    # that carries an older number is refused, so a copied cookie dies with the others.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    groups: Mapped[list[Group]] = relationship(secondary="memberships", lazy="selectin")

    @property
    def group_names(self) -> list[str]:
        return sorted(group.name for group in self.groups)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    user: Mapped[User] = relationship(lazy="joined")


class ProcessVersion(Base):
    """One deployed version of a BPMN diagram: its XML, the parsed spec and its forms."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    checksum: Mapped[str] = mapped_column(String(64))
    # Large, and read only when a version is first used or downloaded: loaded on first access,
    # not with every case and task that refers to the version.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str | None] = mapped_column(String(80))
    # A rolled-back version: new cases start on the newest version not withdrawn; cases already
    # on it stay on it.
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(80))
    # Why the version exists when that is not plain (seeded from bpmn/ over a modeller's version).
    note: Mapped[str | None] = mapped_column(Text)


class Case(Base):
    """A hate-incident case: the report that opened it and the running workflow behind it."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    reported_at: Mapped[datetime]
    occurred_at: Mapped[datetime | None]
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(500))
    strands: Mapped[list[Any]] = mapped_column(default=list)
    # The strands as first perceived, kept when they are changed (set by the first change).
    reported_strands: Mapped[list[Any] | None] = mapped_column(JSON)
    # Perception rule (policy 3.1.4): once anyone perceives hate motivation, it stays a hate case.
    hate_perceived: Mapped[bool] = mapped_column(default=True)
    channel: Mapped[str] = mapped_column(String(40), default="website")
    incident_types: Mapped[list[Any]] = mapped_column(default=list)
    locality: Mapped[str | None] = mapped_column(String(120), index=True)
    # The admins' locality the name above is of (it follows a rename); the colleague who keyed a
    # staff-taken report (they may open the case). Both None for cases without them.
    locality_id: Mapped[int | None] = mapped_column(ForeignKey("localities.id"), index=True)
    keyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    route: Mapped[str] = mapped_column(String(20), default="hate")
    risk_level: Mapped[str | None] = mapped_column(String(20), index=True)
    first_response_breached_at: Mapped[datetime | None]
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_email: Mapped[str | None] = mapped_column(String(320))
    reporter_phone: Mapped[str | None] = mapped_column(String(40))
    workflow_state: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # A background step (a timer firing) that failed: its timers wait until someone retries it.
    step_failed_at: Mapped[datetime | None] = mapped_column(index=True)
    step_failure: Mapped[str | None] = mapped_column(Text)
    # Automatic steps the case took since the window began (processes.loops stops a runaway loop).
    auto_steps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    auto_window_started_at: Mapped[datetime | None]
    # The team (a group name) whose officers may open the case; set at intake from the route.
    team: Mapped[str | None] = mapped_column(String(80), index=True)
    # A restricted case (a colleague is a party, say) is open only to the people named on it.
    restricted: Mapped[bool] = mapped_column(default=False)
    # When the retention job removed the personal data of this closed case (the counts stay).
    anonymised_at: Mapped[datetime | None] = mapped_column(index=True)
    # The last timeline entry a person wrote (None: none yet), for stuck work's idle list. Kept by
    # a database trigger on each new timeline entry (migration 0025), whoever inserts it.
    last_activity_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    process_version: Mapped[ProcessVersion] = relationship(lazy="selectin")
    keyed_by: Mapped[User | None] = relationship(foreign_keys=[keyed_by_id], lazy="select")

    __mapper_args__ = {"version_id_col": version}
    # Loaded when read (the case page, the API), not with every task query that joins its case.
    parties: Mapped[list[Party]] = relationship(
        lazy="select", cascade="all, delete-orphan", order_by="Party.id"
    )

    @validates("hate_perceived")
    def _keep_perceived(self, _key: str, value: bool) -> bool:
        if self.hate_perceived and not value:
            raise PerceptionRuleError("A case perceived as hate-motivated cannot be downgraded.")
        return value

    @validates("strands")
    def _keep_strands(self, _key: str, value: list[Any]) -> list[Any]:
        if self.strands and not value:
            raise PerceptionRuleError(
                "The perceived motivation cannot be removed: once anyone perceives hate, it stays so."
            )
        if self.strands and list(value) != list(self.strands) and not _STRAND_CHANGE_REASON.get():
            raise PerceptionRuleError(
                "A change to the perceived motivation needs a reason; the original perception is kept."
            )
        return value

    @validates("reported_strands")
    def _keep_reported(self, _key: str, value: list[Any] | None) -> list[Any] | None:
        if self.reported_strands and value != self.reported_strands:
            raise PerceptionRuleError("The motivation as first perceived stays on the record.")
        return value

    def change_strands(self, strands: list[Any], reason: str) -> list[Any]:
        """Change the perceived motivation for ``reason`` (required), keeping the strands as first
        perceived in ``reported_strands``; returns those."""
        if self.strands and not strands:
            self._keep_strands("strands", strands)  # refused: the motivation is never removed
        if not (reason or "").strip():
            raise PerceptionRuleError(
                "A change to the perceived motivation needs a reason; the original perception is kept."
            )
        if not self.reported_strands:
            self.reported_strands = list(self.strands)
        token = _STRAND_CHANGE_REASON.set(reason)
        try:
            self.strands = list(strands)
        finally:
            _STRAND_CHANGE_REASON.reset(token)
        return list(self.reported_strands or [])


# Set only inside ``Case.change_strands``: the one way to change strands already perceived.
_STRAND_CHANGE_REASON: ContextVar[str | None] = ContextVar("strand_change_reason", default=None)


class PerceptionRuleError(ValueError):
    """An attempt to downgrade a case someone perceived as hate-motivated."""


class Party(Base):
    """A person involved in a case: victim, witness, alleged perpetrator or reporter."""

    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    name: Mapped[str | None] = mapped_column(String(200), index=True)
    relation: Mapped[str | None] = mapped_column(String(30))
    tenure: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(500), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    # Voluntary equality monitoring (casework.vocabulary.EQUALITY_QUESTIONS): {question: answer},
    # only the questions answered; None when none was. One JSON column, not one per question:
    # the answers are given, counted and erased together (setting one column to None forgets
    # them all), they are only ever counted in Python like the strands, and the census
    # questions change without a migration. The schemas check every value on the way in.
    equality: Mapped[dict[str, Any] | None]


class CaseAccess(Base):
    """A person named on a restricted case: only they may open it."""

    __tablename__ = "case_access"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    granted_by: Mapped[str] = mapped_column(String(80))
    granted_at: Mapped[datetime]
    user: Mapped[User] = relationship(lazy="joined")


class Consent(Base):
    """A person's consent for one purpose (sharing with the police, referral to an agency, use
    of evidence in court): given or refused when recorded, and withdrawn later if they say so."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    given: Mapped[bool]
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(80))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(80))


class Disclosure(Base):
    """Personal data shared outside the landlord, with its lawful basis (policy section 9)."""

    __tablename__ = "disclosures"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id", ondelete="SET NULL"), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(40))
    lawful_basis: Mapped[str] = mapped_column(String(40))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id", ondelete="SET NULL"))
    information: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    disclosed_at: Mapped[datetime]
    disclosed_by: Mapped[str] = mapped_column(String(80))


class AuditEvent(Base):
    """Who did what, when and from where: views, searches, exports, edits, disclosures, sign-ins.
    Append-only: the database refuses UPDATE and DELETE on this table (migration 0008)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    # Names, not foreign keys: an entry outlives the account, and nothing may rewrite it.
    username: Mapped[str | None] = mapped_column(String(80), index=True)
    role: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20), default="ok")


class LoginAttempt(Base):
    """A sign-in attempt, kept for throttling repeated failures by username and address."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    ip: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    succeeded: Mapped[bool]


class Referral(Base):
    """A referral or report to another agency (police, safeguarding, support), or why not."""

    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(80))
    made: Mapped[bool]
    reference: Mapped[str | None] = mapped_column(String(120))
    referred_on: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    lawful_basis: Mapped[str | None] = mapped_column(String(40))
    consent: Mapped[bool | None]
    created_at: Mapped[datetime]


class CaseDocument(Base):
    """A letter or other document generated on a case (kept with the case, never in task data)."""

    __tablename__ = "case_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    # The letter as saved (WeasyPrint); None for one the process wrote, made into a PDF when asked.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    recipient: Mapped[str | None] = mapped_column(String(40))  # handlers.letters.RECIPIENTS


class CaseReview(Base):
    """A supervisor's quality review of a case: a score from 1 (poor) to 5 (excellent) and comments."""

    __tablename__ = "case_reviews"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="ck_case_reviews_score"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    score: Mapped[int]
    comments: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    reviewer: Mapped[User] = relationship(lazy="joined")


class Task(Base):
    """A user task of a case's workflow, as the inbox sees it. Derived from the workflow state."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_status_due", "status", "due_at"),
        Index("ix_tasks_assignee_status", "assignee_id", "status"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="open")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted: Mapped[dict[str, Any] | None]
    case: Mapped[Case] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id], lazy="joined")
    candidate_groups: Mapped[list[TaskCandidateGroup]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def group_names(self) -> list[str]:
        return sorted(row.group_name for row in self.candidate_groups)


class TaskCandidateGroup(Base):
    __tablename__ = "task_candidate_groups"
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    group_name: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class Timer(Base):
    """A timer the workflow waits on, with the instant it falls due (indexed for the sweep)."""

    __tablename__ = "timers"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    due_at: Mapped[datetime] = mapped_column(index=True)
    # Set when the sweep hands the timer to a worker; a timer queued long ago and still here
    # (its worker died) is handed out again.
    queued_at: Mapped[datetime | None]


class TimelineEvent(Base):
    """One line of a case's history. Rows are only ever added."""

    __tablename__ = "timeline_events"
    # A case's last entry by a person (stuck work's idle list and its "since") reads this index.
    __table_args__ = (Index("ix_timeline_events_case_at", "case_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None]


class Notification(Base):
    """An in-app message to a group or a person (escalations, reminders)."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    group_name: Mapped[str | None] = mapped_column(String(80), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)


class NotificationRead(Base):
    """Who has read a notification: each member of a group marks it read for themselves."""

    __tablename__ = "notification_reads"
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message to the outside world (an email, an export), written in the same transaction as
    the case step that caused it and delivered afterwards, with retries, by a worker."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "delivered_at", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    queued_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # A letter sent as the message's attachment (its PDF).
    document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id", ondelete="SET NULL"))
    document: Mapped[CaseDocument | None] = relationship()


# --- intake ---


class Locality(Base):
    """An estate, ward or area kept by admins (reference data): intake forms offer the active
    ones, a public report's postcode finds one, the indicators count by it."""

    __tablename__ = "localities"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Full postcodes ("LS9 8AB"), sectors ("LS9 8") or outward codes ("LS9"), upper case.
    postcodes: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class LocalityRename(Base):
    """A locality's earlier name: cases keep pointing to the locality, the old name stays here."""

    __tablename__ = "locality_renames"
    id: Mapped[int] = mapped_column(primary_key=True)
    locality_id: Mapped[int] = mapped_column(ForeignKey("localities.id", ondelete="CASCADE"), index=True)
    old_name: Mapped[str] = mapped_column(String(120))
    new_name: Mapped[str] = mapped_column(String(120))
    renamed_at: Mapped[datetime]
    renamed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


# --- reporters ---


class ReporterDetails(Base):
    """What a public reporter told us about themselves and how (or whether) to contact them, and
    the hash of their private tracking code (the code itself is never stored)."""

    __tablename__ = "reporter_details"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    # victim, witness, third_party or anonymous (casework.vocabulary.REPORTER_KINDS).
    reporter_is: Mapped[str] = mapped_column(String(20))
    # Only True allows an update; False: never contact them; None: they did not say.
    safe_to_contact: Mapped[bool | None]
    contact_methods: Mapped[list[Any]] = mapped_column(default=list)
    contact_times: Mapped[str | None] = mapped_column(String(500))
    contact_through: Mapped[str | None] = mapped_column(String(500))
    # A postal address for letters (the case's location is where it happened, not where they live).
    address: Mapped[str | None] = mapped_column(String(500))
    needs: Mapped[list[Any]] = mapped_column(default=list)
    interpreter_language: Mapped[str | None] = mapped_column(String(100))
    # The language they reported in (casework.languages.LANGUAGES): their messages are sent in it.
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    tracking_hash: Mapped[str | None] = mapped_column(String(200))
    tracking_set_at: Mapped[datetime | None]


class ReporterMessage(Base):
    """An update the reporter was sent (or not, and why) on an event the policy names."""

    __tablename__ = "reporter_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    topic: Mapped[str] = mapped_column(String(40))
    # email, text, or none (not sent: the reason is in ``text``).
    channel: Mapped[str] = mapped_column(String(20))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)


class CaseIncident(Base):
    """A report matched at intake to an open case and added to it as another incident
    (``casework.further_reports``): what it said, kept so the officer can split it off into a case
    of its own (``casework.splitting``). ``report`` is the report's fields; ``reporter`` the public
    reporter's answers (None for staff and API reports); ``code_on_case``: its tracking code became
    the case's (the case had none), so it moves with it."""

    __tablename__ = "case_incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reported_at: Mapped[datetime]
    report: Mapped[dict[str, Any]]
    reporter: Mapped[dict[str, Any] | None]
    code_on_case: Mapped[bool] = mapped_column(default=False)
    # Set when it was split off: the case it became.
    split_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    split_at: Mapped[datetime | None]
    split_by: Mapped[str | None] = mapped_column(String(200))


# --- actions ---


class CaseAction(Base):
    """An action on a case's action plan, beside the diagram's tasks: what, who, by when."""

    __tablename__ = "case_actions"
    __table_args__ = (Index("ix_case_actions_owner_status_due", "owner_id", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, done, cancelled
    agreed_with_victim: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(200))
    case: Mapped[Case] = relationship(lazy="joined")
    owner: Mapped[User] = relationship(lazy="joined")


class LetterTemplate(Base):
    """A letter template as a process owner edited it (the shipped ones are handlers/letters/*.txt)."""

    __tablename__ = "letter_templates"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


# --- notes ---


class CaseNote(Base):
    """A free-text note on a case by a member of staff."""

    __tablename__ = "case_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class ContactRecord(Base):
    """A contact made outside the contact task: how, with whom (a person on the case, or named in
    words), what came of it and when the next contact is planned."""

    __tablename__ = "contact_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id", ondelete="SET NULL"))
    with_whom: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(Text)
    next_contact_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(200))
    # Whether it restarted the contact cadence (a contact with the victim, or someone for them).
    restarted_cadence: Mapped[bool] = mapped_column(default=False)


class Evidence(Base):
    """A file added to a case as evidence. The file itself is in the evidence store
    (``casework.evidence_store``) under ``storage_key``; its type was found from its content."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    taken_on: Mapped[date | None] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    thumbnail_key: Mapped[str | None] = mapped_column(String(200))
    scan_status: Mapped[str] = mapped_column(String(20))
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(String(200))


# --- search ---


class CaseSearch(Base):
    """What the cases search looks through, one row a case: its reference, people's names,
    addresses, postcodes (with and without the space) and police and agency references, lower
    case with accents taken off (``db.search_index`` keeps it current). Migration 0014
    adds a trigram index on PostgreSQL and an FTS5 trigram table on SQLite (``SEARCH_ONLY``)."""

    __tablename__ = "case_search"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    terms: Mapped[str] = mapped_column(Text)


class CaseLabel(Base):
    """One value of a case's multi-valued facts, a row each, so the indicators count and filter
    them in SQL: ``incident_type`` and ``strand`` (``db.case_labels`` keeps them equal to the
    case's ``incident_types`` and ``strands``)."""

    __tablename__ = "case_labels"
    __table_args__ = (Index("ix_case_labels_kind_value", "kind", "value", "case_id"),)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


class CaseView(Base):
    """When a person last opened a case's page: their "recently viewed" list."""

    __tablename__ = "case_views"
    __table_args__ = (Index("ix_case_views_user_viewed", "user_id", "viewed_at"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    viewed_at: Mapped[datetime]


# The cases list sorts by these and finds "my cases" by the tasks I completed.
Index("ix_cases_reported_at", Case.reported_at)
Index("ix_cases_updated_at", Case.updated_at)
Index("ix_tasks_completed_by", Task.completed_by_id)

# Made per database by migration 0014, outside the models: the trigram index (PostgreSQL) and the
# FTS5 table with its shadow tables (SQLite). Schema comparisons leave them out.
SEARCH_ONLY = ("ix_case_search_terms_trgm", "case_search_fts")


def modelled(name: str | None, _type: Any, _parents: Any) -> bool:
    """Alembic's ``include_name``: false for the search objects the models do not describe."""
    return not (name or "").startswith(SEARCH_ONLY)


# --- casefile ---


class CaseLink(Base):
    """Two cases linked (the same victim, perpetrator or address, or a duplicate), with the reason.
    One row per pair, read from both sides; ``kind`` says how (``casework.vocabulary.LINK_KINDS``)."""

    __tablename__ = "case_links"
    __table_args__ = (
        UniqueConstraint("case_id", "other_case_id", name="uq_case_links_pair"),
        CheckConstraint("case_id <> other_case_id", name="ck_case_links_not_self"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    other_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class CaseHold(Base):
    """A case put on hold: why, when it is to be looked at again, and when it was taken off hold."""

    __tablename__ = "case_holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    review_at: Mapped[datetime]
    placed_at: Mapped[datetime]
    placed_by: Mapped[str] = mapped_column(String(200))
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(String(200))


class PartyNeeds(Base):
    """A person's vulnerabilities and communication needs (an interpreter, large print, BSL)."""

    __tablename__ = "party_needs"
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True)
    vulnerabilities: Mapped[str | None] = mapped_column(Text)
    communication_needs: Mapped[str | None] = mapped_column(Text)


# --- sso ---
class UserIdentity(Base):
    """A person's account at a single sign-on provider (OpenID Connect): the issuer and the
    subject it knows them by, which stays the same when their email address changes. A user with
    one signs in only through the provider (their local password is switched off)."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[datetime]
    last_sign_in_at: Mapped[datetime]
    user: Mapped[User] = relationship(lazy="joined")


# --- twofactor ---
class UserSecondFactor(Base):
    """A person's authenticator-app secret (TOTP). ``enabled_at`` is empty while they are still
    enrolling (the code that confirms it has not been typed yet). ``last_step`` is the time step
    of the last code accepted, so a code cannot be used twice."""

    __tablename__ = "user_second_factors"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    enabled_at: Mapped[datetime | None]
    last_step: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class RecoveryCode(Base):
    """One of a person's single-use recovery codes, kept only as a SHA-256 hash."""

    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


# --- survey ---


class ClosureSurvey(Base):
    """The short survey sent to the victim when their case closed (policy 11.1): the hash of its
    private single-use link, how it went, and the answers once given."""

    __tablename__ = "closure_surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    # casework.indicators.SATISFACTION keys: with the outcome, and TP12 (the approach to ASB).
    outcome: Mapped[str | None] = mapped_column(String(40))
    tp12: Mapped[str | None] = mapped_column(String(40))


class CaseStudy(Base):
    """An anonymised case study written from a closed case (policy 11.3), for the annual report
    once a supervisor approves it. Its text was checked against the case's names, addresses,
    postcodes and dates when saved."""

    __tablename__ = "case_studies"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    approved: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


# --- accounts ---
class UserProfile(Base):
    """What admins keep about a person beyond signing in: a phone number and a job title."""

    __tablename__ = "user_profiles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    job_title: Mapped[str | None] = mapped_column(String(200))


class TeamLeader(Base):
    """A team's leader (one at most), whom escalations for the team reach."""

    __tablename__ = "team_leaders"
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class TeamRename(Base):
    """An earlier name of a team (its identifier, which diagrams name, never changes)."""

    __tablename__ = "team_renames"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    old_label: Mapped[str] = mapped_column(String(200))
    new_label: Mapped[str] = mapped_column(String(200))
    renamed_at: Mapped[datetime]
    renamed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PasswordReset(Base):
    """A one-time link to set a password, sent by email; only the token's digest is kept."""

    __tablename__ = "password_resets"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


# --- report drafts ---
class ReportDraft(Base):
    """A public report being filled in, one question page at a time: the answers so far, kept
    on the server (the reporter's cookie holds only the draft's key, whose SHA-256 is the id).
    Deleted when it expires; when sent, its answers and files go and only the outcome (the
    reference and the tracking code to show once) stays until the next page has shown it."""

    __tablename__ = "report_drafts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), default="open")  # open, sending, sent
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ReportDraftFile(Base):
    """A photo or document chosen on the draft's files page, checked and kept until it is sent."""

    __tablename__ = "report_draft_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("report_drafts.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
