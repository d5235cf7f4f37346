"""Flood protection of the anonymous ways in (issue 12, points 3 and 8), through the real app on
the test's own database (SQLite, or PostgreSQL with --postgres): the rate limits at their real
defaults, the spam trap, the cap on acknowledgement emails, and deeply nested JSON."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework import settings as config
from db import Database
from db.models import AuditEvent, Case, OutboxMessage, Task
from webapp import create_app

FORM = {
    "description": "A neighbour shouted racist abuse at me <b>again</b> & spat at my door.",
    "location": "Oak Court, Riverside Estate",
    "strands": ["race"],
    "reporter_email": "jo@example.com",
}
JSON_REPORT = {
    "description": "Abuse shouted at my door again",
    "location": "1 Elm Road",
    "strands": ["race"],
    "reporter_email": "me@example.org",
}


# The real defaults (tests/conftest.py sets the environment's out of the other tests' way).
DEFAULTS = {
    "REPORT_LIMIT_PER_ADDRESS": config.REPORT_LIMIT_PER_ADDRESS,
    "REPORT_LIMIT_OVERALL": config.REPORT_LIMIT_OVERALL,
    "ACKNOWLEDGEMENTS_PER_ADDRESS": config.ACKNOWLEDGEMENTS_PER_ADDRESS,
}


def make_app(db_url: str, **settings: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "TIMERS": "off",
            **DEFAULTS,
            **settings,
        }
    )


@pytest.fixture
def flood_app(db_url: str) -> Iterator[Flask]:
    """The app with the real default limits (no override)."""
    app = make_app(db_url)
    yield app
    app.extensions["database"].dispose()


def text(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def count(database: Database, model: Any) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def from_address(address: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_the_form_from_one_address_is_limited_with_the_phone_numbers_and_the_typed_text(
    flood_app: Flask, database: Database
) -> None:
    web = flood_app.test_client()
    for _ in range(5):  # the default: 5 in 10 minutes from one address
        assert web.post("/report", data=FORM, **from_address("203.0.113.7")).status_code == 303
    for _ in range(3):  # looking at the form is not counted
        assert web.get("/report", **from_address("203.0.113.7")).status_code == 200
    refused = web.post("/report", data=FORM, **from_address("203.0.113.7"))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    page = text(refused)
    assert "Your report was not sent" in page
    assert "0300 111 0000" in page and "0800 633 5500" in page
    assert FORM["description"] in page  # what was typed, to keep
    assert "<b>again</b>" not in refused.text and "&lt;b&gt;again&lt;/b&gt;" in refused.text  # escaped
    assert count(database, Case) == 5
    # Another address (another library, another office) still gets through.
    assert web.post("/report", data=FORM, **from_address("198.51.100.20")).status_code == 303
    assert count(database, Case) == 6


def test_a_form_sent_back_with_errors_does_not_count(flood_app: Flask) -> None:
    web = flood_app.test_client()
    for _ in range(8):  # a person correcting their mistakes is not stopped by them
        assert web.post("/report", data={**FORM, "description": "short"}).status_code == 422
    for _ in range(5):
        assert web.post("/report", data=FORM).status_code == 303
    assert web.post("/report", data=FORM).status_code == 429


def test_a_report_sent_page_by_page_counts_once_and_over_the_limit_keeps_its_answers(
    flood_app: Flask, database: Database
) -> None:
    web = flood_app.test_client()
    for _ in range(5):
        assert web.post("/report", data=FORM).status_code == 303
    web.post("/report/start")
    for slug, answers in (  # answering the pages is not counted, however many there are
        ("danger", {"in_danger": "no"}),
        ("what-happened", {"description": FORM["description"]}),
        ("where", {"location": FORM["location"]}),
        ("targeted", {"strands": FORM["strands"]}),
    ):
        assert web.post(f"/report/{slug}", data=answers).status_code == 303
    refused = web.post("/report/send")
    assert refused.status_code == 429
    assert FORM["description"] in text(refused) and "0300 111 0000" in text(refused)
    assert count(database, Case) == 5
    # The answers are still there, to send once the limit allows.
    assert FORM["description"] in text(web.get("/report/check"))


def test_the_api_from_one_address_is_limited_with_a_json_error(flood_app: Flask, database: Database) -> None:
    api = flood_app.test_client()
    for _ in range(5):
        assert api.post("/api/reports", json=JSON_REPORT, **from_address("203.0.113.8")).status_code == 201
    refused = api.post("/api/reports", json=JSON_REPORT, **from_address("203.0.113.8"))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json["code"] == 429 and refused.json["errors"] == {}
    assert "0300 111 0000" in refused.json["message"] and "not saved" in refused.json["message"]
    # The form and the API share one count per address.
    assert (
        flood_app.test_client().post("/report", data=FORM, **from_address("203.0.113.8")).status_code == 429
    )
    assert api.post("/api/reports", json=JSON_REPORT, **from_address("198.51.100.21")).status_code == 201
    assert count(database, Case) == 6


def test_the_proxy_hops_setting_decides_the_address(db_url: str) -> None:
    app = make_app(db_url, PROXY_HOPS=1)
    web = app.test_client()
    for n in range(6):  # six people behind the same proxy, each with their own address
        forwarded = {"X-Forwarded-For": f"192.0.2.{n + 1}"}
        assert web.post("/report", data=FORM, headers=forwarded).status_code == 303
    for _ in range(4):  # the first one sends five in all: the sixth is refused
        assert web.post("/report", data=FORM, headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 303
    assert web.post("/report", data=FORM, headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 429
    app.extensions["database"].dispose()


def test_the_overall_ceiling_holds_across_addresses(db_url: str, database: Database) -> None:
    app = make_app(db_url, REPORT_LIMIT_OVERALL="4 per hour")
    web = app.test_client()
    for n in range(4):
        assert web.post("/report", data=FORM, **from_address(f"192.0.2.{n + 1}")).status_code == 303
    refused = web.post("/report", data=FORM, **from_address("192.0.2.99"))
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert app.test_client().post("/api/reports", json=JSON_REPORT).status_code == 429
    assert count(database, Case) == 4
    app.extensions["database"].dispose()


def test_the_limits_are_read_from_the_environment_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORT_LIMIT_OVERALL")
    assert config.from_environment()["REPORT_LIMIT_OVERALL"] == "60 per hour; 300 per day"
    monkeypatch.setenv("REPORT_LIMIT_PER_ADDRESS", "lots")
    with pytest.raises(config.ConfigError, match="REPORT_LIMIT_PER_ADDRESS must be limits like"):
        config.from_environment()


def test_a_filled_spam_trap_looks_taken_but_makes_nothing(flood_app: Flask, database: Database) -> None:
    web = flood_app.test_client()
    web.post("/report/start")
    form = web.get("/report/danger").text  # every question page carries it
    trap = re.search(r'<div class="trap" aria-hidden="true">.*?</div>', form, re.S)
    assert trap, "no spam-trap field on the form"
    assert 'tabindex="-1"' in trap.group(0) and 'autocomplete="off"' in trap.group(0)
    assert "Leave this empty" in trap.group(0)
    answer = web.post("/report", data={**FORM, "website": "http://spam.example"}, follow_redirects=True)
    assert answer.status_code == 200 and "Report received" in text(answer)
    assert "0300 111 0000" in text(answer)  # a person caught by mistake is told to phone
    assert count(database, Case) == 0 and count(database, Task) == 0 and count(database, OutboxMessage) == 0
    with database.session() as session:
        held = session.scalars(select(AuditEvent).where(AuditEvent.action == "report-held")).all()
    assert len(held) == 1 and "jo@example.com" not in (held[0].detail or "")


def test_at_most_three_acknowledgements_a_day_to_one_address(flood_app: Flask, database: Database) -> None:
    for n in range(5):  # five reports, from five addresses, all naming the same email
        response = flood_app.test_client().post(
            "/report",
            data={**FORM, "reporter_email": "Target@Example.com" if n % 2 else "target@example.com"},
            **from_address(f"192.0.2.{n + 1}"),
        )
        assert response.status_code == 303
    assert count(database, Case) == 5  # every report is taken
    with database.session() as session:
        sent = session.scalars(
            select(OutboxMessage).where(func.lower(OutboxMessage.recipient) == "target@example.com")
        ).all()
    assert len(sent) == 3
    other = flood_app.test_client().post(
        "/api/reports", json={**JSON_REPORT, "reporter_email": "else@example.org"}
    )
    assert other.status_code == 201
    with database.session() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.recipient == "else@example.org")
            )
            == 1
        )


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("path", ["/api/reports", "/api/token"])
@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_a_clear_400(client: FlaskClient, path: str, depth: int) -> None:
    response = client.post(path, data=nested(depth), content_type="application/json")
    assert response.status_code == 400
    assert response.json["code"] == 400 and "nested too deeply" in response.json["message"]


def test_nested_json_inside_an_object_is_refused_too(client: FlaskClient) -> None:
    body = '{"description": ' + '{"a": ' * 40 + "1" + "}" * 40 + "}"
    response = client.post("/api/reports", data=body, content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in response.json["message"]
