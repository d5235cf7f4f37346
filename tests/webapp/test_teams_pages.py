"""Teams as reference data (/admin/teams, administrators): added, renamed with the old name kept,
a leader named, removed only when no open task is offered; refused input named and nothing
changed; a diagram naming a team is deployable once the team exists."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

import processes
from casework import steps, teams
from db.models import AuditEvent, Group, Membership, TeamRename
from tests.conftest import BPMN
from tests.webapp.test_authorisation import REPORT
from tests.webapp.test_intake_pages import error_links
from tests.webapp.test_supervision_pages import sign_in, text, web

__all__ = ["web"]


def snapshot(app: Flask) -> list[tuple]:
    with app.extensions["database"].session() as session:
        groups = [(g.id, g.name, g.label) for g in session.scalars(select(Group).order_by(Group.id))]
        renames = [r.old_label for r in session.scalars(select(TeamRename))]
        members = len(list(session.scalars(select(Membership))))
        audit = len(list(session.scalars(select(AuditEvent).where(AuditEvent.action.like("team-%")))))
        return [*groups, *renames, members, audit]


def team_id(app: Flask, name: str) -> int:
    with app.extensions["database"].session() as session:
        return session.scalars(select(Group.id).where(Group.name == name)).one()


def deploy_naming(app: Flask, group: str) -> None:
    xml = BPMN.read_text().replace('candidateGroups="hr"', f'candidateGroups="{group}"')
    with (
        app.extensions["database"].session() as session,
        steps.unit_of_work(session, now=processes.clock.now()),
    ):
        processes.deploy(session, xml.encode(), deployed_by="test", filename="hate_incident.bpmn")


def test_an_admin_adds_renames_and_leads_a_team_that_diagrams_may_then_name(app, web):
    with pytest.raises(processes.InvalidDiagram, match="no group is called 'east-housing'"):
        deploy_naming(app, "east-housing")
    sign_in(web, "admin")
    assert 'href="/admin/teams"' in web.get("/").text
    assert web.post("/admin/teams", data={"name": "east-housing", "label": "East housing"}).status_code == 303
    deploy_naming(app, "east-housing")  # deploy validation now knows the team
    east = team_id(app, "east-housing")
    saved = web.post(f"/admin/teams/{east}", data={"label": "East and north housing", "leader": "supervisor"})
    assert saved.status_code == 303
    page = text(web.get("/admin/teams").text)
    assert "East and north housing Earlier: East housing (until" in page and "Sam Supervisor" in page
    with app.extensions["database"].session() as session:
        assert teams.leader(session, "east-housing").username == "supervisor"
        detail = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "team-changed")).one()
    assert (
        detail
        == "Before: “East housing”, leader none. After: “East and north housing”, leader Sam Supervisor"
    )
    assert web.post(f"/admin/teams/{east}/remove").status_code == 303
    assert "<code>east-housing</code>" not in web.get("/admin/teams").text


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "community-safety", "label": "Another"}, "name", "already a team with the identifier"),
        ({"name": "East Housing!", "label": "East"}, "name", "lower-case letters, digits or dashes"),
        ({"name": "east", "label": "Managers"}, "label", "already a team called “Managers”"),
        ({"name": "east", "label": "  "}, "label", "Enter the team's name."),
    ],
)
def test_adding_a_team_refuses_bad_input_and_changes_nothing(app, web, form, field, message):
    sign_in(web, "admin")
    before = snapshot(app)
    response = web.post("/admin/teams", data=form)
    assert response.status_code == 422
    links = error_links(response.text)
    assert list(links) == [field] and message in links[field]
    assert snapshot(app) == before


def test_a_team_offered_an_open_task_cannot_be_removed_nor_given_an_unknown_leader(app, web):
    app.test_client().post("/api/reports", json=REPORT)  # a task offered to community safety
    sign_in(web, "admin")
    before = snapshot(app)
    safety = team_id(app, "community-safety")
    refused = web.post(f"/admin/teams/{safety}/remove")
    assert refused.status_code == 422
    assert "1 open task is offered to Community safety team" in error_links(refused.text)[f"remove-{safety}"]
    bad = web.post(f"/admin/teams/{safety}", data={"label": "Renamed", "leader": "nobody"})
    assert bad.status_code == 422 and "Choose the leader from the active people" in text(bad.text)
    assert 'value="Renamed"' in bad.text  # what was typed is kept
    assert snapshot(app) == before
