"""The cases list and search through the page (/cases) and the API (GET /api/cases): plain
words, UK dates and names, every search audited, and bad or hostile input answered clearly."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, select

from casework import reports, steps
from casework.reports import PartyDetails
from db.models import AuditEvent, Case, CaseAccess, CaseSearch, Task, User
from tests.conftest import T0
from tests.webapp.test_api import token
from tests.webapp.test_supervision_pages import sign_in, text, web

__all__ = ["web"]
DASH = "\u2013"  # the en dash between the first and last case shown


def add_case(app: Flask, name: str, address: str, *, closed: bool = False, holder: str | None = None) -> str:
    """A case reported two days after T0 (closed, or with its first task held, if asked)."""
    with app.extensions["database"].session() as session:
        incident = reports.Report(
            description="Abuse shouted at the door",
            location=address,
            strands=["race"],
            parties=[PartyDetails(role="victim", name=name, address=address)],
        )
        reference = reports.submit(session, incident, now=T0 + timedelta(days=2)).case_reference
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        with steps.case_step(session, now=T0 + timedelta(days=3), case=case) as step:
            task = session.scalars(select(Task).where(Task.case_id == case.id)).first()
            if holder:
                task.assignee_id = session.scalars(select(User.id).where(User.username == holder)).one()
            if closed:
                step.case.status, step.case.closed_at = "closed", step.now
                task.status, task.completed_at = "completed", step.now
        return reference


def searches(app: Flask) -> list[str | None]:
    with app.extensions["database"].session() as session:
        return list(session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "search")))


@pytest.fixture
def cases(app: Flask) -> dict[str, str]:
    return {
        "bell": add_case(app, "Joseph Béll", "4 Ash Road, Leeds LS6 2AB", closed=True),
        "smith": add_case(app, "Anne Smith", "9 Elm Street, York YO1 7HH", holder="officer"),
    }


def test_part_of_a_name_finds_a_closed_case_in_plain_words(web, app, cases):
    sign_in(web, "supervisor")
    page = web.get("/cases?q=bell")
    assert page.status_code == 200
    shown = text(page.text)
    assert f"Showing 1{DASH}1 of 1 case matching “bell”" in shown
    assert cases["bell"] in shown and cases["smith"] not in shown
    assert "Closed" in shown and "Race" in shown and "Joseph Béll" in shown
    assert "4 March 2026, 09:00" in shown  # the UK date in full, local time
    assert searches(app) == ["q=bell"]
    by_postcode = text(web.get("/cases?q=ls62ab").text)
    assert cases["bell"] in by_postcode and cases["smith"] not in by_postcode
    assert searches(app) == ["q=bell", "q=ls62ab"]


def test_the_officer_holding_a_task_is_shown_by_name_and_filters_apply(web, cases):
    sign_in(web, "supervisor")
    shown = text(web.get("/cases?officer=officer").text)
    assert cases["smith"] in shown and cases["bell"] not in shown
    assert "Olivia Officer" in shown and f"Showing 1{DASH}1 of 1 case" in shown
    assert 'href="/cases"' in web.get("/cases").text  # "Cases" in the navigation
    assert cases["bell"] in text(web.get("/cases?status=closed").text)


def test_an_empty_result_says_what_to_try(web, cases):
    sign_in(web, "supervisor")
    shown = text(web.get("/cases?q=xyz").text)
    assert "No cases match “xyz”" in shown and "Try part of a name or a postcode" in shown


@pytest.mark.parametrize("typed", ["%", "_", "'", '"', "*", "%%'--"])
def test_only_symbols_is_a_clear_message_that_keeps_what_was_typed(web, app, cases, typed):
    sign_in(web, "supervisor")
    page = web.get("/cases", query_string={"q": typed})
    assert page.status_code == 422
    assert "has no letters or numbers to search for" in text(page.text)
    assert 'href="#q"' in page.text and 'aria-invalid="true"' in page.text
    assert re.search(r'id="q" name="q" value="([^"]*)"', page.text).group(1) == (
        typed.replace("'", "&#39;").replace('"', "&#34;")
    )
    api = web.get("/api/cases", query_string={"q": typed}, headers=token(web, "supervisor"))
    assert api.status_code == 422 and "no letters or numbers" in api.json["message"]


@pytest.mark.parametrize("typed", ["' OR 1=1 --", "bell%", "b_ll", '"bell" NEAR smith', "bell AND", "bell*"])
def test_sql_and_fts_operators_are_searched_as_words(web, cases, typed):
    sign_in(web, "supervisor")
    page = web.get("/cases", query_string={"q": typed})
    assert page.status_code == 200
    api = web.get("/api/cases", query_string={"q": typed}, headers=token(web, "supervisor"))
    assert api.status_code == 200
    found = {item["reference"] for item in api.json["items"]}
    assert cases["smith"] not in found or "smith" in typed or "1" in typed
    if typed in ("bell%", "bell*"):
        assert found == {cases["bell"]}
    if typed == "b_ll":
        assert found == {cases["bell"]}  # the words "b" and "ll": "_" matches no other case


def test_a_bad_date_is_shown_against_its_box_and_nothing_typed_is_lost(web, cases):
    sign_in(web, "supervisor")
    page = web.get("/cases?q=bell&from=31/02/2026&to=2026-03-01&status=closed")
    assert page.status_code == 422
    shown = text(page.text)
    assert "“31/02/2026” is not a date we understand" in shown
    assert 'href="#reported-from"' in page.text
    assert 'value="31/02/2026"' in page.text and 'value="bell"' in page.text
    assert '<option value="closed" selected>' in page.text
    backwards = web.get("/cases?from=2026-03-05&to=2026-03-01")
    assert backwards.status_code == 422 and "must be on or after" in text(backwards.text)
    uk = text(web.get("/cases?from=4/3/2026&to=4/3/2026").text)
    assert f"Showing 1{DASH}2 of 2 cases" in uk


def test_the_api_pages_filters_and_refuses_bad_values(web, app, cases):
    headers = token(web, "supervisor")
    body = web.get("/api/cases?per_page=1&sort=reference", headers=headers).json
    assert (body["total"], body["pages"], body["first"], body["last"]) == (2, 2, 1, 1)
    assert body["items"][0]["reference"] == min(cases.values())
    item = web.get("/api/cases?q=smith", headers=headers).json["items"][0]
    assert searches(app)[-1] == "q=smith"  # the API's searches are audited too
    assert item["officers"] == ["Olivia Officer"] and item["status_label"] == "Open"
    assert item["people"] == ["Anne Smith"]
    for bad in ("risk_level=extreme", "per_page=500", "page=0", "sort=name", "from=tomorrow", "scope=x"):
        response = web.get(f"/api/cases?{bad}", headers=headers)
        assert response.status_code == 422, bad
        assert list(response.json["errors"]) == [bad.split("=")[0]], bad
    assert "not a date we understand" in web.get("/api/cases?from=x", headers=headers).json["errors"]["from"]
    assert web.get("/api/cases?q=%25", headers=headers).json["errors"] == {
        "q": "“%” has no letters or numbers to search for. "
        "Try part of a name, an address, a postcode or a case reference."
    }
    assert web.get("/api/cases").status_code == 401


def test_recently_viewed_lists_the_cases_i_opened(web, cases):
    sign_in(web, "supervisor")
    assert "You have not opened any case yet" in text(web.get("/cases?scope=recent").text)
    assert web.get(f"/cases/{cases['smith']}").status_code == 200
    assert web.get(f"/cases/{cases['bell']}").status_code == 200
    shown = web.get("/cases?scope=recent").text
    assert shown.index(cases["bell"]) < shown.index(cases["smith"])  # the last opened first


def test_the_list_leaves_out_what_the_case_page_refuses(web, app, cases):
    with app.extensions["database"].session() as session:
        case = session.scalars(select(Case).where(Case.reference == cases["smith"])).one()
        with steps.case_step(session, now=T0, case=case) as step:
            step.case.restricted = True
            supervisor = session.scalars(select(User.id).where(User.username == "supervisor")).one()
            session.add(CaseAccess(case_id=case.id, user_id=supervisor, granted_by="t", granted_at=T0))
    manager = web.get("/api/cases", headers=token(web, "manager")).json["items"]
    assert {i["reference"] for i in manager} == {cases["bell"]}
    assert web.get(f"/api/cases/{cases['smith']}", headers=token(web, "manager")).status_code == 403
    supervisor_sees = web.get("/api/cases", headers=token(web, "supervisor")).json["items"]
    assert {i["reference"] for i in supervisor_sees} == set(cases.values())
    assert web.get("/api/cases", headers=token(web, "owner")).status_code == 403
    sign_in(web, "intake")
    assert web.get("/cases").status_code == 200


def test_the_command_rebuilds_an_emptied_index(web, app, cases):
    with app.extensions["database"].engine.begin() as connection:
        connection.execute(delete(CaseSearch))
    headers = token(web, "supervisor")
    assert web.get("/api/cases?q=bell", headers=headers).json["total"] == 0
    result = app.test_cli_runner().invoke(args=["search-index"])
    assert result.exit_code == 0 and "cases indexed for search: 2" in result.output
    assert [i["reference"] for i in web.get("/api/cases?q=bell", headers=headers).json["items"]] == [
        cases["bell"]
    ]
