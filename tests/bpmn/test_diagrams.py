"""Checks across every diagram in bpmn/: handlers exist, and every form refuses bad answers
without changing the case."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

import processes
from db.models import Case
from handlers import operations
from tests.bpmn.walk import FIRST_RESPONSE, REPORTED, Walk

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}


@pytest.mark.parametrize("path", sorted(BPMN_DIR.glob("*.bpmn")), ids=lambda p: p.name)
def test_every_service_operation_has_a_handler(path):
    topics = {
        t.get(f"{{{NS['camunda']}}}topic") for t in etree.parse(str(path)).iterfind(".//bpmn:serviceTask", NS)
    }
    assert topics and topics <= operations()


@pytest.mark.parametrize("path", sorted(BPMN_DIR.glob("*.bpmn")), ids=lambda p: p.name)
def test_every_element_is_drawn(path):
    tree = etree.parse(str(path))
    drawn = {
        e.get("bpmnElement") for e in tree.iterfind(".//{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")
    }
    drawn |= {
        e.get("bpmnElement") for e in tree.iterfind(".//{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")
    }
    elements = {
        e.get("id")
        for e in tree.xpath(".//bpmn:process//bpmn:*[@id]", namespaces=NS)
        if not etree.QName(e).localname.endswith("EventDefinition")
    }
    assert elements - drawn == set()


@pytest.mark.parametrize("element", ["first_response", "police_referral", "risk_assessment", "support"])
def test_each_form_refuses_garbage_and_leaves_the_case_unchanged(database, element):
    walk = Walk.report(database)
    answers = {
        "first_response": FIRST_RESPONSE,
        "police_referral": REPORTED,
        "risk_assessment": {
            "repeat_victimisation": "first",
            "victim_fear": "not_afraid",
            "risk_rationale": "A single incident",
        },
    }
    for step in ("first_response", "police_referral", "risk_assessment"):
        if step == element:
            break
        walk.do(step, answers[step])
    with database.session() as session:
        before = session.scalars(select(Case.workflow_state, Case.version)).one()  # type: ignore[call-overload]
    errors = walk.fails(
        element,
        {
            "not_a_field": "x",
            "support_consent": "perhaps",
            "risk_rationale": 7,
            "contact_date": "31/31/2026",
            "police_decision": "maybe",
        },
    )
    assert errors and all(isinstance(m, str) and m for m in errors.values())
    with database.session() as session:
        assert session.scalars(select(Case.workflow_state, Case.version)).one() == before  # type: ignore[call-overload]
    assert walk.open_elements() == [element]
    with pytest.raises(processes.FormInvalid):
        walk.do(element, {"not_a_field": 1})
