"""One-time links to set a password: an administrator emails one (through the outbox, only the
token's digest stored); it works once, until it expires; a weak password is refused with the
link still usable; setting it ends the person's sessions."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from db.models import AuditEvent, OutboxMessage, PasswordReset, User
from processes.clock import frozen_at
from tests.conftest import T0
from tests.webapp.test_supervision_pages import sign_in, text, web

__all__ = ["web"]
NEW = "marmalade on the stairs"


def send(app: Flask, web) -> str:
    with frozen_at(T0):
        sign_in(web, "admin")
        assert web.post("/admin/people/officer/reset").status_code == 303
    with app.extensions["database"].session() as session:
        mail = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert mail is not None and mail.recipient == "officer@example.org"
        token = re.search(r"/password-reset/(\S+)", mail.body).group(1)
        stored = session.scalars(select(PasswordReset.token_hash)).all()
        assert token not in stored and len(stored[-1]) == 64  # only the digest is kept
    return token


def password_hash(app: Flask) -> str:
    with app.extensions["database"].session() as session:
        return session.scalars(select(User.password_hash).where(User.username == "officer")).one()


def test_a_link_sets_a_password_once_and_ends_sessions(app, web):
    token = send(app, web)
    officer = app.test_client()
    officer.post("/login", data={"username": "officer", "password": "demo"})
    visitor = app.test_client()
    with frozen_at(T0 + timedelta(hours=1)):
        assert "Choose a password, Olivia Officer" in visitor.get(f"/password-reset/{token}").text
        before = password_hash(app)
        weak = visitor.post(f"/password-reset/{token}", data={"password": "short", "confirm": "short"})
        assert weak.status_code == 422 and "at least 12 characters" in text(weak.text)
        odd = visitor.post(f"/password-reset/{token}", data={"password": NEW, "confirm": NEW + "x"})
        assert odd.status_code == 422 and "not the same" in text(odd.text)
        assert password_hash(app) == before
        done = visitor.post(f"/password-reset/{token}", data={"password": NEW, "confirm": NEW})
        assert done.status_code == 303
        assert officer.get("/").status_code == 302  # the old session has ended
        again = visitor.post(f"/password-reset/{token}", data={"password": NEW, "confirm": NEW})
        assert again.status_code == 410 and "used already" in text(again.text)
    assert app.test_client().post("/login", data={"username": "officer", "password": NEW}).status_code == 302
    with app.extensions["database"].session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("password-reset%")).order_by(AuditEvent.id)
        ).all()
    assert actions == ["password-reset-sent", "password-reset"]


def test_an_expired_or_unknown_link_is_refused_and_changes_nothing(app, web):
    token = send(app, web)
    before = password_hash(app)
    with frozen_at(T0 + timedelta(hours=24, seconds=1)):
        expired = app.test_client().post(f"/password-reset/{token}", data={"password": NEW, "confirm": NEW})
        assert expired.status_code == 410 and "This link has expired" in text(expired.text)
        unknown = app.test_client().get("/password-reset/made-up")
        assert unknown.status_code == 410 and "This link is not known" in text(unknown.text)
    assert password_hash(app) == before


def test_a_newer_link_replaces_the_older(app, web):
    first = send(app, web)
    second = send(app, web)
    with frozen_at(T0 + timedelta(minutes=5)):
        assert app.test_client().get(f"/password-reset/{first}").status_code == 410
        assert app.test_client().get(f"/password-reset/{second}").status_code == 200
