"""Anonymised case studies (policy 11.3): a supervisor writes one from a closed case; it is
refused while it names or locates anyone or gives an exact date, and the annual report includes
it once approved."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from db.models import CaseStudy
from tests.webapp.test_pages import sign_in, text
from tests.webapp.test_reporters import rows, send
from tests.webapp.test_surveys import walk_to_closure

NAMING = (
    "Jo Bloggs was shouted at outside Oak Court on 27 March 2026 and the abusers spat at the door. "
    "Call 07700 900123 or write to M1 2AB."
)
ANONYMISED = (
    "A tenant was racially abused outside their home and their door was spat at. We visited the next "
    "day, installed a camera, and worked with the police; the abuse stopped within three months."
)


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def study_form(title: str, body: str, approve: bool = True) -> dict[str, str]:
    return {"study-title": title, "study-text": body, **({"approve": "true"} if approve else {})}


def test_a_study_naming_the_victim_is_refused_and_accepted_once_anonymised(
    app: Flask, web: FlaskClient
) -> None:
    reference = walk_to_closure(app, web, contact_methods=["email"])
    web.post("/logout")
    sign_in(web, "supervisor")
    assert "Write or edit an anonymised case study" in text(web.get(f"/cases/{reference}"))
    path = f"/cases/{reference}/case-study"
    assert web.get(path).status_code == 200
    refused = web.post(path, data=study_form(f"Abuse at Oak Court ({reference})", NAMING))
    assert refused.status_code == 422
    words = text(refused)
    for named in (
        "the name “Jo Bloggs”",
        "the name “Bloggs”",
        "the address “Oak Court”",
        "the date “27 March”",
        "the phone number “07700 900123”",
        "the postcode “M1 2AB”",
    ):
        assert named in words, named
    assert "the case reference" in words  # in the title
    assert 'href="#study-text"' in refused.text and 'href="#study-title"' in refused.text
    assert "spat at the door" in refused.text  # what was typed is kept
    assert rows(app, CaseStudy) == []
    taken = web.post(path, data=study_form("Racist abuse at a family's home ended", ANONYMISED))
    assert taken.status_code == 303
    [study] = rows(app, CaseStudy)
    assert study.approved and study.updated_by == "Sam Supervisor"
    assert "Anonymised case study approved for the annual report" in text(web.get(f"/cases/{reference}"))
    today = datetime.now(UTC).date()
    year = today.year if today.month >= 4 else today.year - 1
    web.post("/logout")
    sign_in(web, "manager")
    report = text(web.get(f"/dashboards/annual?year={year}"))
    assert "Racist abuse at a family's home ended" in report and "installed a camera" in report
    headline = web.get(f"/dashboards/annual/headline.csv?year={year}").text
    [row] = [line for line in headline.splitlines() if "from officers' records" in line]
    assert row.split(",")[-3:-1] == ["1", "0"]  # this year's closed case, as the officer recorded it


def test_a_draft_is_not_in_the_annual_report_and_an_open_case_cannot_be_a_study(
    app: Flask, web: FlaskClient
) -> None:
    reference = walk_to_closure(app, web, contact_methods=["email"])
    open_case, _ = send(web)
    web.post("/logout")
    sign_in(web, "supervisor")
    draft = web.post(f"/cases/{reference}/case-study", data=study_form("A draft story", ANONYMISED, False))
    assert draft.status_code == 303
    assert [s.approved for s in rows(app, CaseStudy)] == [False]
    today = datetime.now(UTC).date()
    year = today.year if today.month >= 4 else today.year - 1
    report = text(web.get(f"/dashboards/annual?year={year}"))
    assert "A draft story" not in report and "No anonymised case study was approved" in report
    refused = web.post(f"/cases/{open_case}/case-study", data=study_form("Too soon", ANONYMISED))
    assert refused.status_code == 422 and "Only a closed case can become a case study." in text(refused)
    short = web.post(f"/cases/{reference}/case-study", data=study_form("", "Too short"))
    assert short.status_code == 422
    assert "Enter a title for the case study." in text(short)
    assert re.search(r"Write the case study in 50 to 5,000 characters", text(short))


def test_only_supervisors_write_case_studies(app: Flask, web: FlaskClient) -> None:
    reference = walk_to_closure(app, web, contact_methods=["email"])
    sign_in(web, "officer")
    assert web.get(f"/cases/{reference}/case-study").status_code == 403
    assert web.post(f"/cases/{reference}/case-study", data=study_form("T", ANONYMISED)).status_code == 403
    assert "Write or edit an anonymised case study" not in text(web.get(f"/cases/{reference}"))
    assert rows(app, CaseStudy) == []
