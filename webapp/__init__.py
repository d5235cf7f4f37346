"""The Flask web app: public reporting, the officer's inbox, case pages and the JSON API."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from casework.settings import ConfigError, check_consistency, check_production, from_environment
from webapp import (
    access,
    account,
    actions,
    audit_log,
    auth,
    case_actions,
    case_list,
    case_notes,
    case_study,
    cases,
    cli,
    consent,
    dashboards,
    errors,
    evidence,
    flood,
    inbox,
    intake,
    json_depth,
    languages,
    letters,
    localities,
    modeller,
    new_cases,
    notifications,
    outages,
    password_reset,
    people_admin,
    plain_words,
    public,
    public_uploads,
    report_steps,
    reporter_panel,
    restriction,
    retention_page,
    scheduler,
    security_headers,
    sso,
    storable,
    storage,
    subject_access,
    supervision,
    survey,
    teams,
    tracking,
    two_factor,
)
from webapp.api import register_api


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` in a URL, bounded to what an INTEGER column holds (32 bits in PostgreSQL):
    a larger id is simply not found (404), rather than an overflow in the database (500).
    The bound shows in the OpenAPI document as the parameter's maximum."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def flask_settings() -> dict[str, Any]:
    """The settings only Flask reads (the rest are in ``casework.settings``)."""
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("HATECASES_ENV") == "production",
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
    }


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.url_map.converters["int"] = DatabaseIntConverter
    app.config.update(from_environment())
    app.config.update(flask_settings())
    if test_config:
        app.config.update(test_config)
    check_consistency(app.config)
    storage.init_app(app)
    json_depth.init_app(app)  # first: every later reader of a JSON body would overflow on it
    app.before_request(evidence.allow_large_uploads)  # first: the next hook reads the form
    app.before_request(public_uploads.allow_uploads)
    app.before_request(storable.refuse_unstorable_text)  # before the access checks read the path
    auth.init_app(app)
    access.init_app(app)
    security_headers.init_app(app)
    languages.init_app(app)
    notifications.init_app(app)
    assert report_steps.bp is public.bp  # its pages are the public blueprint's
    for blueprint in (auth.bp, public.bp, inbox.bp, cases.bp, notifications.bp, modeller.bp, dashboards.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(supervision.bp)
    app.register_blueprint(new_cases.bp)
    app.register_blueprint(audit_log.bp)
    app.register_blueprint(restriction.bp)
    app.register_blueprint(retention_page.bp)
    app.register_blueprint(consent.bp)
    app.register_blueprint(actions.bp)
    app.register_blueprint(letters.bp)
    app.register_blueprint(subject_access.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(intake.bp)
    app.register_blueprint(localities.bp)
    app.register_blueprint(people_admin.bp)
    app.register_blueprint(teams.bp)
    app.register_blueprint(password_reset.bp)
    app.register_blueprint(tracking.bp)
    app.register_blueprint(reporter_panel.bp)
    app.register_blueprint(case_notes.bp)
    app.register_blueprint(evidence.bp)
    app.register_blueprint(case_list.bp)
    app.register_blueprint(case_actions.bp)
    app.register_blueprint(plain_words.bp)
    sso.init_app(app)
    two_factor.init_app(app)  # its pages, and the hook that sends someone who must set it up there
    app.register_blueprint(survey.bp)
    app.register_blueprint(case_study.bp)
    register_api(app)
    flood.init_app(app)  # wraps the reporting views, so after every blueprint
    errors.init_app(app)
    outages.init_app(app)
    cli.init_app(app)
    if not app.config.get("TESTING"):
        with storage.database(app).session() as session:
            demo_users = storage.demo_users_present(session)
        try:
            check_production(app.config, demo_users)
        except ConfigError:
            storage.database(app).dispose()
            raise
    scheduler.init_app(app)
    return app
