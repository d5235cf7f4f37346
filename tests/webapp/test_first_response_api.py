"""Issue 14, point 1, through the real app: a first response that reached nobody, completed over
the API, is recorded as an attempt, the task is offered again and the 24-hour indicator does not
count it; the attempt that reaches the reporter does count."""

from __future__ import annotations

from tests.bpmn.walk import FIRST_RESPONSE
from tests.webapp.test_api import token
from tests.webapp.test_lifecycle_api import start


def first_response_figures(client) -> dict[str, int]:
    figures = client.get("/api/indicators", headers=token(client, "manager")).json["first_response"]
    return {key: figures[key] for key in ("met", "missed", "pending")}


def test_a_first_response_that_reached_nobody_is_offered_again_and_not_counted(client):
    officer = start(client)
    officer.do(
        "first_response",
        {**FIRST_RESPONSE, "contact_made": False, "response_notes": "Rang twice, no answer."},
    )
    case = officer.case()
    assert [t["name"] for t in case["open_tasks"]] == ["first_response"]  # offered again
    assert case["first_response_breached_at"] is None  # the 24 hours are still running
    assert "the reporter was not reached; the 24 hours keep running" in str(case["timeline"])
    assert first_response_figures(client) == {"met": 0, "missed": 0, "pending": 1}

    officer.do("first_response", FIRST_RESPONSE)
    assert [t["name"] for t in officer.case()["open_tasks"]] == ["police_referral"]
    assert first_response_figures(client) == {"met": 1, "missed": 0, "pending": 0}
