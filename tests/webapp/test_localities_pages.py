"""Localities as reference data (/admin/localities, administrators): added, renamed with the old
name kept and the cases following, deactivated; bad input named and kept; every change audited;
a public report's postcode finds its locality."""

from __future__ import annotations

import html

import pytest
from flask import Flask
from sqlalchemy import select

import processes
from casework import localities, steps
from db.models import AuditEvent, Locality, LocalityRename
from tests.webapp.test_intake_pages import cases, error_links, good, places
from tests.webapp.test_supervision_pages import sign_in, text, web
from webapp import create_app

__all__ = ["places", "web"]


def rows(app: Flask) -> dict[str, Locality]:
    with app.extensions["database"].session() as session:
        return {row.name: row for row in session.scalars(select(Locality))}


def actions(app: Flask) -> list[str]:
    with app.extensions["database"].session() as session:
        return [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_an_admin_adds_a_locality_that_intake_then_offers(app, web):
    sign_in(web, "admin")
    page = web.get("/admin/localities")
    assert page.status_code == 200 and "No localities yet" in page.text
    assert 'href="/admin/localities"' in page.text  # in the navigation
    added = web.post(
        "/admin/localities",
        data={"name": " Moor  Estate ", "kind": "estate", "postcodes": "ls9 7ab, LS9 6\nls10"},
    )
    assert added.status_code == 303
    moor = rows(app)["Moor Estate"]
    assert (moor.kind, moor.postcodes, moor.active) == ("estate", ["LS9 7AB", "LS9 6", "LS10"], True)
    assert "locality-added" in actions(app)
    listed = text(web.get("/admin/localities").text)
    assert "Moor Estate Estate LS9 7AB, LS9 6, LS10 Offered" in listed
    web.post("/logout")
    sign_in(web, "intake")
    assert "Moor Estate" in web.get("/intake").text


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "", "kind": "ward", "postcodes": "LS6"}, "name", "Enter the locality's name."),
        ({"name": "x" * 121, "kind": "ward", "postcodes": ""}, "name", "Enter a name of no more than 120"),
        (
            {"name": "riverside estate", "kind": "ward", "postcodes": ""},
            "name",
            "There is already a locality",
        ),
        ({"name": "Lakeside", "kind": "county", "postcodes": ""}, "kind", "Choose whether it is an estate"),
        (
            {"name": "Lakeside", "kind": "area", "postcodes": "LS6, Leeds"},
            "postcodes",
            "“Leeds” is not a postcode",
        ),
    ],
)
def test_bad_input_on_adding_is_named_and_kept(app, web, places, form, field, message):
    sign_in(web, "admin")
    response = web.post("/admin/localities", data=form)
    assert response.status_code == 422
    links = error_links(response.text)
    assert list(links) == [field] and links[field].startswith(message), links
    page = html.unescape(response.text)
    if field != "name":
        assert f'value="{form["name"]}"' in page
    if form["postcodes"]:
        assert form["postcodes"] in page
    assert len(rows(app)) == 3  # nothing added


def test_a_rename_keeps_the_old_name_and_its_cases_follow(app, web, places):
    sign_in(web, "intake")
    assert web.post("/intake", data=good(places)).status_code == 303
    web.post("/logout")
    sign_in(web, "admin")
    renamed = web.post(
        f"/admin/localities/{places['Riverside Estate']}",
        data={"name": "Riverside", "postcodes": "LS9 8\nLS9 9\nLS9 7"},
    )
    assert renamed.status_code == 303
    [case] = cases(app)
    assert (case.locality, case.locality_id) == ("Riverside", places["Riverside Estate"])
    assert rows(app)["Riverside"].postcodes == ["LS9 8", "LS9 9", "LS9 7"]
    with app.extensions["database"].session() as session:
        [history] = session.scalars(select(LocalityRename)).all()
        assert (history.old_name, history.new_name) == ("Riverside Estate", "Riverside")
        [entry] = session.scalars(select(AuditEvent).where(AuditEvent.action == "locality-changed")).all()
        assert entry.username == "admin"
        assert (
            "Before: “Riverside Estate” (LS9 8, LS9 9); after: “Riverside” (LS9 8, LS9 9, LS9 7)"
            in entry.detail
        )
    assert "Earlier: Riverside Estate (until" in text(web.get("/admin/localities").text)


