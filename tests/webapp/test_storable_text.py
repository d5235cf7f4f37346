"""Text no database can store (NUL, an unpaired surrogate) is refused before it reaches one:
schemathesis found it as a 500 on PostgreSQL."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from webapp.storable import MESSAGE

REPORT = '{"description": "Abuse shouted at my door", "location": "1 Elm Road", "strands": ["race"]%s}'


def _supervisor(client: FlaskClient) -> dict[str, str]:
    response = client.post("/api/token", json={"username": "supervisor", "password": "demo"})
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (', "reporter_name": "A\\u0000B"', "reporter_name"),
        (', "locality": "x\\ud800y"', "locality"),
        (
            ', "parties": [{"role": "victim"}, {"role": "witness", "address": "\\u0000"}]',
            "parties.1.address",
        ),
    ],
)
def test_a_json_body_with_unstorable_text_is_a_422_naming_the_field(
    client: FlaskClient, extra: str, field: str
) -> None:
    response = client.post("/api/reports", data=REPORT % extra, content_type="application/json")
    assert response.status_code == 422
    assert response.json["errors"] == {field: MESSAGE}
    assert client.post("/api/reports", data=REPORT % "", content_type="application/json").status_code == 201


def test_unstorable_text_in_the_path_is_not_found_and_in_the_query_is_a_422(client: FlaskClient) -> None:
    headers = _supervisor(client)
    assert client.get("/api/cases/HC-2026-%00", headers=headers).status_code == 404
    response = client.get("/api/tasks?q=a%00", headers=headers)
    assert response.status_code == 422 and response.json["errors"] == {"q": MESSAGE}
    assert client.get("/api/tasks?q=a", headers=headers).status_code == 200


def test_a_form_field_with_a_nul_is_refused(client: FlaskClient) -> None:
    response = client.post("/report", data={"description": "A\x00B", "location": "here"})
    assert response.status_code == 422
    assert b"not valid" in response.data
