"""Who may do what: the roles, the permissions and the matrix between them, in one place.

The web layer maps every route to one permission (``webapp.access``); a test walks the app's
URL map with every role and fails for a route that has no rule. Which *case* a person may open
is decided per case on top of this (``casework.case_access``): a permission to open cases is
not a permission to open every case.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    INTAKE = "intake"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    PROCESS_OWNER = "process_owner"
    ADMIN = "admin"


# Reporters (the public) are not signed in: they may only report and read the public pages.
PUBLIC = "public"

ROLE_LABELS: dict[str, str] = {
    PUBLIC: "Reporter (public, not signed in)",
    Role.INTAKE: "Intake (takes reports by phone, in person)",
    Role.OFFICER: "Officer",
    Role.SUPERVISOR: "Supervisor",
    Role.MANAGER: "Manager",
    Role.PROCESS_OWNER: "Process owner",
    Role.ADMIN: "Administrator",
}


class Permission(StrEnum):
    REPORT = "report an incident"
    USE_APP = "sign in, read own notifications, manage own API tokens"
    WORK_TASKS = "work the task inbox: open, claim, complete tasks offered to own groups"
    OPEN_CASES = "open the cases that case access allows (team, own work, named on restricted)"
    OPEN_ALL_CASES = "open any unrestricted case, not only the team's"
    EDIT_CASES = "log incidents, complaints and corrections on a case"
    RECORD_CONSENT = "record and withdraw consents"
    DISCLOSE = "disclose personal data outside the landlord, with a lawful basis"
    SUPERVISE = "reassign, escalate, review cases"
    RESTRICT_CASES = "restrict a case and name who may open it"
    VIEW_INDICATORS = "indicators, annual report, heatmap (counts, no personal data)"
    EXPORT_INDICATORS = "download indicator and annual-report CSVs"
    VIEW_STUCK_WORK = "see the stuck-work lists"
    RETRY_STEPS = "retry a failed background step"
    SKIP_STEPS = "skip a failed background step"
    START_CASES = "open a case of a process whose diagram names one of their groups as its starters"
    MODEL_PROCESSES = "edit, validate and deploy BPMN; start cases of any process"
    MIGRATE_CASES = "move cases between process versions"
    READ_TEAM_AUDIT = "read the audit log (own team's entries)"
    READ_ALL_AUDIT = "read the whole audit log"
    SUBJECT_ACCESS = "export everything held about a person (subject access)"
    RUN_RETENTION = "run the retention job by hand"
    REVOKE_ANY_TOKEN = "revoke anyone's API tokens"
    TAKE_REPORTS = "record a report taken by phone, email, letter, in person or social media"
    MANAGE_REFERENCE_DATA = "keep the reference data: teams, localities (estates, wards, areas)"
    MANAGE_USERS = "add people, change their details, roles and teams, deactivate and reactivate them"
    RESET_TWO_FACTOR = "reset someone's two-factor sign-in (a lost phone)"


_STAFF = frozenset(Role)
_CASEWORK = frozenset({Role.INTAKE, Role.OFFICER, Role.SUPERVISOR, Role.MANAGER})
_OFFICERS = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.MANAGER})
_LEADS = frozenset({Role.SUPERVISOR, Role.MANAGER})

MATRIX: dict[Permission, frozenset[str]] = {
    Permission.REPORT: frozenset({PUBLIC, *_STAFF}),
    Permission.USE_APP: _STAFF,
    Permission.WORK_TASKS: _CASEWORK,
    Permission.OPEN_CASES: _CASEWORK | {Role.ADMIN},
    Permission.OPEN_ALL_CASES: _LEADS | {Role.ADMIN},
    Permission.EDIT_CASES: _OFFICERS,
    Permission.RECORD_CONSENT: _CASEWORK,
    Permission.DISCLOSE: _OFFICERS,
    Permission.SUPERVISE: _LEADS | {Role.ADMIN},
    Permission.RESTRICT_CASES: _LEADS,
    Permission.VIEW_INDICATORS: _LEADS | {Role.ADMIN},
    Permission.EXPORT_INDICATORS: _LEADS | {Role.ADMIN},
    Permission.VIEW_STUCK_WORK: _LEADS | {Role.ADMIN},
    Permission.RETRY_STEPS: _LEADS | {Role.ADMIN},
    Permission.SKIP_STEPS: frozenset({Role.ADMIN}),
    Permission.START_CASES: _STAFF,
    Permission.MODEL_PROCESSES: frozenset({Role.PROCESS_OWNER, Role.ADMIN}),
    Permission.MIGRATE_CASES: frozenset({Role.PROCESS_OWNER, Role.ADMIN}),
    Permission.READ_TEAM_AUDIT: _LEADS | {Role.ADMIN},
    Permission.READ_ALL_AUDIT: frozenset({Role.MANAGER, Role.ADMIN}),
    Permission.SUBJECT_ACCESS: frozenset({Role.MANAGER, Role.ADMIN}),
    Permission.RUN_RETENTION: frozenset({Role.ADMIN}),
    Permission.REVOKE_ANY_TOKEN: frozenset({Role.ADMIN}),
    Permission.TAKE_REPORTS: _CASEWORK,
    Permission.MANAGE_REFERENCE_DATA: frozenset({Role.ADMIN}),
    Permission.RESET_TWO_FACTOR: frozenset({Role.ADMIN}),
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
}


PLURALS: dict[str, str] = {
    Role.INTAKE: "intake staff",
    Role.OFFICER: "officers",
    Role.SUPERVISOR: "supervisors",
    Role.MANAGER: "managers",
    Role.PROCESS_OWNER: "process owners",
    Role.ADMIN: "administrators",
}


def who_may(permission: Permission) -> str:
    """'Only supervisors, managers and administrators may do this.'"""
    names = [PLURALS[role] for role in PLURALS if role in MATRIX[permission]]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Only {listed} may do this."


def allows(role: str | None, permission: Permission) -> bool:
    """Whether ``role`` (None: not signed in) has ``permission``."""
    return (role or PUBLIC) in MATRIX[permission]


def roles_with(permission: Permission) -> tuple[str, ...]:
    return tuple(role for role in ROLE_LABELS if role in MATRIX[permission])


def markdown_table() -> str:
    """The matrix as the README shows it (a test keeps the README in step with this)."""
    roles = list(ROLE_LABELS)
    header = "| permission | " + " | ".join(roles) + " |"
    rule = "| --- |" + " --- |" * len(roles)
    rows = [
        f"| {permission.value} | " + " | ".join("✓" if r in MATRIX[permission] else "" for r in roles) + " |"
        for permission in Permission
    ]
    return "\n".join([header, rule, *rows])
