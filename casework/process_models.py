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
from db.models import Case, ProcessVersion, User
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


@dataclass(frozen=True)
class ProcessInfo:
    key: str
    versions: tuple[VersionInfo, ...]  # newest first

    @property
    def latest(self) -> VersionInfo:
        return self.versions[0]

    @property
    def name(self) -> str:
        return self.latest.name

    @property
    def open_cases(self) -> int:
        return sum(v.open_cases for v in self.versions)


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
        ).order_by(ProcessVersion.process_key, ProcessVersion.version.desc())
    ).all()
    grouped: dict[str, list[VersionInfo]] = {}
    for row in rows:
        grouped.setdefault(row.process_key, []).append(
            VersionInfo(
                row.process_key,
                row.name,
                row.version,
                row.deployed_at,
                row.deployed_by,
                int(open_cases.get(row.id, 0)),
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


def _text(data: dict[str, Any], key: str, default: str, limit: int) -> str:
    value = data.get(key)
    return value.strip()[:limit] if isinstance(value, str) and value.strip() else default


def start_case(
    session: Session, key: str, data: dict[str, Any], *, user: User, now: datetime
) -> processes.StepResult:
    """Open a case on the latest version of process ``key`` with ``data`` as its start data, in
    one case step. Any deployed process can be started, so a new diagram is usable at once."""
    processes.latest_version(session, key)  # UnknownProcess before anything is written
    case = Case(
        reported_at=now,
        description=_text(data, "description", f"Started by {user.display_name}", 10_000),
        location=_text(data, "location", "", 500),
        strands=[],
        channel="api",
        status="open",
    )
    with steps.case_step(session, now=now, user=user) as step:
        return processes.start(
            step,
            case,
            key,
            dict(data),
            now=now,
            reference=lambda case_id: reference_for(case_id, now),
            actor=user.display_name,
            summary=f"Case opened by {user.display_name}",
        )
