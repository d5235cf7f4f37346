"""The inbox counts only up to a cap past the page asked for, and orders by due date with
undated tasks last."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from casework import inbox, reports
from db.models import User
from tests.conftest import T0


def report_five(session):
    for i in range(5):
        incident = reports.Report(description=f"Abuse, night {i}", location=f"{i} Ash Road", strands=["race"])
        reports.submit(session, incident, now=T0 + timedelta(hours=i))


def test_past_the_cap_the_total_is_a_lower_bound_and_there_is_a_next_page(session, monkeypatch):
    report_five(session)
    officer = session.scalars(select(User).where(User.username == "officer")).one()
    monkeypatch.setattr(inbox, "COUNT_CAP", 3)
    first = inbox.inbox(session, officer, per_page=2)
    assert (first.total, first.more, first.pages) == (3, True, 3)
    assert [t.due_at for t in first.items] == [T0 + timedelta(hours=24), T0 + timedelta(hours=25)]
    third = inbox.inbox(session, officer, per_page=2, page=3)  # the cap moves with the page
    assert (third.total, third.more, third.pages, len(third.items)) == (5, False, 3, 1)
    monkeypatch.setattr(inbox, "COUNT_CAP", 1000)
    exact = inbox.inbox(session, officer, per_page=2)
    assert (exact.total, exact.more, exact.pages) == (5, False, 3)


def test_latest_due_first_when_asked(session):
    report_five(session)
    officer = session.scalars(select(User).where(User.username == "officer")).one()
    dues = [t.due_at for t in inbox.inbox(session, officer, sort="-due").items]
    assert dues == sorted(dues, reverse=True) and len(dues) == 5
