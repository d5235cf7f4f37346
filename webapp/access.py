"""Every route's rule: the permission it needs, the case it touches, what the audit log records.

One hook checks each request before its view runs: who is asking (the session for pages, the
bearer token for /api), whether their role has the route's permission
(``casework.permissions.MATRIX``), and whether they may open the case the URL names
(``casework.case_access``). A route missing from ``RULES`` is refused for everyone, and the
authorisation test fails for it, so a new route cannot go out without a rule.

``RULES`` is the only declaration: views carry no sign-in, role or token decorators. A page
asked for without signing in goes to the sign-in page (Flask-Login's unauthorised handler); an
/api call without a valid bearer token gets 401 JSON; a role without the permission gets 403 (the
error page, or JSON on /api). A view reads who is asking with ``requester()`` (or, on /api,
``api_user()``).

After a successful request, the route's audit action (view, search, export, edit) is written to
the append-only audit log with who, what, when and from where; so is every refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

import processes
from casework import audit, case_access, people, steps
from casework.permissions import Permission, allows, who_may
from db.models import User
from webapp import storage
from webapp.auth import login_manager

PUBLIC = None


@dataclass(frozen=True)
class Rule:
    permission: Permission | None
    # What a successful request is recorded as in the audit log (None: not recorded).
    audit: str | None = None
    # GET with one of these query arguments is a search, recorded with its terms.
    search_args: tuple[str, ...] = ()
    # Checked against case access: the view argument naming the case, or its task.
    case_arg: str | None = None


P = Permission
# The cases search's terms and filters (webapp.case_search_schemas.FILTERS): any of them is a search.
CASE_SEARCH = ("q", "status", "stage", "risk_level", "locality", "team", "officer", "strand", "from", "to")
RULES: dict[str, Rule] = {
    # Public: reporting, signing in, health, the API description, static files.
    "static": Rule(PUBLIC),
    "health.healthz": Rule(PUBLIC),
    "auth.login": Rule(PUBLIC),
    "sso.start": Rule(PUBLIC),
    "sso.callback": Rule(PUBLIC),
    "public.report": Rule(PUBLIC),
    "public.received": Rule(PUBLIC),
    "public.easy_read": Rule(PUBLIC),
    "public.start_draft": Rule(PUBLIC),
    "public.step": Rule(PUBLIC),
    "public.danger_now": Rule(PUBLIC),
    "public.remove_file": Rule(PUBLIC),
    "public.check": Rule(PUBLIC),
    "public.send": Rule(PUBLIC),
    "reports.create_report": Rule(PUBLIC),
    "tracking.sign_in": Rule(PUBLIC),
    "tracking.status": Rule(PUBLIC),
    "tracking.sign_out": Rule(PUBLIC),
    "tracking.act": Rule(PUBLIC),
    "survey.answer": Rule(PUBLIC),
    "token.token": Rule(PUBLIC),
    "token.revoke_current": Rule(P.USE_APP, "edit"),
    "token.list_tokens": Rule(P.USE_APP),
    "token.delete_token": Rule(P.USE_APP, "edit"),
    "account.tokens": Rule(P.USE_APP),
    "account.revoke": Rule(P.USE_APP, "edit"),
    "account.new_token": Rule(P.USE_APP, "edit"),
    "account.password": Rule(P.USE_APP),
    # Two-factor sign-in: the code and set-up pages serve a sign-in still pending (no one is
    # signed in yet), so they are public and check the pending sign-in themselves.
    "two_factor.code": Rule(PUBLIC),
    "two_factor.setup": Rule(PUBLIC),
    "two_factor.settings": Rule(P.USE_APP),
    "two_factor.turn_off": Rule(P.USE_APP),  # audits its own entry
    "two_factor.people_list": Rule(P.RESET_TWO_FACTOR),
    "two_factor.reset": Rule(P.RESET_TWO_FACTOR),  # audits its own entry
    "api-docs.openapi_json": Rule(PUBLIC),
    # Every signed-in person.
    "auth.logout": Rule(P.USE_APP),
    "notifications.index": Rule(P.USE_APP),
    "notifications.mark_read": Rule(P.USE_APP),
    "notifications.mark_all_read": Rule(P.USE_APP),
    "notifications_api.list_notifications": Rule(P.USE_APP),
    "notifications_api.mark_read": Rule(P.USE_APP),
    "notifications_api.mark_all_read": Rule(P.USE_APP),
    # The task inbox.
    "inbox.index": Rule(P.WORK_TASKS, search_args=("q",)),
    "inbox.task": Rule(P.WORK_TASKS, "view", case_arg="task_id"),
    "inbox.complete": Rule(P.WORK_TASKS, "edit", case_arg="task_id"),
    "inbox.claim": Rule(P.WORK_TASKS, "edit", case_arg="task_id"),
    "inbox.release": Rule(P.WORK_TASKS, "edit", case_arg="task_id"),
    "tasks.list_tasks": Rule(P.WORK_TASKS, search_args=("q",)),
    "tasks.get_task": Rule(P.WORK_TASKS, "view", case_arg="task_id"),
    "tasks.claim": Rule(P.WORK_TASKS, "edit", case_arg="task_id"),
    "tasks.release": Rule(P.WORK_TASKS, "edit", case_arg="task_id"),
    "tasks.complete": Rule(P.WORK_TASKS, "edit", case_arg="task_id"),
    # Cases.
    "cases.show": Rule(P.OPEN_CASES, "view", case_arg="reference"),
    "case_list.index": Rule(P.OPEN_CASES, search_args=CASE_SEARCH),
    "case_search_api.list_cases": Rule(P.OPEN_CASES, search_args=CASE_SEARCH),
    "cases_api.get_case": Rule(P.OPEN_CASES, "view", case_arg="reference"),
    "cases_api.update_case": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "cases_api.log_incident": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "cases_api.request_case_review": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "cases_api.complain": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "cases_api.record_case_review_action": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    # Notes, contacts and evidence (every evidence download is recorded as an export).
    "notes.add_note": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_study.edit": Rule(P.SUPERVISE, "view", case_arg="reference"),
    "case_study.save": Rule(P.SUPERVISE, "edit", case_arg="reference"),
    "notes.record_contact": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    # The upload writes its own entries: the edit with the evidence, or a virus refused.
    "evidence.upload": Rule(P.EDIT_CASES, None, case_arg="reference"),
    "evidence.download": Rule(P.OPEN_CASES, "export", case_arg="reference"),
    "evidence.thumbnail": Rule(P.OPEN_CASES, None, case_arg="reference"),
    "notes_api.list_notes": Rule(P.OPEN_CASES, "view", case_arg="reference"),
    "notes_api.add_note": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "notes_api.list_contacts": Rule(P.OPEN_CASES, "view", case_arg="reference"),
    "notes_api.record_contact": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "supervision_api.reviews": Rule(P.OPEN_CASES, "view", case_arg="reference"),
    # The case file's actions, on the page and in the API (issue 15).
    "case_actions.log_incident": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_actions.request_case_review": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_actions.complain": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_actions.correct_details": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_actions.add_person": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_actions.link": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_actions.hold": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_actions.end_hold": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_actions.cancel_as_duplicate": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_actions.record_case_review_action": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_actions.split_incident": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_file_api.add_person": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_file_api.list_links": Rule(P.OPEN_CASES, "view", case_arg="reference"),
    "case_file_api.link": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_file_api.hold": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_file_api.end_hold": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_file_api.cancel_as_duplicate": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "case_file_api.list_incidents": Rule(P.OPEN_CASES, "view", case_arg="reference"),
    "case_file_api.split_incident": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "restriction.restrict": Rule(P.RESTRICT_CASES, "edit", case_arg="reference"),
    "tracking.reset_code": Rule(P.EDIT_CASES, None, case_arg="reference"),  # audits its own entry
    "restriction_api.restrict": Rule(P.RESTRICT_CASES, "edit", case_arg="reference"),
    "restriction_api.lift": Rule(P.RESTRICT_CASES, "edit", case_arg="reference"),
    # Consent and disclosure (the disclosure's own "disclose" entry is written with it).
    "consent.record_consent": Rule(P.RECORD_CONSENT, "edit", case_arg="reference"),
    "consent.withdraw_consent": Rule(P.RECORD_CONSENT, "edit", case_arg="reference"),
    "consent.disclose": Rule(P.DISCLOSE, None, case_arg="reference"),
    "cases_api.record_consent": Rule(P.RECORD_CONSENT, "edit", case_arg="reference"),
    "cases_api.withdraw_consent": Rule(P.RECORD_CONSENT, "edit", case_arg="reference"),
    "cases_api.disclose": Rule(P.DISCLOSE, None, case_arg="reference"),
    # The action plan and letters (issue 15). A letter's PDF leaves the system: an export.
    "actions.add": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "actions.close": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "actions_api.list_actions": Rule(P.OPEN_CASES, "view", case_arg="reference"),
    "actions_api.add_action": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "actions_api.close_action": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "letters.new": Rule(P.EDIT_CASES, "view", case_arg="reference"),
    "letters.save": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "letters.download": Rule(P.OPEN_CASES, "export", case_arg="reference"),
    "letters.send": Rule(P.EDIT_CASES, "edit", case_arg="reference"),
    "letters.templates": Rule(P.MODEL_PROCESSES),
    "letters.edit_template": Rule(P.MODEL_PROCESSES),
    "letters.save_template": Rule(P.MODEL_PROCESSES, "edit"),
    # Supervision.
    "supervision.escalate": Rule(P.SUPERVISE, "edit", case_arg="reference"),
    "supervision.review": Rule(P.SUPERVISE, "edit", case_arg="reference"),
    "supervision.reassign_task": Rule(P.SUPERVISE, "edit", case_arg="reference"),
    "supervision.reassign_all_form": Rule(P.SUPERVISE),
    "supervision.reassign_all": Rule(P.SUPERVISE, "edit"),
    "supervision_api.escalate": Rule(P.SUPERVISE, "edit", case_arg="reference"),
    "supervision_api.review": Rule(P.SUPERVISE, "edit", case_arg="reference"),
    "supervision_api.reassign_task": Rule(P.SUPERVISE, "edit", case_arg="task_id"),
    "supervision_api.reassign_all": Rule(P.SUPERVISE, "edit"),
    # Dashboards: counts without personal data; CSVs are exports.
    "dashboards.indicator_dashboard": Rule(P.VIEW_INDICATORS),
    "dashboards.indicator_csv": Rule(P.EXPORT_INDICATORS, "export"),
    "dashboards.annual_page": Rule(P.VIEW_INDICATORS),
    "dashboards.annual_csv": Rule(P.EXPORT_INDICATORS, "export"),
    "dashboards.heatmap_page": Rule(P.VIEW_INDICATORS),
    "dashboards.heatmap_json": Rule(P.VIEW_INDICATORS),
    "dashboards_api.indicator_figures": Rule(P.VIEW_INDICATORS),
    "dashboards.stuck_work": Rule(P.VIEW_STUCK_WORK, search_args=("officer", "locality")),
    "dashboards_api.stuck_work": Rule(P.VIEW_STUCK_WORK, search_args=("officer", "locality")),
    "dashboards.retry_step": Rule(P.RETRY_STEPS, "edit", case_arg="reference"),
    "dashboards_api.retry_step": Rule(P.RETRY_STEPS, "edit", case_arg="reference"),
    "dashboards.start_process": Rule(P.RETRY_STEPS, "edit", case_arg="reference"),
    "dashboards_api.start_process": Rule(P.RETRY_STEPS, "edit", case_arg="reference"),
    # Process models (the diagrams hold no personal data).
    "modeller.index": Rule(P.MODEL_PROCESSES),
    "modeller.edit": Rule(P.MODEL_PROCESSES),
    "modeller.compare": Rule(P.MODEL_PROCESSES),
    "modeller.download": Rule(P.MODEL_PROCESSES),
    "modeller.upload": Rule(P.MODEL_PROCESSES),
    "modeller.validate": Rule(P.MODEL_PROCESSES),
    "modeller.deploy": Rule(P.MODEL_PROCESSES, "edit"),
    "modeller.changes": Rule(P.MODEL_PROCESSES),
    # The rollback writes its own entry ("process-rolled-back", with both version numbers).
    "modeller.roll_back": Rule(P.MODEL_PROCESSES, None),
    "modeller.migrate_preview": Rule(P.MIGRATE_CASES),
    "modeller.migrate": Rule(P.MIGRATE_CASES, "edit"),
    "modeller.move_back": Rule(P.MIGRATE_CASES, "edit"),
    "process_models_api.list_models": Rule(P.MODEL_PROCESSES),
    "process_models_api.deploy": Rule(P.MODEL_PROCESSES, "edit"),
    "process_models_api.validate": Rule(P.MODEL_PROCESSES),
    "process_models_api.download": Rule(P.MODEL_PROCESSES),
    "process_models_api.start_case": Rule(P.START_CASES, "edit"),
    "new_cases.index": Rule(P.START_CASES),
    "new_cases.form": Rule(P.START_CASES),
    "new_cases.start": Rule(P.START_CASES, "edit"),
    # Staff intake, and the localities it offers (reference data kept by administrators).
    "intake.form": Rule(P.TAKE_REPORTS),
    "intake.submit": Rule(P.TAKE_REPORTS, "edit"),
    "intake.people": Rule(P.TAKE_REPORTS),
    "localities.index": Rule(P.MANAGE_REFERENCE_DATA),
    "localities.add": Rule(P.MANAGE_REFERENCE_DATA, "edit"),
    "localities.change": Rule(P.MANAGE_REFERENCE_DATA, "edit"),
    "localities.set_active": Rule(P.MANAGE_REFERENCE_DATA, "edit"),
    "teams.index": Rule(P.MANAGE_REFERENCE_DATA),
    "teams.add": Rule(P.MANAGE_REFERENCE_DATA, "edit"),
    "teams.change": Rule(P.MANAGE_REFERENCE_DATA, "edit"),
    "teams.remove": Rule(P.MANAGE_REFERENCE_DATA, "edit"),
    # People's accounts (administrators); one's own sign-in history (everyone).
    "people_admin.index": Rule(P.MANAGE_USERS),
    "people_admin.new": Rule(P.MANAGE_USERS),
    "people_admin.add": Rule(P.MANAGE_USERS, "edit"),
    "people_admin.person": Rule(P.MANAGE_USERS),
    "people_admin.change": Rule(P.MANAGE_USERS, "edit"),
    "people_admin.set_active": Rule(P.MANAGE_USERS, "edit"),
    "people_admin.send_reset": Rule(P.MANAGE_USERS, "edit"),
    "account.sign_ins": Rule(P.USE_APP),
    "people_api.list_people": Rule(P.MANAGE_USERS),
    "people_api.add_person": Rule(P.MANAGE_USERS, "edit"),
    "people_api.change_person": Rule(P.MANAGE_USERS, "edit"),
    "people_api.deactivate_person": Rule(P.MANAGE_USERS, "edit"),
    "people_api.reactivate_person": Rule(P.MANAGE_USERS, "edit"),
    "password_reset.reset": Rule(PUBLIC),
    "process_models_api.roll_back": Rule(P.MODEL_PROCESSES, None),
    # Retention: what is due, and running the job by hand (administrators).
    "retention.index": Rule(P.RUN_RETENTION),
    "retention.run": Rule(P.RUN_RETENTION, "edit"),
    # The audit log (reading it is recorded too).
    # Subject access: casework.subject_access writes the search and export entries itself.
    "subject_access.index": Rule(P.SUBJECT_ACCESS),
    "subject_access.export": Rule(P.SUBJECT_ACCESS),
    "subject_access_api.search": Rule(P.SUBJECT_ACCESS),
    "subject_access_api.export": Rule(P.SUBJECT_ACCESS),
    "audit_log.index": Rule(P.READ_TEAM_AUDIT, "view", search_args=("username", "subject", "action")),
}


def rule_for(endpoint: str | None) -> Rule | None:
    return RULES.get(endpoint or "")


def _is_api() -> bool:
    return request.path.startswith("/api/")


NO_TOKEN = "Send 'Authorization: Bearer <token>' with a valid token from POST /api/token."


def _token_user() -> User | None:
    """The bearer token's user; the token's id and any reason it is refused go in ``g``."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    check = people.check_token(
        storage.session(),
        value.strip(),
        now=processes.clock.now(),
        cache_seconds=current_app.config.get("TOKEN_CACHE_SECONDS", 0),
    )
    g.api_token_id = check.token_id if check.user is not None else None
    g.api_token_problem = check.problem
    return check.user


