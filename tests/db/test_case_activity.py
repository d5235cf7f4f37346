"""A case's last activity (``cases.last_activity_at``, kept by migration 0025's trigger): the
newest timeline entry a person wrote, whoever inserts it; the system's own entries (a timer
firing, a task created) leave it as it was."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from db.models import TimelineEvent
from tests.bpmn.walk import FIRST_RESPONSE, Walk
from tests.conftest import T0


def test_a_persons_entry_moves_it_and_the_systems_do_not(database):
    walk = Walk.report(database, at=T0)
    reported = walk.case().last_activity_at
    assert reported is None or reported <= T0

    walk.do("first_response", FIRST_RESPONSE, after=timedelta(hours=2))
    assert walk.case().last_activity_at == T0 + timedelta(hours=2)

    case_id = walk.case().id
    with database.session() as session:
        row = {"case_id": case_id, "kind": "note", "summary": "x", "details": None}
        session.execute(insert(TimelineEvent), [{**row, "at": T0 + timedelta(days=9), "actor": "system"}])
        session.execute(insert(TimelineEvent), [{**row, "at": T0 + timedelta(hours=1), "actor": "officer"}])
        session.commit()
    assert walk.case().last_activity_at == T0 + timedelta(hours=2)  # neither is later activity

    with database.session() as session:
        session.execute(insert(TimelineEvent), [{**row, "at": T0 + timedelta(days=3), "actor": "officer"}])
        session.commit()
    assert walk.case().last_activity_at == T0 + timedelta(days=3)
