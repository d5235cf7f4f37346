"""The case step: one commit per unit of work, nothing saved on an error, races as conflicts, the
request's edit entry written with the edit, and a process's disclosures checked as a person's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm.attributes import flag_modified

import processes
from casework import audit, steps, tasks
from casework.consents import Invalid
from db.models import AuditEvent, Case, Disclosure, OutboxMessage, TimelineEvent, User
from db.timeline import DetailsChanged
from tests.bpmn.walk import FIRST_RESPONSE, Walk
from tests.conftest import T0

ACTOR = audit.Actor("tester", "officer", "192.0.2.1")


def _count(session, model, **where):
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalar(query)


def test_completing_a_task_commits_once(database):
    walk = Walk.report(database)
    commits = []
    with database.session() as session:
        event.listen(session, "after_commit", lambda s: commits.append(s))
        officer = session.scalars(select(User).where(User.username == "officer")).one()
        result = tasks.complete(session, walk.task_id("first_response"), FIRST_RESPONSE, officer, now=T0)
    assert len(commits) == 1
    assert [t.element_id for t in result.open_tasks] == ["police_referral"]


def test_an_error_in_a_step_saves_nothing_it_wrote(database):
    walk = Walk.report(database)
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == walk.reference)).one()
        before = (_count(session, TimelineEvent), _count(session, AuditEvent), _count(session, OutboxMessage))
        failing = pytest.raises(RuntimeError, match="boom")
        with failing, steps.case_step(session, now=T0, actor=ACTOR, case=case) as step:
            case.locality = "Riverside"
            step.record(DetailsChanged("locality", "Riverside"))
            step.audit("edit", subject_type="case", subject=case.reference)
            step.queue_email(to="someone@example.org", subject="s", body="b", case_id=case.id)
            raise RuntimeError("boom")
    with database.session() as session:
        after = (_count(session, TimelineEvent), _count(session, AuditEvent), _count(session, OutboxMessage))
        assert after == before
        assert session.scalars(select(Case.locality).where(Case.reference == walk.reference)).one() is None


def test_a_step_on_a_case_changed_meanwhile_is_a_conflict_and_saves_nothing(database):
    walk = Walk.report(database)
    with database.session() as first, database.session() as second:
        mine = first.scalars(select(Case).where(Case.reference == walk.reference)).one()
        theirs = second.scalars(select(Case).where(Case.reference == walk.reference)).one()
        with steps.case_step(first, now=T0, actor=ACTOR, case=mine) as step:
            mine.locality = "Riverside"
            step.record(DetailsChanged("locality", "Riverside"))
        events_before = _count(first, TimelineEvent, kind="details")
        conflict = pytest.raises(processes.Conflict, match="changed by someone else")
        with conflict, steps.case_step(second, now=T0, actor=ACTOR, case=theirs, lock=False) as step:
            theirs.locality = "Hillside"
            flag_modified(theirs, "locality")
            step.record(DetailsChanged("locality", "Hillside"))
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == walk.reference)).one()
        assert case.locality == "Riverside"
        assert _count(session, TimelineEvent, kind="details") == events_before == 1


def test_the_request_edit_entry_is_written_by_the_step_that_commits_the_edit(database):
    walk = Walk.report(database)
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == walk.reference)).one()
        steps.expect_edit(
            session, ACTOR, now=T0, subject_type="case", subject=case.reference, detail="POST x"
        )
        with steps.case_step(session, now=T0, actor=ACTOR, case=case) as step:
            step.record(DetailsChanged("locality", "Riverside"))
        assert steps.edit_written(session) is True
        assert steps.edit_written(session) is False  # asked once, then forgotten
    with database.session() as session:
        [entry] = session.scalars(select(AuditEvent).where(AuditEvent.detail == "POST x")).all()
        assert (entry.action, entry.username, entry.subject) == ("edit", "tester", walk.reference)


def test_a_step_rolled_back_takes_the_expected_edit_entry_with_it(database):
    walk = Walk.report(database)
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == walk.reference)).one()
        steps.expect_edit(
            session, ACTOR, now=T0, subject_type="case", subject=case.reference, detail="POST y"
        )
        with pytest.raises(ValueError), steps.case_step(session, now=T0, actor=ACTOR, case=case):
            raise ValueError("refused")
        assert steps.edit_written(session) is False
    with database.session() as session:
        assert _count(session, AuditEvent, detail="POST y") == 0


def test_a_process_disclosure_goes_through_the_disclosure_checks(database):
    walk = Walk.report(database)
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == walk.reference)).one()
        with pytest.raises(Invalid) as refused, steps.case_step(session, now=T0, case=case) as step:
            step.record_disclosure(
                case,
                recipient="Police",
                purpose="gossip",
                lawful_basis="crime",
                information="Everything",
                reason="Because the diagram says so",
                by="process (referral task)",
            )
        assert "purpose" in refused.value.errors
    with database.session() as session:
        assert _count(session, Disclosure) == 0


def test_a_process_disclosure_that_passes_is_saved_with_its_audit_entry(database):
    walk = Walk.report(database)
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == walk.reference)).one()
        with steps.case_step(session, now=T0 + timedelta(hours=1), case=case) as step:
            step.record_disclosure(
                case,
                recipient="Police",
                purpose="police",
                lawful_basis="crime",
                information="The report",
                reason="Reported for the detection of crime",
                by="process (referral task)",
            )
    with database.session() as session:
        [row] = session.scalars(select(Disclosure)).all()
        assert row.disclosed_by == "process (referral task)"
        [entry] = session.scalars(select(AuditEvent).where(AuditEvent.action == "disclose")).all()
        assert entry.username == "process (referral task)"
        assert entry.detail.endswith("; by the referral task")


def test_a_case_held_by_another_step_is_skipped_by_the_timer_lock(database):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers itself")
    walk = Walk.report(database)
    with database.session() as holder, database.session() as other:
        case = holder.scalars(select(Case).where(Case.reference == walk.reference)).one()
        with steps.case_step(holder, now=T0, case=case), steps.case_step(other, now=T0) as step:
            assert step.lock(case.id, skip_locked=True) is False
        with steps.case_step(other, now=T0) as step:
            assert step.lock(case.id, skip_locked=True) is True
