"""Staff intake (/intake): a colleague records a report taken by phone, in person...; bad input is
named and linked to its field with everything typed kept; the case records who keyed it and
opens for them; the indicators count its incident types and locality."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import processes
from casework import localities, reports, steps
from db.models import AuditEvent, Case, Locality, TimelineEvent
from tests.webapp.test_api import token
from tests.webapp.test_report_never_lost import broken
from tests.webapp.test_supervision_pages import sign_in, text, web

__all__ = ["broken", "web"]


@pytest.fixture
def places(app: Flask) -> dict[str, int]:
    """The demo localities, by name: id."""
    with app.extensions["database"].session() as session:
        with steps.unit_of_work(session, now=processes.clock.now()):
            localities.seed_demo(session, now=processes.clock.now())
        return {row.name: row.id for row in session.scalars(select(Locality))}


def good(places: dict[str, int], **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "channel": "phone",
        "reporter_name": "Joseph Bell",
        "reporter_phone": "0113 496 0000",
        "reporter_email": "",
        "description": "A neighbour shouted racist abuse at Mr Bell on the stairs again.",
        "occurred_date": "01/12/2026",
        "occurred_time": "19:15",
        "location": "14 Oak Court, Leeds LS9 8AB",
        "locality": str(places["Riverside Estate"]),
        "incident_types": ["verbal_abuse", "harassment"],
        "strands": ["race"],
        "parties-0-role": "victim",
        "parties-0-name": "Joseph Bell",
        "parties-0-relation": "tenant",
        "parties-0-tenure": "general_needs",
        "parties-0-address": "14 Oak Court, Leeds LS9 8AB",
        "parties-0-phone": "",
        "parties-1-role": "alleged_perpetrator",
        "parties-1-name": "Kevin Stone",
        "parties-1-relation": "tenant",
        "parties-1-tenure": "",
        "parties-1-address": "16 Oak Court",
        "parties-1-phone": "",
    }
    form.update(changes)
    return form


def cases(app: Flask) -> list[Case]:
    with app.extensions["database"].session() as session:
        found = list(session.scalars(select(Case).order_by(Case.id)))
        for case in found:
            _ = case.parties, case.keyed_by
        return found


def error_links(page: str) -> dict[str, str]:
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary, "no error summary"
    return {
        anchor: html.unescape(words)
        for anchor, words in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))
    }


def test_a_phone_report_keyed_by_intake_opens_a_case_they_can_open(app, web, places):
    sign_in(web, "intake")
    page = web.get("/intake")
    assert page.status_code == 200
    assert "Out-of-hours line" in page.text and "Riverside Estate" in page.text
    assert 'href="/intake"' in page.text  # in the navigation

    done = web.post("/intake", data=good(places))
    assert done.status_code == 303, done.text
    reference = done.headers["Location"].rsplit("/", 1)[-1]
    [case] = cases(app)
    assert case.reference == reference
    assert (case.channel, case.locality, case.locality_id) == (
        "phone",
        "Riverside Estate",
        places["Riverside Estate"],
    )
    assert case.incident_types == ["verbal_abuse", "harassment"]
    assert case.keyed_by is not None and case.keyed_by.username == "intake"
    assert case.reporter_name == "Joseph Bell" and case.status == "open"
    assert [(p.role, p.name, p.relation, p.tenure) for p in case.parties] == [
        ("victim", "Joseph Bell", "tenant", "general_needs"),
        ("alleged_perpetrator", "Kevin Stone", "tenant", None),
    ]
    assert case.occurred_at is not None and case.occurred_at.isoformat() == "2026-12-01T19:15:00+00:00"

    # Listed on the form page for going back to it, and not for a colleague who did not key it.
    listed = text(web.get("/intake").text)
    assert f"Reports you recorded recently {reference} : Phone (office hours)," in listed
    assert listed.endswith(
        "In an emergency, call 999 . To report to the police when it is not an emergency, call 101 ."
    )
    assert "for Joseph Bell" in listed

    # The intake colleague is not in the case's team, yet opens the case they recorded.
    shown = web.get(f"/cases/{reference}")
    assert shown.status_code == 200, shown.text
    words = text(shown.text)
    assert "Recorded by Ian Intake, for Joseph Bell" in words
    assert "Phone (office hours)" in words and "Riverside Estate" in words
    with app.extensions["database"].session() as session:
        opened = session.scalars(
            select(TimelineEvent).where(TimelineEvent.case_id == case.id, TimelineEvent.kind == "opened")
        ).one()
        assert "keyed by Ian Intake for Joseph Bell" in opened.summary
        assert opened.actor == "Ian Intake"
        edit = session.scalars(select(AuditEvent).where(AuditEvent.action == "edit")).all()
        assert [e.username for e in edit] == ["intake"]


def test_without_keying_it_the_intake_colleague_is_refused_the_case(app, web, places):
    """The 403 the keyed_by rule lifts: a public report's case stays closed to intake staff."""
    web.post(
        "/report",
        data={
            "description": "Abuse shouted at my door every evening this week.",
            "location": "3 Elm Walk LS6 1AA",
            "strands": ["race"],
        },
    )
    [case] = cases(app)
    assert case.keyed_by_id is None
    assert case.locality == "Hillside Ward"  # from its postcode: LS6 is listed by Hillside Ward
    sign_in(web, "intake")
    assert web.get(f"/cases/{case.reference}").status_code == 403
    assert "Reports you recorded recently" not in web.get("/intake").text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"channel": ""}, "channel", "Choose how the report reached us."),
        ({"channel": "carrier_pigeon"}, "channel", "Choose how the report reached us."),
        ({"occurred_date": "31/02/2026"}, "occurred_date", "Date must be a real date"),
        ({"occurred_time": "25:61"}, "occurred_time", "Enter a time on the 24-hour clock"),
        ({"locality": "999999"}, "locality", "Choose a locality from the list"),
        ({"locality": "Narnia"}, "locality", "Choose a locality from the list"),
        ({"parties-1-role": ""}, "parties-1-role", "Person 2: Choose this person's role"),
        ({"parties-0-relation": "landlord"}, "parties-0-relation", "Person 1: Choose the person's relation"),
        ({"incident_types": []}, "incident_types", "Choose at least one type of incident."),
        ({"incident_types": ["meteor"]}, "incident_types", "Choose at least one type of incident."),
        ({"strands": []}, "strands", "Choose at least one reason"),
        ({"description": "short"}, "description", "Say what happened, in at least 10 characters"),
        ({"location": ""}, "location", "Say where it happened"),
        ({"reporter_email": "not an email"}, "reporter_email", "Enter an email address like"),
    ],
)
def test_bad_input_is_named_linked_to_its_field_and_everything_typed_is_kept(
    app, web, places, changes, field, message
):
    sign_in(web, "intake")
    form = good(places, **changes)
    response = web.post("/intake", data=form)
    assert response.status_code == 422
    links = error_links(response.text)
    assert list(links) == [field], links
    assert links[field].startswith(message)
    assert f'id="{field}"' in response.text  # the link lands on the field
    assert re.search(rf'id="{field}-error"', response.text)  # and the message is by it
    page = html.unescape(response.text)
    for name in ("reporter_name", "reporter_phone", "location", "occurred_time"):
        if name not in changes:
            assert f'value="{form[name]}"' in page, name
    assert form["description"] in page or "description" in changes
    assert 'value="Kevin Stone"' in page and 'value="16 Oak Court"' in page
    assert re.search(r'value="verbal_abuse"\s+checked', page) or "incident_types" in changes
    if "locality" not in changes:
        assert f'<option value="{places["Riverside Estate"]}" selected>' in page
    assert cases(app) == []  # nothing saved