def requester() -> User | None:
    """Who is asking: the bearer token's user on /api, the session's user on pages."""
    if _is_api():
        return g.get("api_user")
    return current_user.row if current_user.is_authenticated else None


def api_user() -> User:
    """The bearer token's user, for an /api view: its rule needs a permission, so the hook has
    refused the call already when there is none."""
    user = g.get("api_user")
    if user is None:  # a view whose rule is PUBLIC asked for it: a mistake in the view
        raise RuntimeError(f"{request.endpoint} has no bearer-token user: its rule is public.")
    return user


def _refuse(code: int, message: str) -> Response | tuple[Any, int]:
    if _is_api():
        return jsonify({"code": code, "message": message}), code
    if code == 401:
        return login_manager.unauthorized()
    return render_template("errors/error.html", code=403, message=message), 403


def _may_touch(user: User, rule: Rule) -> bool:
    """Whether ``user`` may touch the case (or task) the URL names; True when it names none that
    exists, so that the view answers 404."""
    value = (request.view_args or {}).get(rule.case_arg or "")
    if value is None:
        return True
    if rule.case_arg == "task_id":
        allowed = case_access.may_work_on_task(storage.session(), user, str(value))
    else:
        allowed = case_access.may_open_reference(storage.session(), user, str(value))
    return allowed is not False


