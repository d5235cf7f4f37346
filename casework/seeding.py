"""Seeding processes from the diagrams shipped in ``bpmn/`` at set-up (``flask init``,
``make run``), without undoing a process owner's work.

A file is deployed when its process does not exist yet, or when the file changed since it was
last seeded. Restarting the app with the same files deploys nothing, so a version a process owner
deployed in the modeller stays the one new cases start on. When a changed file does go on top of
a version deployed from the modeller, the new version says so in its note (shown on the versions
page), the outcome says so (printed by the command), and the owner can roll back to theirs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from casework import steps
from db.models import ProcessVersion
from processes.specs import parse

SETUP = "setup"  # who deployed a version seeded from bpmn/


@dataclass(frozen=True)
class Seeded:
    filename: str
    key: str
    version: int
    created: bool
    message: str
    # A version deployed from the modeller (or the API, or the CLI) that this one went on top of.
    replaced: int | None = None


def seed(session: Session, path: Path, *, now: datetime) -> Seeded:
    """Deploy the diagram at ``path`` if its process is new or the file changed since it was last
    seeded, in a unit of work of its own; raise ``InvalidDiagram`` when it does not pass the checks."""
    xml = path.read_bytes()
    with steps.unit_of_work(session, now=now):
        key = parse(session, xml, path.name).key
        seeded = session.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.process_key == key, ProcessVersion.deployed_by == SETUP)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        ).first()
        latest = processes.latest_version(session, key, required=False)
        if seeded is not None and seeded.checksum == hashlib.sha256(xml).hexdigest():
            current = latest.version if latest is not None else seeded.version
            return Seeded(
                path.name,
                key,
                current,
                False,
                f"{key} v{current} unchanged ({path.name} as seeded in v{seeded.version})",
            )
        over_owner = latest is not None and latest.deployed_by != SETUP
        note = None
        if over_owner and latest is not None:
            note = (
                f"Seeded at set-up from {path.name}, which changed since it was last seeded. It "
                f"replaced version {latest.version}, deployed by {latest.deployed_by or 'someone'}; "
                f"roll back to start new cases on version {latest.version} again."
            )
        deployment = processes.deploy(session, xml, deployed_by=SETUP, filename=path.name, note=note)
    if over_owner and latest is not None:
        return Seeded(
            path.name,
            key,
            deployment.version,
            True,
            f"{key} v{deployment.version} deployed from {path.name} (the file changed) ON TOP OF "
            f"v{latest.version}, deployed by {latest.deployed_by}; roll back in the modeller to use "
            f"v{latest.version} again",
            replaced=latest.version,
        )
    return Seeded(
        path.name, key, deployment.version, deployment.created, f"{key} v{deployment.version} deployed"
    )
