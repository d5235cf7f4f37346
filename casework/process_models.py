"""Process models, as process owners see them: check and deploy diagrams, list every version with
who deployed it, when and how many open cases run on it, and start a case of any process.

Each flow that changes something is a step (``casework.steps``); a failed check or step rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import processes
from casework import steps, trial
from casework.permissions import Permission, roles_with
from casework.reports import reference_for
from casework.vocabulary import PROCESS_KEY
from db.models import Case, ProcessVersion, User
from processes.changes import Changes, compare, process_key
from processes.changes import UnreadableDiagram as UnreadableDiagram  # the views catch it from here
from processes.forms import validate as validate_form
from processes.specs import parse

MAX_BYTES = 5_000_000
ROLES = roles_with(Permission.MODEL_PROCESSES)


@dataclass(frozen=True)
class VersionInfo:
    key: str
    name: str
    version: int
    deployed_at: datetime
    deployed_by: str | None
    open_cases: int
    withdrawn_at: datetime | None = None  # rolled back: new cases no longer start on it
    withdrawn_by: str | None = None
    note: str | None = None
    current: bool = False  # the version new cases start on


@dataclass(frozen=True)
class ProcessInfo:
    key: str
    versions: tuple[VersionInfo, ...]  # newest first

    @property
    def latest(self) -> VersionInfo:
        """The version new cases start on: the newest one not rolled back."""
        return next((v for v in self.versions if v.current), self.versions[0])

    @property
    def previous(self) -> VersionInfo | None:
        """The version a rollback would make current, if there is one."""
        earlier = [v for v in self.versions if v.withdrawn_at is None and v.version < self.latest.version]
        return earlier[0] if earlier else None

    @property
    def name(self) -> str:
        return self.latest.name

    @property
    def open_cases(self) -> int:
        return sum(v.open_cases for v in self.versions)


@dataclass(frozen=True)
class RolledBack:
    key: str
    name: str
    withdrawn: int  # the version rolled back
    current: int  # the version new cases start on now


class CannotRollBack(Exception):
    """There is no earlier version to go back to; the message says so."""


@dataclass(frozen=True)
class Checked:
    key: str
    name: str
    warnings: tuple[processes.Problem, ...] = ()


def may_model(user: User) -> bool:
    return user.role in ROLES


def _size_checked(xml: bytes) -> bytes:
    if not xml.strip():
        raise processes.InvalidDiagram([processes.Problem("The file is empty.")])
    if len(xml) > MAX_BYTES:
        raise processes.InvalidDiagram(
            [processes.Problem(f"The file is larger than {MAX_BYTES // 1_000_000} MB.")]
        )
    return xml


def validate(session: Session, xml: bytes, filename: str = "diagram.bpmn") -> Checked:
    """Run every deploy check; raise ``InvalidDiagram`` listing the problems. Deploys nothing."""
    parsed = parse(session, _size_checked(xml), filename)
    warnings = trial.check(session, xml, filename)
    return Checked(parsed.key, parsed.name, warnings)


def deploy(
    session: Session, xml: bytes, *, user: User, filename: str = "diagram.bpmn"
) -> processes.Deployment:
    """Check and deploy ``xml`` as the next version of its process, in one step."""
    with steps.case_step(session, now=processes.clock.now(), user=user):
        trial.check(session, _size_checked(xml), filename)
        return processes.deploy(session, xml, deployed_by=user.username, filename=filename)


def catalogue(session: Session) -> list[ProcessInfo]:
    """Every deployed process with its versions, newest first, and their open cases."""
    open_cases = dict(
        session.execute(
            select(Case.process_version_id, func.count())
            .where(Case.status == "open")
            .group_by(Case.process_version_id)
        ).all()
    )
    rows = session.execute(
        select(
            ProcessVersion.id,
            ProcessVersion.process_key,
            ProcessVersion.name,
            ProcessVersion.version,
            ProcessVersion.deployed_at,
            ProcessVersion.deployed_by,
            ProcessVersion.withdrawn_at,
            ProcessVersion.withdrawn_by,
            ProcessVersion.note,
        ).order_by(ProcessVersion.process_key, ProcessVersion.version.desc())
    ).all()
    grouped: dict[str, list[VersionInfo]] = {}
    for row in rows:
        versions = grouped.setdefault(row.process_key, [])
        current = row.withdrawn_at is None and not any(v.current for v in versions)
        versions.append(
            VersionInfo(
                row.process_key,
                row.name,
                row.version,
                row.deployed_at,
                row.deployed_by,
                int(open_cases.get(row.id, 0)),
                row.withdrawn_at,
                row.withdrawn_by,
                row.note,
                current,
            )
        )
    return [ProcessInfo(key, tuple(versions)) for key, versions in grouped.items()]


def find_process(session: Session, key: str) -> ProcessInfo:
    for info in catalogue(session):
        if info.key == key:
            return info
    raise processes.UnknownProcess(f"No process called '{key}' has been deployed.")


def version_xml(session: Session, key: str, version: int | None = None) -> tuple[int, str]:
    """The BPMN of one version (the latest when ``version`` is None), with its number."""
    if version is None:
        row = processes.latest_version(session, key)
    else:
        row = session.scalar(
            select(ProcessVersion).where(ProcessVersion.process_key == key, ProcessVersion.version == version)
        )
    if row is None:
        raise processes.UnknownProcess(f"Process '{key}' has no version {version}.")
    return row.version, row.bpmn_xml


def roll_back(session: Session, key: str, *, user: User) -> RolledBack:
    """Withdraw the version new cases of ``key`` start on, so that the one before it (the newest
    not withdrawn) is what they start on again; in one step, with an audit entry naming both
    versions. Cases already on the withdrawn version stay on it (they can be moved)."""
    with steps.unit_of_work(session, now=processes.clock.now(), user=user) as step:
        current = processes.latest_version(session, key)
        assert current is not None  # latest_version raises UnknownProcess otherwise
        previous = session.scalars(
            select(ProcessVersion)
            .where(
                ProcessVersion.process_key == key,
                ProcessVersion.withdrawn_at.is_(None),
                ProcessVersion.version < current.version,
            )
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        ).first()
        if previous is None:
            raise CannotRollBack(
                f"{current.name} cannot be rolled back: version {current.version} is the only version "
                "new cases could start on."
            )
        current.withdrawn_at = step.now
        current.withdrawn_by = user.username
        step.audit(
            "process-rolled-back",
            subject_type="process",
            subject=key,
            detail=f"Rolled back {current.name} from version {current.version} to version "
            f"{previous.version}: new cases start on version {previous.version}.",
        )
        return RolledBack(key, current.name, current.version, previous.version)


def changes(session: Session, key: str, old: int, new: int) -> Changes:
    """What changed from version ``old`` to version ``new`` of ``key``."""
    _, old_xml = version_xml(session, key, old)
    _, new_xml = version_xml(session, key, new)
    return compare(old_xml, new_xml)


@dataclass(frozen=True)
class Proposed:
    """What deploying a diagram would change against the version new cases start on now."""

    key: str | None
    current: int | None  # None: a process not deployed before
    next_version: int
    changes: Changes | None


def proposed(session: Session, xml: bytes) -> Proposed:
    """What deploying ``xml`` would change; raises ``processes.changes.UnreadableDiagram`` for
    XML that cannot be read, ``InvalidDiagram`` for an empty one."""
    key = process_key(_size_checked(xml))
    current = processes.latest_version(session, key, required=False) if key else None
    if key is None or current is None:
        return Proposed(key, None, _next_number(session, key), None)
    return Proposed(
        key,
        current.version,
        _next_number(session, key),
        compare(current.bpmn_xml, xml),
    )


def _next_number(session: Session, key: str | None) -> int:
    highest = session.scalar(
        select(func.max(ProcessVersion.version)).where(ProcessVersion.process_key == key)
    )
    return (highest or 0) + 1


def _text(data: dict[str, Any], key: str, default: str, limit: int) -> str:
    value = data.get(key)
    return value.strip()[:limit] if isinstance(value, str) and value.strip() else default


@dataclass(frozen=True)
class Startable:
    """A process someone may open a case of from the "new case" page."""

    key: str
    name: str
    version: int
    fields: tuple[processes.FormField, ...]
    team: str | None  # the team the case will belong to


def _starter_team(user: User, groups: tuple[str, ...]) -> str | None:
    """The starter's team the case belongs to: their first group the diagram names."""
    mine = set(user.group_names)
    return next((g for g in groups if g in mine), None)


