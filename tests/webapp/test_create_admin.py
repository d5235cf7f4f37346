"""The first administrator on a fresh install (``flask users create-admin``): a weak password,
a bad email or a taken username is refused and nothing is created; a good one creates an admin
who can sign in, and the command says what to do next."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from db.models import AuditEvent, User
from webapp import create_app

GOOD = ["--username", "root.admin", "--name", "Rita Root", "--email", "rita@landlord.example"]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    )
    assert app.test_cli_runner().invoke(args=["db-upgrade"]).exit_code == 0
    yield app
    app.extensions["database"].dispose()


def users(app: Flask) -> list[tuple[str, str, list[str]]]:
    with app.extensions["database"].session() as session:
        return [(u.username, u.role, u.group_names) for u in session.scalars(select(User))]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--password", "short"], "at least 12 characters"),
        (["--password", "123qweasdzxc"], "one of the most common"),
        (["--password", "rita@landlord.example"], "must not be your username, email address or name"),
        (["--password", "a long enough one", "--email", "not-an-email"], "email address in the right form"),
        (["--password", "a long enough one", "--username", "Has Spaces"], "letters, digits"),
    ],
)
def test_a_weak_password_or_bad_detail_is_refused_and_nothing_created(fresh, args, message):
    result = fresh.test_cli_runner().invoke(args=["users", "create-admin", *GOOD, *args])
    assert result.exit_code != 0 and message in result.output
    assert users(fresh) == []


def test_the_first_admin_is_created_signs_in_and_is_told_what_next(fresh):
    result = fresh.test_cli_runner().invoke(
        args=["users", "create-admin", *GOOD], input="tulips in the rain\ntulips in the rain\n"
    )
    assert result.exit_code == 0, result.output
    assert "Administrator root.admin created." in result.output and "/admin/people" in result.output
    assert users(fresh) == [("root.admin", "admin", ["admins"])]
    with fresh.extensions["database"].session() as session:
        entry = session.scalars(select(AuditEvent).where(AuditEvent.action == "person-added")).one()
        assert entry.username == "command line" and "Rita Root" in (entry.detail or "")
    again = fresh.test_cli_runner().invoke(args=["users", "create-admin", *GOOD, "--password", "x" * 20])
    assert again.exit_code != 0 and "already someone with the username" in again.output
    web = fresh.test_client()
    signed = web.post("/login", data={"username": "root.admin", "password": "tulips in the rain"})
    assert signed.status_code == 302