def test_a_bad_rename_is_named_next_to_its_row_and_nothing_changes(app, web, places):
    sign_in(web, "admin")
    locality_id = places["Town Centre"]
    response = web.post(
        f"/admin/localities/{locality_id}", data={"name": "Hillside Ward", "postcodes": "LS1"}
    )
    assert response.status_code == 422
    assert list(error_links(response.text)) == [f"name-{locality_id}"]
    assert f'id="name-{locality_id}" name="name" value="Hillside Ward"' in response.text  # kept
    assert "Town Centre" in rows(app)
    bad_postcode = web.post(
        f"/admin/localities/{locality_id}", data={"name": "Centre", "postcodes": "SW1A 1AA, 123"}
    )
    assert list(error_links(bad_postcode.text)) == [f"postcodes-{locality_id}"]
    assert "SW1A 1AA, 123" in bad_postcode.text and "Town Centre" in rows(app)
    assert web.post("/admin/localities/999999", data={"name": "Nowhere", "postcodes": ""}).status_code == 404


def test_deactivate_and_reactivate(app, web, places):
    sign_in(web, "admin")
    locality_id = places["Hillside Ward"]
    assert web.post(f"/admin/localities/{locality_id}/active", data={"active": "false"}).status_code == 303
    assert rows(app)["Hillside Ward"].active is False
    assert "Deactivated" in text(web.get("/admin/localities").text)
    # A public report in its postcode is no longer placed in it.
    web.post(
        "/report",
        data={
            "description": "Graffiti sprayed on my door.",
            "location": "1 Elm Walk LS6 1AA",
            "strands": ["race"],
        },
    )
    assert cases(app)[0].locality is None
    assert web.post(f"/admin/localities/{locality_id}/active", data={"active": "true"}).status_code == 303
    assert rows(app)["Hillside Ward"].active is True
    assert actions(app).count("locality-deactivated") == 1 and actions(app).count("locality-reactivated") == 1


def test_only_administrators_keep_localities(web, places):
    for who in ("intake", "officer", "manager"):
        sign_in(web, who)
        assert web.get("/admin/localities").status_code == 403
        assert web.post("/admin/localities", data={"name": "X", "kind": "area"}).status_code == 403
        web.post("/logout")


def test_the_most_precise_postcode_entry_wins(session):
    now = processes.clock.now()
    with steps.unit_of_work(session, now=now) as step:
        localities.add(step, "Wide", "area", "LS9")
        localities.add(step, "Sector", "estate", "LS9 8")
        localities.add(step, "Block", "estate", "LS98AB")
    assert localities.for_postcode(session, "Flat 2, Oak Court, ls9 8ab").name == "Block"
    assert localities.for_postcode(session, "3 Oak Court LS9 8AD").name == "Sector"
    assert localities.for_postcode(session, "LS9 1AA").name == "Wide"
    assert localities.for_postcode(session, "LS99 1AA") is None  # LS9 is not LS99
    assert localities.for_postcode(session, "Head office, no postcode") is None


def test_flask_init_seeds_the_demo_localities_once(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    first = app.test_cli_runner().invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "demo localities: Riverside Estate, Hillside Ward, Town Centre" in first.output
    again = app.test_cli_runner().invoke(args=["init"])
    assert "demo localities: already present" in again.output
    assert sorted(rows(app)) == ["Hillside Ward", "Riverside Estate", "Town Centre"]
    app.extensions["database"].dispose()


def test_the_migration_keeps_the_perception_rule_trigger_on_sqlite(tmp_path):
    """Adding the cases' foreign keys rebuilds the table on SQLite, which drops its triggers."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text as sql

    from db import Database
    from db.database import MIGRATIONS

    database = Database(f"sqlite:///{tmp_path / 'm.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        for target in ("head", "0012", "head"):
            with database.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, target) if target == "head" else command.downgrade(config, target)
                triggers = connection.execute(sql("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                assert "cases_perception_rule" in set(triggers.scalars()), target
    finally:
        database.dispose()
