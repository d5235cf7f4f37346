"""Who may start a case of a new process: the groups its diagram names
(``camunda:candidateStarterGroups``). Their members see it on the "new case" page and in the API,
answer the start event's form, and the case belongs to the starter's team; others are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db import Database
from db.models import Case
from tests.diagrams import noise
from tests.webapp.test_api import token

XML = {"Content-Type": "application/xml"}
START_FORM = """<bpmn:startEvent id="complaint_received" name="Complaint received">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="flats_affected" label="Flats affected" type="long">
          <camunda:validation><camunda:constraint name="required" config="true" />
            <camunda:constraint name="min" config="1" /></camunda:validation>
        </camunda:formField>
      </camunda:formData></bpmn:extensionElements>
    </bpmn:startEvent>"""


def startable_noise(groups: str = "community-safety") -> bytes:
    xml = noise().decode()
    xml = xml.replace(
        'isExecutable="true">', f'isExecutable="true" camunda:candidateStarterGroups="{groups}">'
    )
    return xml.replace(
        '<bpmn:startEvent id="complaint_received" name="Complaint received" />', START_FORM
    ).encode()


@pytest.fixture
def web(app):
    app.config["WTF_CSRF_ENABLED"] = False
    owner = token(app.test_client(), "owner")
    assert (
        app.test_client()
        .post("/api/process-models", headers={**owner, **XML}, data=startable_noise())
        .status_code
        == 201
    )
    return app.test_client()


def sign_in(web, username):
    assert web.post("/login", data={"username": username, "password": "demo"}).status_code == 302


def case_row(db_url, reference) -> Case:
    database = Database(db_url)
    try:
        with database.session() as session:
            return session.scalars(select(Case).where(Case.reference == reference)).one()
    finally:
        database.dispose()


def test_an_officer_of_a_starter_group_opens_a_case_from_the_new_case_page(web, db_url):
    sign_in(web, "officer")
    listed = web.get("/cases/new")
    assert listed.status_code == 200 and "Noise complaint" in listed.text
    form = web.get("/cases/new/noise_complaint")
    assert "Flats affected" in form.text and "Community safety team" in form.text
    # Bad answers are named and nothing is saved.
    bad = web.post("/cases/new/noise_complaint", data={"description": "", "flats_affected": "several"})
    assert bad.status_code == 422
    assert "Say what the case is about" in bad.text and 'href="#flats_affected"' in bad.text
    assert 'value="several"' in bad.text  # what was typed is kept
    done = web.post(
        "/cases/new/noise_complaint",
        data={"description": "Drilling every night", "location": "Block C", "flats_affected": "3"},
    )
    assert done.status_code == 303
    reference = done.headers["Location"].rsplit("/", 1)[-1]
    case = case_row(db_url, reference)
    assert (case.team, case.description, case.location) == (
        "community-safety",
        "Drilling every night",
        "Block C",
    )
    page = web.get(f"/cases/{reference}")
    assert page.status_code == 200 and "Log the noise complaint" in page.text


def test_the_api_lets_a_starter_start_it_and_refuses_others(web, db_url):
    officer = token(web, "officer")
    bad = web.post("/api/process-models/noise_complaint/cases", headers=officer, json={"flats_affected": 0})
    assert bad.status_code == 422 and "flats_affected" in bad.json["errors"]
    started = web.post(
        "/api/process-models/noise_complaint/cases",
        headers=officer,
        json={"description": "Parties", "flats_affected": 2},
    )
    assert started.status_code == 201, started.json
    assert case_row(db_url, started.json["reference"]).team == "community-safety"
    # Intake staff are not in the group the diagram names.
    intake = token(web, "intake")
    refused = web.post(
        "/api/process-models/noise_complaint/cases", headers=intake, json={"flats_affected": 2}
    )
    assert refused.status_code == 403 and "Only members of community-safety" in refused.json["message"]
    # A process that names no starters is for its owners to try out only.
    hate = web.post("/api/process-models/hate_incident/cases", headers=officer, json={})
    assert hate.status_code == 403 and "names no group" in hate.json["message"]


def test_someone_outside_the_starter_groups_is_not_offered_it(web):
    sign_in(web, "intake")
    listed = web.get("/cases/new")
    assert listed.status_code == 200 and "Noise complaint" not in listed.text
    assert "There is no process you can start here" in listed.text
    assert web.get("/cases/new/noise_complaint").status_code == 404
    assert (
        web.post("/cases/new/noise_complaint", data={"description": "x", "flats_affected": "1"}).status_code
        == 404
    )


def test_deploy_refuses_a_starter_group_that_does_not_exist(web):
    owner = token(web, "owner")
    refused = web.post(
        "/api/process-models/validate", headers={**owner, **XML}, data=startable_noise("night-shift")
    )
    assert refused.status_code == 422
    [error] = refused.json["errors"]
    assert error["element_id"] == "noise_complaint" and "no group is called 'night-shift'" in error["message"]
