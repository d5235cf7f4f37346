"""The case file page (issue 15): its sections in plain words, and every action on it (add a
person, log an incident, a complaint, a case-review request, correct the facts, link, hold,
cancel as a duplicate), each with its bad input coming back with messages linked to the fields
and nothing typed lost; and the same actions through the API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import processes
from db.models import AuditEvent, Case, CaseLink, Party, TimelineEvent
from tests.bpmn.walk import FIRST_RESPONSE, LOW_RISK, REPORTED, Walk
from tests.consent_cases import report_case
from tests.webapp.test_api import token
from tests.webapp.test_supervision_pages import section, sign_in, text


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


@pytest.fixture
def case(app: Flask) -> str:
    return report_case(app.extensions["database"])


def _db(app: Flask):
    return app.extensions["database"]


def _timeline(app: Flask, reference: str) -> list[str]:
    with _db(app).session() as session:
        case_id = session.scalars(select(Case.id).where(Case.reference == reference)).one()
        return list(
            session.scalars(
                select(TimelineEvent.summary)
                .where(TimelineEvent.case_id == case_id)
                .order_by(TimelineEvent.id)
            )
        )


def _page(web: FlaskClient, reference: str) -> str:
    answer = web.get(f"/cases/{reference}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _refused(answer, form: str, field: str, message: str) -> str:
    """The case page again (422), with ``message`` in the summary linked to the field, the field
    marked invalid, and the form open."""
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "There is a problem" in page
    assert f'href="#{form}-{field}"' in page
    assert message in text(page)
    assert f'id="{form}-form-details" open' in page
    return page


# The page


def test_the_case_file_has_its_sections_a_contents_list_and_plain_words(app, web, case):
    walk = Walk(_db(app), case)
    walk.through_support()
    sign_in(web, "officer")
    page = _page(web, case)
    contents = text(page[page.index('id="contents"') :][:2000])
    for heading in (
        "Where the case stands",
        "The report",
        "Risk",
        "People involved",
        "Linked cases",
        "Timeline",
    ):
        assert heading in contents
    for anchor in (
        "open-tasks",
        "report",
        "risk",
        "parties",
        "consent",
        "referrals",
        "links",
        "record",
        "timeline",
    ):
        assert f'id="{anchor}"' in page
    stands = text(section(page, "open-tasks"))
    assert "Keep in contact with the victim" in stands or "Deadlines running" in stands
    assert "Contact due (by risk level):" in stands and "2026," in stands
    assert "Another incident" in stands and "A contact with the victim" in stands
    assert "Risk level low" in text(section(page, "risk"))
    assert "<!-- " not in section(page, "timeline")
    # UK dates with the month in words
    assert "2 March 2026, 09:00" in text(section(page, "timeline"))


def test_codes_read_as_words_and_holders_by_name(app, web, case):
    walk = Walk(_db(app), case)
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", LOW_RISK)
    walk.do(
        "support",
        {
            "support_measures": ["cctv", "target_hardening"],
            "support_agencies": ["victim_support_service"],
            "support_consent": True,
        },
    )
    sign_in(web, "officer")
    web.post(f"/api/tasks/{walk.task_id('keep_in_contact')}/claim", headers=token(web))
    page = _page(web, case)
    assert (
        "Support agreed: referred with consent to Victim Support; measures: CCTV, Target hardening"
        in text(section(page, "timeline"))
    )
    assert "Support: Victim Support: referred" in text(section(page, "referrals"))
    assert "victim_support_service" not in text(page) and "target_hardening" not in text(page)
    assert "taken by Olivia Officer" in text(section(page, "open-tasks"))


# Log an incident, a case-review request, a complaint


def test_an_incident_logged_on_the_page_reaches_the_process_and_the_timeline(app, web, case):
    sign_in(web, "officer")
    answer = web.post(f"/cases/{case}/incidents", data={"incident-details": "Eggs thrown at the window"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/cases/{case}#timeline")
    assert "Another incident reported: Eggs thrown at the window" in _timeline(app, case)
    assert "Log the new incident and reassess the risk" in text(section(_page(web, case), "open-tasks"))


def test_an_empty_incident_comes_back_with_its_message(app, web, case):
    sign_in(web, "officer")
    before = _timeline(app, case)
    _refused(
        web.post(f"/cases/{case}/incidents", data={"incident-details": "  "}),
        "incident",
        "details",
        "Enter what happened.",
    )
    page = _refused(
        web.post(f"/cases/{case}/incidents", data={"incident-details": "Egg"}),
        "incident",
        "details",
        "5 characters or more",
    )
    assert ">Egg</textarea>" in page
    assert _timeline(app, case) == before


def test_a_case_review_request_and_a_complaint_from_the_page(app, web, case):
    sign_in(web, "officer")
    answer = web.post(
        f"/cases/{case}/case-review-requests", data={"case_review-details": "Victim asked for a review"}
    )
    assert answer.status_code == 303
    answer = web.post(
        f"/cases/{case}/complaints",
        data={
            "complaint-complainant": "victim",
            "complaint-complainant_name": "Amira Khan",
            "complaint-about": ["delay", "communication"],
            "complaint-details": "Nobody rang me back",
        },
    )
    assert answer.status_code == 303
    lines = _timeline(app, case)
    assert "ASB Case Review requested: Victim asked for a review" in lines
    assert any(
        line.startswith("Complaint about the handling of the case from the victim, Amira Khan")
        for line in lines
    )


def test_a_complaint_with_missing_answers_keeps_what_was_typed(app, web, case):
    sign_in(web, "officer")
    page = _refused(
        web.post(
            f"/cases/{case}/complaints",
            data={
                "complaint-complainant": "",
                "complaint-about": ["delay"],
                "complaint-details": "Kept words",
            },
        ),
        "complaint",
        "complainant",
        "Choose who complained",
    )
    assert ">Kept words</textarea>" in page and 'value="delay" checked' in page


def test_a_closed_case_refuses_an_incident_in_words(app, web, case):
    sign_in(web, "officer")
    other = report_case(_db(app), description="Same thing again")
    web.post(
        f"/cases/{case}/duplicate", data={"duplicate-other": other, "duplicate-reason": "Reported twice"}
    )
    answer = web.post(f"/cases/{case}/incidents", data={"incident-details": "Eggs thrown at the window"})
    assert answer.status_code == 422
    assert f"Not done: Case {case} is closed. A new report opens a new case" in text(
        answer.get_data(as_text=True)
    )
    assert not any("Eggs thrown" in line for line in _timeline(app, case))


# Correct the facts


def test_correcting_the_facts_needs_a_reason_for_the_motivation(app, web, case):
    sign_in(web, "officer")
    page = _refused(
        web.post(
            f"/cases/{case}/details",
            data={
                "details-strands": ["race", "religion_or_belief"],
                "details-incident_types": ["verbal_abuse"],
                "details-reason": "",
            },
        ),
        "details",
        "reason",
        "needs a reason",
    )
    assert 'value="religion_or_belief" checked' in page
    _refused(
        web.post(f"/cases/{case}/details", data={"details-reason": "x"}),
        "details",
        "strands",
        "cannot be removed",
    )
    answer = web.post(
        f"/cases/{case}/details",
        data={
            "details-strands": ["race", "religion_or_belief"],
            "details-incident_types": ["verbal_abuse"],
            "details-locality": "Riverside",
            "details-reason": "The victim told us the abuse was also about her faith",
        },
    )
    assert answer.status_code == 303
    with _db(app).session() as session:
        row = session.scalars(select(Case).where(Case.reference == case)).one()
        assert (row.strands, row.incident_types, row.locality) == (
            ["race", "religion_or_belief"],
            ["verbal_abuse"],
            "Riverside",
        )
    report = text(section(_page(web, case), "report"))
    assert "Race, Religion or belief (first perceived: Race)" in report and "Verbal abuse" in report


# People


def test_adding_a_person_with_needs_and_bad_fields(app, web, case):
    sign_in(web, "officer")
    page = _refused(
        web.post(
            f"/cases/{case}/people",
            data={
                "person-role": "witness",
                "person-name": "Dee Evans",
                "person-email": "dee-at-example",
                "person-phone": "call me",
            },
        ),
        "person",
        "email",
        "Enter an email address like name@example.org.",
    )
    assert 'value="Dee Evans"' in page and 'value="dee-at-example"' in page and 'href="#person-phone"' in page
    answer = web.post(
        f"/cases/{case}/people",
        data={
            "person-role": "witness",
            "person-name": "Dee Evans",
            "person-relation": "tenant",
            "person-phone": "07700 900456",
            "person-communication_needs": "British Sign Language interpreter",
        },
    )
    assert answer.status_code == 303
    people = text(section(_page(web, case), "parties"))
    assert "Witness : Dee Evans Tenant" in people
    assert "Communication needs British Sign Language interpreter" in people
    assert "Added witness: Dee Evans" in _timeline(app, case)


# Links, hold, duplicates


def test_cases_linked_on_the_page_show_both_ways(app, web, case):
    other = report_case(_db(app), description="Carl Price again, at number 6")
    sign_in(web, "officer")
    page = _refused(
        web.post(
            f"/cases/{case}/links",
            data={"link-other": "HC-2026-999999", "link-kind": "same_victim", "link-reason": "Same road"},
        ),
        "link",
        "other",
        "There is no case HC-2026-999999",
    )
    assert 'value="HC-2026-999999"' in page and ">Same road</textarea>" in page
    answer = web.post(
        f"/cases/{case}/links",
        data={"link-other": other, "link-kind": "same_perpetrator", "link-reason": "Carl Price both times"},
    )
    assert answer.status_code == 303
    assert f"{other} : same alleged perpetrator" in text(section(_page(web, case), "links"))
    assert f"{case} : same alleged perpetrator" in text(section(_page(web, other), "links"))
    with _db(app).session() as session:
        assert (
            session.scalars(select(AuditEvent).where(AuditEvent.action == "case-linked")).one().username
            == "officer"
        )


def test_a_hold_with_a_review_date_and_off_again(app, web, case):
    sign_in(web, "officer")
    _refused(
        web.post(f"/cases/{case}/hold", data={"hold-reason": "Victim abroad", "hold-review_on": "next week"}),
        "hold",
        "review_on",
        "Enter the date to review the hold as a date",
    )
    assert (
        web.post(
            f"/cases/{case}/hold", data={"hold-reason": "Victim abroad", "hold-review_on": "2030-01-31"}
        ).status_code
        == 303
    )
    page = _page(web, case)
    assert "On hold until 31 January 2030: Victim abroad" in text(page)
    assert "Review due" not in text(section(page, "links"))
    with processes.clock.frozen_at(datetime(2030, 1, 31, 9, 0, tzinfo=UTC)):  # 9:00 in London
        sign_in(web, "officer")  # years on: a new session
        assert "On hold until 31 January 2030 Review due : Victim abroad" in text(
            section(_page(web, case), "links")
        )
    sign_in(web, "officer")
    assert web.post(f"/cases/{case}/hold/end", data={"unhold-note": "Back home"}).status_code == 303
    assert "On hold" not in text(section(_page(web, case), "links"))
    assert "Taken off hold: Back home" in _timeline(app, case)


def test_a_duplicate_cancelled_on_the_page_moves_its_incident_and_ends_its_tasks(app, web, case):
    duplicate = report_case(_db(app), description="Shouting at number 4, reported again by a neighbour")
    sign_in(web, "officer")
    _refused(
        web.post(
            f"/cases/{duplicate}/duplicate", data={"duplicate-other": duplicate, "duplicate-reason": "Same"}
        ),
        "duplicate",
        "other",
        "cannot be linked to itself",
    )
    answer = web.post(
        f"/cases/{duplicate}/duplicate", data={"duplicate-other": case, "duplicate-reason": "Same incident"}
    )
    assert answer.status_code == 303
    page = _page(web, duplicate)
    assert f"Closed as a duplicate of {case}" in text(
        page
    ) or f"Closed as a duplicate of case {case}" in text(page)
    assert "The case is closed; there is nothing left to do." in text(section(page, "open-tasks"))
    assert 'id="record"' not in page  # nothing more to record on a closed case
    lines = _timeline(app, duplicate)
    assert "Task withdrawn: Make the first response" in lines and "Case closed" in lines
    moved = text(section(_page(web, case), "timeline"))
    assert "Shouting at number 4, reported again by a neighbour" in moved
    assert f"{duplicate} : a duplicate of this case" in text(section(_page(web, case), "links"))


# The API does the same


def test_the_api_links_holds_adds_people_and_cancels_duplicates(app, web, case):
    headers = token(web)
    other = report_case(_db(app), description="Another report of the same")
    answer = web.post(
        f"/api/cases/{case}/links", json={"other": other, "kind": "nope", "reason": ""}, headers=headers
    )
    assert answer.status_code == 422 and set(answer.json["errors"]) == {"kind", "reason"}
    answer = web.post(
        f"/api/cases/{case}/links",
        json={"other": other, "kind": "same_address", "reason": "Birch Close"},
        headers=headers,
    )
    assert answer.status_code == 201 and answer.json[0]["reference"] == other
    assert web.get(f"/api/cases/{other}/links", headers=headers).json[0]["reference"] == case
    answer = web.put(
        f"/api/cases/{case}/hold",
        json={"reason": "Awaiting police", "review_on": "2030-02-01"},
        headers=headers,
    )
    assert answer.status_code == 200 and answer.json["reason"] == "Awaiting police"
    assert (
        web.put(
            f"/api/cases/{case}/hold", json={"reason": "Again", "review_on": "2030-02-01"}, headers=headers
        ).status_code
        == 409
    )
    assert web.post(f"/api/cases/{case}/hold/end", json={}, headers=headers).status_code == 200
    answer = web.post(f"/api/cases/{case}/people", json={"role": "witness", "name": "Eve"}, headers=headers)
    assert answer.status_code == 201 and answer.json["name"] == "Eve"
    answer = web.post(
        f"/api/cases/{other}/duplicate", json={"other": case, "reason": "Same incident"}, headers=headers
    )
    assert answer.status_code == 200 and answer.json == {
        "reference": other,
        "status": "closed",
        "duplicate_of": case,
    }
    assert (
        web.post(
            "/api/cases/HC-2026-999999/duplicate", json={"other": case, "reason": "Same"}, headers=headers
        ).status_code
        == 404
    )
    with _db(app).session() as session:
        assert session.scalars(select(CaseLink.kind).order_by(CaseLink.id)).all() == ["duplicate_of"]
        assert session.scalars(select(Party.name).where(Party.name == "Eve")).one() == "Eve"


def test_intake_staff_may_not_use_the_case_file_actions(app, web, case):
    sign_in(web, "intake")
    assert web.post(f"/cases/{case}/links", data={"link-other": case}).status_code == 403
    assert web.post(f"/cases/{case}/duplicate", data={}).status_code == 403


def test_the_task_page_puts_the_form_first_and_names_the_holder(app, web, case):
    walk = Walk(_db(app), case)
    task_id = walk.task_id("first_response")
    sign_in(web, "officer")
    assert web.post(f"/tasks/{task_id}/claim").status_code in (302, 303)
    page = web.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert page.index('id="task-form"') < page.index('class="layout__side case-summary"')
    sign_in(web, "supervisor")
    page = web.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Olivia Officer has taken this task" in text(page)
    assert "Assigned to Olivia Officer" in text(page)


def test_a_case_review_recommendation_is_tracked_from_the_page(app, web, case):
    sign_in(web, "officer")
    page = _refused(
        web.post(
            f"/cases/{case}/case-review-actions",
            data={
                "review_action-recommendation": "Fit CCTV",
                "review_action-owner": "",
                "review_action-due_on": "soon",
            },
        ),
        "review_action",
        "due_on",
        "Enter the due date",
    )
    assert ">Fit CCTV</textarea>" in page
    _refused(
        web.post(
            f"/cases/{case}/case-review-actions",
            data={
                "review_action-recommendation": "Fit CCTV",
                "review_action-owner": "",
                "review_action-due_on": "2030-01-31",
            },
        ),
        "review_action",
        "owner",
        "Choose the team that owns it",
    )
    answer = web.post(
        f"/cases/{case}/case-review-actions",
        data={
            "review_action-recommendation": "Fit CCTV at the front door",
            "review_action-owner": "community-safety",
            "review_action-due_on": "2030-01-31",
        },
    )
    assert answer.status_code == 303
    assert any("Fit CCTV at the front door" in line for line in _timeline(app, case))