def may_start(user: User, starting: processes.Starting) -> bool:
    """Members of the groups the diagram names may start it; process owners and administrators
    may start any process (to try a new diagram out)."""
    return _starter_team(user, starting.groups) is not None or may_model(user)


def startable(session: Session, user: User) -> list[Startable]:
    """The processes whose diagram names a group ``user`` is in (``candidateStarterGroups``),
    on their current versions. The report-driven process is started by reports, not here."""
    found = []
    for info in catalogue(session):
        if info.key == PROCESS_KEY:
            continue
        version = processes.latest_version(session, info.key, required=False)
        if version is None:
            continue
        starting = processes.starting(version)
        team = _starter_team(user, starting.groups)
        if team is not None:
            found.append(Startable(info.key, version.name, version.version, starting.fields, team))
    return found


def start_answers(
    fields: tuple[processes.FormField, ...], data: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The start form's answers in ``data`` checked: (clean values, {field id: what is wrong})."""
    if not fields:
        return {}, {}
    return validate_form(list(fields), {f.id: data.get(f.id) for f in fields if f.id in data})


def start_case(
    session: Session, key: str, data: dict[str, Any], *, user: User, now: datetime
) -> processes.StepResult:
    """Open a case on the latest version of process ``key`` with ``data`` as its start data, in
    one case step. Who may: the members of the groups the diagram names as its starters (the
    case belongs to the starter's team), and process owners and administrators, for any process.

    Raises ``UnknownProcess``, ``NotAllowed`` (not a starter), ``FormInvalid`` (the start event's
    form does not accept ``data``), ``EngineFailure`` (the first steps failed)."""
    version = processes.latest_version(session, key)  # UnknownProcess before anything is written
    assert version is not None
    starting = processes.starting(version)
    if not may_start(user, starting):
        named = ", ".join(starting.groups)
        raise processes.NotAllowed(
            f"Only members of {named} may start a case of {version.name}."
            if named
            else f"The diagram of {version.name} names no group that may start it; ask its process owner."
        )
    clean, errors = start_answers(starting.fields, data)
    if errors:
        raise processes.FormInvalid(errors)
    start_data = {**data, **clean}
    case = Case(
        reported_at=now,
        description=_text(data, "description", f"Started by {user.display_name}", 10_000),
        location=_text(data, "location", "", 500),
        strands=[],
        channel="api",
        status="open",
        team=_starter_team(user, starting.groups) or (starting.groups[0] if starting.groups else None),
    )
    with steps.case_step(session, now=now, user=user) as step:
        return processes.start(
            step,
            case,
            key,
            start_data,
            now=now,
            reference=lambda case_id: reference_for(case_id, now),
            actor=user.display_name,
            summary=f"Case opened by {user.display_name}",
        )
