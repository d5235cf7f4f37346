"""The cases search: every case a person may open, open and closed, found by part of a name (any
case, any accents), a postcode with or without its space, a reference or a police reference;
filters, "my cases", recently viewed, sorting and pages; hostile input is only text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework import case_access, case_search, recently_viewed, reports, steps
from casework.reports import PartyDetails
from db import search_index
from db.models import Case, CaseAccess, CaseSearch, Party, Referral, Task, User
from tests.conftest import T0


def user(session, username):
    return session.scalars(select(User).where(User.username == username)).one()


def report(session, *, name="Joseph Béll", address="4 Ash Road, Leeds LS6 2AB", at=T0, **changes):
    incident = reports.Report(
        description="Abuse shouted at the door",
        location=address,
        strands=changes.pop("strands", ["race"]),
        reporter_name=name,
        parties=[PartyDetails(role="victim", name=name, address=address)],
        **changes,
    )
    return reports.submit(session, incident, now=at).case_reference


def case(session, reference):
    return session.scalars(select(Case).where(Case.reference == reference)).one()


def close(session, reference):
    """The case as the process leaves it when it ends (the search reads only these columns)."""
    row = case(session, reference)
    with steps.case_step(session, now=T0 + timedelta(days=30), case=row) as step:
        step.case.status, step.case.closed_at = "closed", T0 + timedelta(days=30)
        session.query(Task).filter(Task.case_id == row.id).update(
            {"status": "completed", "completed_at": step.now}
        )


def found(session, username="manager", **filters):
    page = case_search.search(session, user(session, username), case_search.Filters(**filters))
    return [row.reference for row in page.rows]


def test_part_of_a_name_any_case_any_accents_finds_a_closed_case(session):
    bell = report(session)
    other = report(session, name="Anne Smith", address="9 Elm Street, York YO1 7HH")
    close(session, bell)
    for text in ("bell", "Bél", "BELL", "joseph", "béll", "  jOsEpH   bElL "):
        assert found(session, q=text) == [bell], text
    assert found(session, q="smith") == [other]
    assert found(session, q="bell", status="closed") == [bell]
    assert found(session, q="bell", status="open") == []


def test_postcode_with_or_without_the_space_and_any_case(session):
    leeds = report(session)
    report(session, name="Anne Smith", address="9 Elm Street, York YO1 7HH")
    for text in ("LS6 2AB", "ls62ab", "Ls6 2ab", "LS62AB", "ash road"):
        assert found(session, q=text) == [leeds], text


def test_reference_and_police_reference(session):
    first = report(session)
    second = report(session, name="Anne Smith")
    assert found(session, q=first) == [first]
    assert found(session, q=first.lower()) == [first]
    row = case(session, second)
    with steps.case_step(session, now=T0, case=row) as step:
        step.session.add(
            Referral(case_id=row.id, agency="police", made=True, reference="WY/12345/26", created_at=T0)
        )
    assert found(session, q="WY/12345/26") == [second]
    assert found(session, q="12345") == [second]


def test_the_index_follows_a_changed_or_anonymised_name(session):
    reference = report(session)
    row = case(session, reference)
    with steps.case_step(session, now=T0, case=row) as step:
        for party in step.case.parties:
            party.name = "Kofi Mensah"
        step.case.reporter_name = None
    assert found(session, q="mensah") == [reference]
    assert found(session, q="bell") == []
    terms = session.scalar(select(CaseSearch.terms).where(CaseSearch.case_id == row.id))
    assert "kofi mensah" in terms and "bell" not in terms


def test_a_step_rolled_back_leaves_the_index_as_it_was(session):
    reference = report(session)
    row = case(session, reference)
    with pytest.raises(RuntimeError), steps.case_step(session, now=T0, case=row) as step:
        step.session.add(Party(case_id=row.id, role="witness", name="Zed Witness"))
        step.session.flush()
        raise RuntimeError("fails")
    assert found(session, q="zed") == []


@pytest.mark.parametrize(
    "text",
    [
        "%",
        "_",
        "%%",
        "'",
        '"',
        "*",
        "bell%",
        "b_ll",
        "' OR 1=1 --",
        '"bell" NEAR smith',
        "bell AND smith",
        "bell OR",
        "NOT bell",
        "bell*",
        "^bell",
        "(bell)",
        "bell; DROP TABLE cases;",
        "\\",
        "[b]ell",
    ],
)
def test_sql_wildcards_and_fts_operators_are_only_text(session, text):
    refs = [report(session), report(session, name="Anne Smith", address="9 Elm Street, York YO1 7HH")]
    indexed = {
        r: session.scalar(select(CaseSearch.terms).where(CaseSearch.case_id == case(session, r).id))
        for r in refs
    }
    try:
        result = found(session, q=text)
    except case_search.SearchRefused as err:
        assert "no letters or numbers" in str(err)
        assert text.strip("%_'\"*\\^()[];- ") == ""
    else:
        words = search_index.fold(text).split()
        expected = [r for r in refs[::-1] if all(w in indexed[r] for w in words)]
        assert result == expected, text
        if words == ["bell"]:  # the punctuation around a word is not an operator
            assert result == [refs[0]]
    assert session.scalar(select(Case.id).limit(1)) is not None  # the tables are still there


def test_the_list_holds_exactly_the_cases_the_case_page_opens(session):
    references = [report(session, name=f"Person {i}") for i in range(3)]
    hidden = case(session, references[2])
    with steps.case_step(session, now=T0, case=hidden) as step:
        step.case.restricted = True
        step.session.add(
            CaseAccess(
                case_id=hidden.id, user_id=user(session, "supervisor").id, granted_by="t", granted_at=T0
            )
        )
    other_team = case(session, references[1])
    with steps.case_step(session, now=T0, case=other_team) as step:
        step.case.team = "hr"
        step.case.keyed_by_id = user(session, "intake").id  # keyed in by phone: intake opens it
    for username in ("intake", "officer", "supervisor", "manager", "admin", "owner"):
        person = user(session, username)
        expected = sorted(r for r in references if case_access.may_open(session, person, case(session, r)))
        assert sorted(found(session, username)) == expected, username
    assert references[2] not in found(session, "manager")
    assert references[2] in found(session, "supervisor")
    assert references[1] in found(session, "intake") and references[1] not in found(session, "officer")
    held = session.scalars(select(Task).where(Task.case_id == hidden.id)).first()
    with steps.case_step(session, now=T0, case=hidden):
        held.assignee_id = user(session, "officer").id  # held before the case was restricted
    assert not case_access.may_open(session, user(session, "officer"), hidden)
    assert references[2] not in found(session, "officer", scope="mine")
    assert found(session, "supervisor", scope="mine") == []


def test_filters_scopes_sorting_and_pages(session):
    refs = [
        report(
            session, name=f"Person {i}", at=T0 + timedelta(days=i), strands=["race" if i % 2 else "religion"]
        )
        for i in range(5)
    ]
    high = case(session, refs[1])
    with steps.case_step(session, now=T0 + timedelta(days=9), case=high) as step:
        step.case.risk_level, step.case.locality = "high", "Headingley"
        step.case.updated_at = step.now
    officer = user(session, "officer")
    task = session.scalars(select(Task).where(Task.case_id == case(session, refs[3]).id)).first()
    with steps.case_step(session, now=T0, case=task.case) as step:
        task.assignee_id = officer.id
    assert found(session) == refs[::-1]
    assert found(session, sort="reported") == refs
    assert found(session, sort="risk")[0] == refs[1]
    assert found(session, sort="-updated")[0] == refs[1]
    assert found(session, risk_level="high") == found(session, locality="Headingley") == [refs[1]]
    assert found(session, strand="race") == [refs[3], refs[1]]
    assert found(session, officer="officer") == [refs[3]]
    assert found(session, "officer", scope="mine") == [refs[3]]
    assert found(session, stage=task.element_id, sort="reported") == refs
    assert found(session, reported_from=date(2026, 3, 3), reported_to=date(2026, 3, 4)) == [refs[2], refs[1]]
    page = case_search.search(session, user(session, "manager"), case_search.Filters(), page=2, per_page=2)
    assert (page.total, page.pages, page.first, page.last) == (5, 3, 3, 4)
    assert [r.reference for r in page.rows] == [refs[2], refs[1]]
    assert page.rows[0].people == ["Person 2"] and page.rows[0].stages


def test_recently_viewed_keeps_the_last_ten_newest_first(session, monkeypatch):
    monkeypatch.setattr(recently_viewed, "KEPT", 3)
    refs = [report(session, name=f"Person {i}") for i in range(5)]
    officer = user(session, "officer")
    for i, reference in enumerate([*refs, refs[0]]):
        recently_viewed.record_view(
            session, officer, case(session, reference).id, now=T0 + timedelta(minutes=i)
        )
    assert found(session, "officer", scope="recent") == [refs[0], refs[4], refs[3]]
    assert found(session, "manager", scope="recent") == []


def test_anonymised_cases_leave_no_name_in_the_index(session):
    from casework import retention

    reference = report(session)
    close(session, reference)
    assert found(session, q="bell") == [reference]
    done = retention.anonymise_expired(session, now=T0 + timedelta(days=400), retention=timedelta(days=90))
    assert done == 1
    assert found(session, q="bell") == []
    assert found(session, q=reference) == [reference]  # still found by its reference