def check_request() -> Response | tuple[Any, int] | None:
    """The before-request hook: refuse what the rules do not allow."""
    rule = rule_for(request.endpoint)
    if request.endpoint is None:
        return None  # 404 or 405: Werkzeug answers
    if rule is None:
        return _refuse(403, "This address has no access rule, so it is closed to everyone.")
    if _is_api() and rule.permission is not PUBLIC:
        g.api_user = _token_user()
    if rule.permission is PUBLIC:
        return None
    user = requester()
    if user is None:
        if _is_api():
            return _refuse(401, g.get("api_token_problem") or NO_TOKEN)
        return _refuse(401, "Sign in first.")
    if not allows(user.role, rule.permission):
        _write_audit(user, "denied", outcome="denied", detail=f"needs: {rule.permission.value}")
        return _refuse(403, who_may(rule.permission))
    if rule.case_arg and not _may_touch(user, rule):
        _write_audit(user, "denied", outcome="denied", detail="case access")
        return _refuse(403, "This case is not open to you: it belongs to another team or is restricted.")
    if rule.audit == "edit" and request.method != "GET":
        # The edit's entry is written by the case step that commits the change, in its
        # transaction; a step rolled back takes the entry with it.
        steps.expect_edit(storage.session(), _actor(user), now=processes.clock.now(), **_entry())
    return None


