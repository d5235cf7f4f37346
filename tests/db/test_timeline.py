"""The timeline's kinds: each defined once, every line a case gets is of a defined kind, and what
stays of each after retention."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db import timeline
from db.models import TimelineEvent
from tests.bpmn.walk import FIRST_RESPONSE, REPORTED, Walk


def test_every_kind_has_one_definition_with_a_name():
    kinds = [cls.KIND for cls in timeline.KINDS.values()]
    assert len(kinds) == len(set(kinds)) > 20
    assert all(kind and len(kind) <= 40 for kind in kinds)  # the column holds 40 characters


def test_every_line_a_worked_case_gets_is_of_a_defined_kind(database):
    walk = Walk.report(database, reporter_email="r@example.org")
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    walk.sweep(timedelta(days=30))
    with database.session() as session:
        kinds = set(session.scalars(select(TimelineEvent.kind)))
    assert {"opened", "task_created", "task_completed", "referral", "notification"} <= kinds
    assert kinds <= set(timeline.KINDS)


def test_what_stays_after_retention():
    police = timeline.Referred("Reported to the police (reference GMP-123)")
    assert timeline.after_retention("referral", police.summary) == "Reported to the police"
    complaint = timeline.ComplaintReceived("The officer never rang back; my neighbour Ann")
    assert complaint.summary.startswith("Complaint about the handling of the case: ")
    assert (
        timeline.after_retention("complaint", complaint.summary) == "Complaint about the handling of the case"
    )
    assert timeline.after_retention("task_cancelled", "Task withdrawn: Visit") == "Task withdrawn: Visit"
    assert timeline.after_retention("consent", "Ann gave consent") == timeline.MARKER
    assert timeline.after_retention("no_such_kind", "anything") == timeline.MARKER


def test_the_reporter_is_told_only_of_kinds_that_say_what_to_tell_them():
    told = {kind for kind, cls in timeline.KINDS.items() if cls.REPORTER}
    assert told == {
        "opened",
        "case_closed",
        "incident",
        "case_review",
        "complaint",
        "duplicate",
        "diary",
        "callback",
        "split_from",  # the reporter of a split-off incident: their report is its own case now
    }
    assert timeline.KINDS["task_created"].REPORTER is None
