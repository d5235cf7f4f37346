"""The command line (init, timers sweep) and configuration checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import processes
from casework import reports, steps
from casework.settings import ConfigError
from db.models import ProcessVersion
from tests.conftest import BPMN, T0
from webapp import create_app


def test_init_migrates_deploys_and_seeds_an_empty_database(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "hate_incident v1 deployed" in result.output and "officer" in result.output
    again = app.test_cli_runner().invoke(args=["init"])
    assert "hate_incident v1 unchanged" in again.output and "already present" in again.output
    app.extensions["database"].dispose()


def _versions(app) -> list[tuple[int, str | None, str | None]]:
    with app.extensions["database"].session() as session:
        return [
            (v.version, v.deployed_by, v.note)
            for v in session.scalars(select(ProcessVersion).order_by(ProcessVersion.version))
        ]


def test_restarting_keeps_the_owners_version_and_a_changed_file_says_what_it_replaced(tmp_path):
    bpmn = tmp_path / "bpmn"
    bpmn.mkdir()
    shipped = BPMN.read_text()
    (bpmn / "hate_incident.bpmn").write_text(shipped)
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}", "BPMN_DIR": str(bpmn)}
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    # The process owner changes a label in the modeller: version 2.
    owners = shipped.replace('name="Make the first response"', 'name="Make the first response (owner)"', 1)
    assert owners != shipped
    with app.extensions["database"].session() as session, steps.unit_of_work(session, now=T0):
        assert processes.deploy(session, owners.encode(), deployed_by="owner").version == 2
    # Restarting with the same files deploys nothing: the owner's version stays the latest.
    for _ in range(2):
        again = runner.invoke(args=["init"])
        assert again.exit_code == 0, again.output
        assert "hate_incident v2 unchanged" in again.output
    assert _versions(app) == [(1, "setup", None), (2, "owner", None)]
    # The shipped file changes: it is seeded on top, and says whose version it replaced.
    (bpmn / "hate_incident.bpmn").write_text(shipped.replace("PT22H", "PT20H", 1))
    changed = runner.invoke(args=["init"])
    assert changed.exit_code == 0, changed.output
    assert "v3 deployed from hate_incident.bpmn (the file changed) ON TOP OF v2, deployed by owner" in (
        changed.output
    )
    *_, (number, by, note) = _versions(app)
    assert (number, by) == (3, "setup")
    assert note is not None and "replaced version 2, deployed by owner" in note
    # And a file changed on top of a seeded version needs no note.
    (bpmn / "hate_incident.bpmn").write_text(shipped.replace("PT22H", "PT21H", 1))
    assert "hate_incident v4 deployed" in runner.invoke(args=["init"]).output
    assert _versions(app)[-1] == (4, "setup", None)
    app.extensions["database"].dispose()


def test_timers_sweep_at_an_instant_fires_the_due_timers(app, database):
    with database.session() as session:
        reports.submit(
            session,
            reports.Report(
                description="Graffiti on my door", location="Flat 2", strands=["religion_or_belief"]
            ),
            now=T0,
        )
    runner = app.test_cli_runner()
    early = runner.invoke(args=["timers", "sweep", "--at", (T0 + timedelta(hours=1)).isoformat()])
    assert "timers fired: 0" in early.output
    late = runner.invoke(args=["timers", "sweep", "--at", (T0 + timedelta(hours=25)).isoformat()])
    assert late.exit_code == 0 and "timers fired: 2" in late.output
    bad = runner.invoke(args=["timers", "sweep", "--at", "next tuesday"])
    assert bad.exit_code == 2 and "not an ISO-8601" in bad.output
    naive = runner.invoke(args=["timers", "sweep", "--at", "2026-03-03T09:00:00"])
    assert naive.exit_code == 2 and "time zone" in naive.output


def test_deploying_a_broken_file_from_the_cli_explains_why(app, tmp_path):
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<bpmn:definitions")
    result = app.test_cli_runner().invoke(args=["deploy", str(broken)])
    assert result.exit_code == 1 and "not well-formed XML" in result.output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TIMERS": "sometimes"}, "TIMERS must be one of embedded, celery, off"),
        ({"TIMER_INTERVAL_SECONDS": "soon"}, "TIMER_INTERVAL_SECONDS must be a whole number"),
        ({"TIMER_INTERVAL_SECONDS": "0"}, "between 1 and 3600"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must be"),
        ({"HATECASES_ENV": "staging"}, "HATECASES_ENV must be one of demo, production"),
    ],
)
def test_bad_configuration_stops_start_up_with_a_message(monkeypatch, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=message):
        create_app({"TESTING": True})


def test_production_mode_refuses_the_default_secret_and_demo_users(monkeypatch, db_url):
    monkeypatch.setenv("HATECASES_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", db_url)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigError, match="demo users"):
        create_app()


def test_serve_answers_and_its_timer_thread_fires_due_timers(database, db_url, tmp_path):
    """What `make run` starts: the app on a port, with timers fired in-process."""
    import os
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    from sqlalchemy import select

    from db.models import Timer
    from tests.jobs.services import free_port, wait_for

    with database.session() as session:  # both timers of this case are long due
        reports.submit(
            session,
            reports.Report(description="Stones thrown at the window", location="Flat 9", strands=["race"]),
            now=T0,
        )
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "TIMER_INTERVAL_SECONDS": "1", "TIMERS": "embedded"}
    env.pop("REDIS_URL", None)
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "flask"), "--app", "webapp", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_for(healthy, 30, "the server to answer")

        def timers_left() -> list[str]:
            with database.session() as session:
                return list(session.scalars(select(Timer.element_id)))

        # The two due timers fire; what is left is the escalated task's own deadline, not yet due.
        wait_for(
            lambda: timers_left() == ["overdue_response_deadline"],
            30,
            "the in-process timer thread to fire the due timers",
        )
    finally:
        server.terminate()
        server.wait(10)
