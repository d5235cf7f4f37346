"""The modeller's pages through Flask's test client: who may see them, the list of versions,
upload, download, compare, and the JSON the Validate and Deploy buttons call."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import BPMN
from tests.diagrams import noise

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def sign_in(web: FlaskClient, username: str) -> None:
    assert web.post("/login", data={"username": username, "password": "demo"}).status_code == 302


@pytest.mark.parametrize(
    "path", ["/modeller/", "/modeller/hate_incident", "/modeller/hate_incident/versions/1.bpmn"]
)
def test_officers_and_managers_may_not_open_the_modeller(web, path):
    assert web.get(path).status_code == 302  # to the sign-in page
    sign_in(web, "officer")
    assert web.get(path).status_code == 403
    assert "Processes" not in web.get("/").text
    assert web.post("/modeller/deploy", data=noise(), content_type="application/xml").status_code == 403


@pytest.mark.parametrize("username", ["owner", "admin"])
def test_owners_and_admins_see_every_version(web, username):
    sign_in(web, username)
    assert 'href="/modeller/"' in web.get("/").text
    page = web.get("/modeller/").text
    assert "Hate incident case" in page and "Open version 1 in the modeller" in page
    row = re.search(r'<tr data-version="1">(.*?)</tr>', page, re.S).group(1)
    assert "tests" in row and "/modeller/hate_incident/versions/1.bpmn" in row


def test_uploading_a_file_deploys_it_and_lists_the_new_version(web):
    sign_in(web, "owner")
    sent = web.post("/modeller/upload", data={"file": (io.BytesIO(noise()), "noise.bpmn")})
    assert sent.status_code == 303
    page = web.get("/modeller/").text
    assert "Deployed Noise complaint version 1." in page
    assert 'data-process="noise_complaint"' in page and "Open version 1 in the modeller" in page
    again = web.post(
        "/modeller/upload", data={"file": (io.BytesIO(noise()), "noise.bpmn")}, follow_redirects=True
    )
    assert "Nothing changed: the file is the same as version 1." in again.text


def test_a_broken_upload_lists_its_problems_and_deploys_nothing(web):
    sign_in(web, "owner")
    broken = noise().replace(b'camunda:topic="notify_group"', b'camunda:topic="send_fax"')
    page = web.post("/modeller/upload", data={"file": (io.BytesIO(broken), "noise.bpmn")})
    assert page.status_code == 422
    assert "The file was not deployed" in page.text
    assert "Service task &#34;Tell the supervisors&#34; (tell_supervisors): No handler is called" in page.text
    assert 'data-process="noise_complaint"' not in page.text
    empty = web.post("/modeller/upload", data={})
    assert empty.status_code == 422 and "Choose a .bpmn file to upload." in empty.text


def test_any_version_downloads(web):
    sign_in(web, "owner")
    response = web.get("/modeller/hate_incident/versions/1.bpmn")
    assert response.data == BPMN.read_bytes()
    assert response.headers["Content-Disposition"] == 'attachment; filename="hate_incident-v1.bpmn"'
    assert (
        web.get("/modeller/hate_incident/versions/1.bpmn?inline=1").headers["Content-Disposition"] == "inline"
    )
    assert web.get("/modeller/hate_incident/versions/9.bpmn").status_code == 404


def test_the_modeller_page_loads_the_latest_version_and_the_bundle(web):
    sign_in(web, "owner")
    page = web.get("/modeller/hate_incident").text
    assert 'data-xml-url="/modeller/hate_incident/versions/1.bpmn?inline=1"' in page
    assert "/static/vendor/modeller.js" in page and 'name="csrf-token"' in page
    assert web.get("/modeller/no_such_process").status_code == 404


def test_the_buttons_validate_and_deploy_with_problems_as_a_list(web):
    sign_in(web, "owner")
    checked = web.post("/modeller/validate", data=noise(), content_type="application/xml")
    assert checked.status_code == 200 and checked.json["valid"] is True
    broken = noise().replace(b'default="quiet_enough"', b"")
    refused = web.post("/modeller/deploy", data=broken, content_type="application/xml")
    assert refused.status_code == 422 and refused.json["message"] == "Not deployed: the diagram has problems."
    [problem] = refused.json["errors"]
    assert problem["element_id"] == "quiet_enough" and problem["element_name"] == "Quiet enough"
    deployed = web.post("/modeller/deploy", data=noise(), content_type="application/xml")
    assert deployed.status_code == 201 and deployed.json["version"] == 1 and deployed.json["created"]


def test_the_buttons_need_the_csrf_token(app):
    web = app.test_client()
    sign_in_page = web.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', sign_in_page).group(1)
    web.post("/login", data={"username": "owner", "password": "demo", "csrf_token": token})
    page_token = re.search(
        r'name="csrf-token" content="([^"]+)"', web.get("/modeller/hate_incident").text
    ).group(1)
    assert web.post("/modeller/validate", data=noise(), content_type="application/xml").status_code == 400
    ok = web.post(
        "/modeller/validate",
        data=noise(),
        content_type="application/xml",
        headers={"X-CSRFToken": page_token},
    )
    assert ok.status_code == 200


def test_compare_needs_two_deployed_versions(web):
    sign_in(web, "owner")
    assert web.get("/modeller/hate_incident/compare").status_code == 404
    web.post(
        "/modeller/deploy", data=BPMN.read_bytes().replace(b"PT24H", b"PT36H"), content_type="application/xml"
    )
    page = web.get("/modeller/hate_incident/compare").text
    assert "What changed from version 1 to version 2" in page
    assert 'data-old-url="/modeller/hate_incident/versions/1.bpmn?inline=1"' in page
    assert web.get("/modeller/hate_incident/compare?old=1&new=7").status_code == 404


def test_the_modeller_bundle_is_built_and_served(web):
    bundle = ROOT / "webapp" / "static" / "vendor" / "modeller.js"
    assert bundle.exists(), "run `bash scripts/build-assets.sh` (make run and make test do)"
    for name, needle in (("modeller.js", b"candidateGroups"), ("modeller.css", b".djs-container")):
        response = web.get(f"/static/vendor/{name}")
        assert response.status_code == 200 and needle in response.data, name
        response.close()


def test_downloads_cannot_run_scripts_and_uploads_are_limited(web, client):
    sign_in(web, "owner")
    response = web.get("/modeller/hate_incident/versions/1.bpmn?inline=1")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    huge = b"<x>" + b" " * 6_000_000 + b"</x>"
    assert web.post("/modeller/validate", data=huge, content_type="application/xml").status_code == 413
    owner = {
        "Authorization": "Bearer "
        + client.post("/api/token", json={"username": "owner", "password": "demo"}).json["token"]
    }
    too_big = client.post(
        "/api/process-models", data=huge, headers={**owner, "Content-Type": "application/xml"}
    )
    assert too_big.status_code == 413 and too_big.json["message"] == "The upload is too large."
