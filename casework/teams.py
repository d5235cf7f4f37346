"""Teams as reference data (issue 16.3): the groups BPMN diagrams offer tasks to.

A team has an identifier (``Group.name``: what diagrams write in ``candidateGroups``, and what
deploy validation checks a diagram's groups against) and a name people read (``Group.label``).
Renaming changes the name people read and keeps the old one (``team_renames``); the identifier
never changes, so deployed diagrams and open tasks keep finding the team. A team offered an open
task cannot be removed. Each team may have a leader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from casework import steps
from db.models import Group, Membership, Task, TaskCandidateGroup, TeamLeader, TeamRename, User

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9-]{1,79}$")


class TeamError(ValueError):
    """A change to the teams that cannot be made; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class TeamRow:
    team: Group
    members: int
    open_tasks: int
    leader: User | None
    renames: list[TeamRename]


def _open_tasks(session: Session, name: str) -> int:
    return (
        session.scalar(
            select(func.count(Task.id))
            .join(TaskCandidateGroup, TaskCandidateGroup.task_id == Task.id)
            .where(TaskCandidateGroup.group_name == name, Task.status == "open")
        )
        or 0
    )


def everything(session: Session) -> list[TeamRow]:
    rows = []
    for team in session.scalars(select(Group).order_by(Group.label)):
        members = session.scalar(select(func.count()).where(Membership.group_id == team.id)) or 0
        renames = list(
            session.scalars(select(TeamRename).where(TeamRename.group_id == team.id).order_by(TeamRename.id))
        )
        rows.append(
            TeamRow(team, members, _open_tasks(session, team.name), leader(session, team.name), renames)
        )
    return rows


def leader(session: Session, name: str) -> User | None:
    """The leader of the team called ``name`` (its identifier), if it has one and they are active."""
    return session.scalar(
        select(User)
        .join(TeamLeader, TeamLeader.user_id == User.id)
        .join(Group, Group.id == TeamLeader.group_id)
        .where(Group.name == name, User.active.is_(True))
    )


def _label(session: Session, label: str, *, other_than: int = 0) -> str:
    label = " ".join(label.split())
    if not label:
        raise TeamError("label", "Enter the team's name.")
    if len(label) > 200:
        raise TeamError("label", "Enter a name of no more than 200 characters.")
    taken = session.scalar(
        select(Group.id).where(func.lower(Group.label) == label.lower(), Group.id != other_than)
    )
    if taken is not None:
        raise TeamError("label", f"There is already a team called “{label}”: choose another name.")
    return label


def _get(session: Session, team_id: int) -> Group:
    team = session.get(Group, team_id)
    if team is None:
        raise LookupError(f"no team {team_id}")
    return team


def add(step: steps.CaseStep, name: str, label: str) -> Group:
    identifier = name.strip().lower()
    if not _IDENTIFIER.match(identifier):
        raise TeamError(
            "name",
            "Enter an identifier of 2 to 80 lower-case letters, digits or dashes, starting with a letter "
            "(diagrams name the team by it, e.g. community-safety).",
        )
    if step.session.scalar(select(Group.id).where(Group.name == identifier)) is not None:
        raise TeamError("name", f"There is already a team with the identifier “{identifier}”.")
    team = Group(name=identifier, label=_label(step.session, label))
    step.session.add(team)
    step.session.flush()
    step.audit(
        "team-added", subject_type="team", subject=identifier, detail=f"Added “{team.label}” ({identifier})"
    )
    return team


def change(step: steps.CaseStep, team_id: int, label: str, leader_username: str, *, by: User) -> Group:
    """Rename a team (the old name is kept) and/or set its leader (empty: none)."""
    session = step.session
    team = _get(session, team_id)
    new_label = _label(session, label, other_than=team.id)
    new_leader = None
    if leader_username.strip():
        new_leader = session.scalar(
            select(User).where(User.username == leader_username.strip().lower(), User.active.is_(True))
        )
        if new_leader is None:
            raise TeamError("leader", "Choose the leader from the active people listed.")
    old_leader = leader(session, team.name)
    before = f"“{team.label}”, leader {old_leader.display_name if old_leader else 'none'}"
    if new_label != team.label:
        session.add(
            TeamRename(
                group_id=team.id,
                old_label=team.label,
                new_label=new_label,
                renamed_at=step.now,
                renamed_by_id=by.id,
            )
        )
        team.label = new_label
    session.execute(delete(TeamLeader).where(TeamLeader.group_id == team.id))
    if new_leader is not None:
        session.add(TeamLeader(group_id=team.id, user_id=new_leader.id))
    after = f"“{new_label}”, leader {new_leader.display_name if new_leader else 'none'}"
    step.audit(
        "team-changed", subject_type="team", subject=team.name, detail=f"Before: {before}. After: {after}"
    )
    return team


def remove(step: steps.CaseStep, team_id: int) -> str:
    """Remove a team no open task is offered to; its members leave it. Returns its name."""
    session = step.session
    team = _get(session, team_id)
    waiting = _open_tasks(session, team.name)
    if waiting:
        tasks = "task is" if waiting == 1 else "tasks are"
        raise TeamError(
            f"remove-{team.id}",
            f"{waiting} open {tasks} offered to {team.label}: it cannot be removed until they are done "
            "or the diagram offering them changes.",
        )
    label = team.label
    session.execute(delete(Membership).where(Membership.group_id == team.id))
    session.delete(team)
    step.audit("team-removed", subject_type="team", subject=team.name, detail=f"Removed “{label}”")
    return label
