"""The JSON API (flask-smorest): the OpenAPI document is generated from the schemas that
validate requests, and served at /api/openapi.json."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from webapp.api import actions as actions_api
from webapp.api import case_file as case_file_api
from webapp.api import case_search as case_search_api
from webapp.api import cases as cases_api
from webapp.api import dashboards as dashboards_api
from webapp.api import health, reports, security, tasks
from webapp.api import notes as notes_api
from webapp.api import notifications as notifications_api
from webapp.api import people as people_api
from webapp.api import process_models as process_models_api
from webapp.api import restriction as restriction_api
from webapp.api import subject_access as subject_access_api
from webapp.api import supervision as supervision_api
from webapp.api.responses import CommonErrorResponses


def register_api(app: Flask) -> None:
    app.config.update(
        API_TITLE="Hate incident case management API",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = Api(app, spec_kwargs={"info": {"description": __doc__}, "extra_plugins": [CommonErrorResponses()]})
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "From POST /api/token"}
    )
    for blueprint in (
        security.bp,
        reports.bp,
        tasks.bp,
        cases_api.bp,
        notifications_api.bp,
        process_models_api.bp,
        dashboards_api.bp,
        supervision_api.bp,
        restriction_api.bp,
        subject_access_api.bp,
        actions_api.bp,
        notes_api.bp,
        case_search_api.bp,
        case_file_api.bp,
        people_api.bp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(health.bp)
    security.init_app(app)