def test_people_rows_are_added_and_removed_without_javascript(app, web, places):
    sign_in(web, "intake")
    form = good(places)
    added = web.post("/intake/people", data={**form, "add_party": "1"})
    assert added.status_code == 200
    assert 'name="parties-2-role"' in added.text and "Person 3" in added.text
    assert 'value="Kevin Stone"' in added.text
    removed = web.post("/intake/people", data={**form, "remove_party": "0"})
    assert removed.status_code == 200
    assert 'name="parties-1-role"' not in removed.text
    assert 'value="Kevin Stone"' in removed.text and 'value="Joseph Bell"' in removed.text  # the reporter
    assert removed.text.count('value="Joseph Bell"') == 1  # the victim row went
    assert cases(app) == []
    with app.extensions["database"].session() as session:  # changing rows is no edit
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "edit")).all() == []


def test_an_empty_people_row_is_ignored(app, web, places):
    sign_in(web, "intake")
    form = good(places, **{f"parties-2-{name}": "" for name in ("role", "name", "relation")})
    assert web.post("/intake", data=form).status_code == 303
    assert len(cases(app)[0].parties) == 2


def test_a_deactivated_locality_is_not_offered_nor_accepted(app, web, places):
    with (
        app.extensions["database"].session() as session,
        steps.unit_of_work(session, now=processes.clock.now()) as step,
    ):
        localities.set_active(step, places["Town Centre"], False)
    sign_in(web, "intake")
    assert "Town Centre" not in web.get("/intake").text
    response = web.post("/intake", data=good(places, locality=str(places["Town Centre"])))
    assert response.status_code == 422 and "locality" in error_links(response.text)