def _subject() -> tuple[str | None, str | None]:
    args = request.view_args or {}
    for name, kind in (
        ("reference", "case"),
        ("task_id", "task"),
        ("key", "process"),
        ("username", "officer"),
        ("token_id", "api-token"),
    ):
        if name in args:
            return kind, str(args[name])
    if "name" in args:
        return "export", str(args["name"])
    return None, None


def _actor(user: User | None) -> audit.Actor:
    return audit.Actor.of(user, request.remote_addr)


def _entry(detail: str | None = None) -> dict[str, Any]:
    kind, subject = _subject()
    return {"subject_type": kind, "subject": subject, "detail": detail or f"{request.method} {request.path}"}


def _write_audit(user: User | None, action: str, *, outcome: str = "ok", detail: str | None = None) -> None:
    """An entry in a transaction of its own (views, searches, exports, refusals)."""
    steps.write_audit(
        storage.database().sessions,
        _actor(user),
        action,
        **_entry(detail),
        outcome=outcome,
        now=processes.clock.now(),
    )


def record_request(response: Response) -> Response:
    """The after-request hook: write the audit entry of a successful request."""
    rule = rule_for(request.endpoint)
    if rule is None or response.status_code >= 400:
        return response
    action = rule.audit
    detail = None
    terms = {name: request.args[name] for name in rule.search_args if request.args.get(name)}
    if request.method == "GET" and terms:
        action = "search"
        detail = "; ".join(f"{name}={value}" for name, value in terms.items())
    if request.method == "GET" and request.args.get("format") in ("csv", "json"):
        action = "export"
    if "db_session" in g and steps.edit_written(g.db_session):
        return response  # committed with the edit
    if action is not None:
        _write_audit(requester(), action, detail=detail)  # the view committed without it
    return response


def may(permission: str) -> bool:
    """For templates: whether the signed-in person's role has the permission (by its name)."""
    return bool(current_user.is_authenticated and allows(current_user.role, Permission[permission]))


HOMES = (
    (Permission.WORK_TASKS, "inbox.index"),
    (Permission.VIEW_STUCK_WORK, "dashboards.stuck_work"),
    (Permission.MODEL_PROCESSES, "modeller.index"),
    (Permission.USE_APP, "notifications.index"),
)


def home_url() -> str:
    """Where a signed-in person starts: the first page their role opens."""
    role = current_user.role if current_user.is_authenticated else None
    return next((url_for(endpoint) for permission, endpoint in HOMES if allows(role, permission)), "/report")


def init_app(app: Flask) -> None:
    app.before_request(check_request)
    app.after_request(record_request)
    app.jinja_env.globals["may"] = may
    app.jinja_env.globals["home_url"] = home_url