def test_the_postcode_finds_the_locality_when_none_is_chosen(app, web, places):
    sign_in(web, "officer")
    assert (
        web.post("/intake", data=good(places, locality="", location="2 High St, LS1 4AP")).status_code == 303
    )
    assert cases(app)[0].locality == "Town Centre"


def test_indicators_show_the_incident_types_and_locality_of_staff_intake(app, web, places):
    sign_in(web, "intake")
    # Two victims: a second report by the same victim would be another incident on the open case.
    other = {"reporter_name": "Priya Shah", "parties-0-name": "Priya Shah", "reporter_phone": "0113 496 0001"}
    other |= {"location": "3 Hill Rise, Leeds LS10 1AA", "parties-0-address": "3 Hill Rise, Leeds LS10 1AA"}
    for place, kinds, who in (
        ("Riverside Estate", ["verbal_abuse"], {}),
        ("Hillside Ward", ["graffiti", "verbal_abuse"], other),
    ):
        form = good(places, locality=str(places[place]), incident_types=kinds, **who)
        assert web.post("/intake", data=form).status_code == 303
    web.post("/logout")
    sign_in(web, "manager")
    page = text(web.get("/dashboards/indicators").text)
    by_locality = page[
        page.index("Locality Cases % of 2 cases") : page.index("New cases by locality” as CSV")
    ]
    by_type = page[page.index("Incident type Cases % of 2 cases") : page.index("incident type” as CSV")]
    assert "Not recorded" not in by_locality + by_type
    assert "Hillside Ward 1 50.0" in by_locality and "Riverside Estate 1 50.0" in by_locality
    assert "Verbal abuse 2 100.0" in by_type and "Offensive graffiti or fly posting 1 50.0" in by_type


def test_other_roles_cannot_reach_staff_intake(web, places):
    sign_in(web, "owner")
    assert web.get("/intake").status_code == 403
    assert web.post("/intake", data=good(places)).status_code == 403


def test_a_staff_report_is_kept_when_its_process_cannot_start(app, web, places, broken):
    """The same path as a public report: a broken diagram keeps the report as a case that could
    not start, still recording who keyed it, who then opens it."""
    sign_in(web, "intake")
    done = web.post("/intake", data=good(places))
    assert done.status_code == 303
    [case] = cases(app)
    assert case.status == reports.NOT_STARTED and "ZeroDivisionError" in (case.step_failure or "")
    assert case.keyed_by is not None and case.keyed_by.username == "intake"
    assert (case.locality, case.incident_types) == ("Riverside Estate", ["verbal_abuse", "harassment"])
    assert web.get(f"/cases/{case.reference}").status_code == 200


def test_a_corrected_locality_on_the_list_points_the_case_to_it(app, web, places):
    sign_in(web, "intake")
    assert web.post("/intake", data=good(places)).status_code == 303
    reference = cases(app)[0].reference
    headers = token(web, "officer")
    moved = web.patch(f"/api/cases/{reference}", headers=headers, json={"locality": "hillside ward"})
    assert moved.status_code == 200, moved.json
    assert (cases(app)[0].locality, cases(app)[0].locality_id) == ("Hillside Ward", places["Hillside Ward"])
    typed = web.patch(f"/api/cases/{reference}", headers=headers, json={"locality": "Somewhere else"})
    assert typed.status_code == 200
    assert (cases(app)[0].locality, cases(app)[0].locality_id) == ("Somewhere else", None)


def test_the_intake_colleagues_inbox_says_what_intake_does_and_where_to_start(web: FlaskClient) -> None:
    """The diagram offers intake no task: their inbox says why and links to recording a report,
    where an officer's empty inbox would say "All caught up"."""
    sign_in(web, "intake")
    page = web.get("/").get_data(as_text=True)
    assert "No tasks are waiting for intake" in text(page)
    assert 'href="/intake"' in page and 'href="/cases"' in page
    web.post("/logout")
    sign_in(web, "officer")
    assert "No tasks are waiting for intake" not in text(web.get("/").get_data(as_text=True))
