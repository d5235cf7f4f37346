"""Server-side validation of the forms written in the BPMN."""

from __future__ import annotations

from processes.forms import FormField, Option, validate

CHOICES = (Option("high", "High"), Option("low", "Low"))
FIELDS = [
    FormField("name", "Name", "string", required=True, min_length=2, max_length=5),
    FormField("count", "Count", "long", minimum=0, maximum=10),
    FormField("agreed", "Agreed", "boolean"),
    FormField("when", "When", "date"),
    FormField("level", "Level", "enum", required=True, options=CHOICES),
    FormField("tags", "Tags", "enum", multiple=True, options=CHOICES),
]


def test_good_data_from_a_browser_form_is_cleaned():
    clean, errors = validate(
        FIELDS,
        {
            "name": " Ann ",
            "count": "3",
            "agreed": "on",
            "when": "2026-01-31",
            "level": "high",
            "tags": ["low", "high"],
        },
    )
    assert errors == {}
    assert clean == {
        "name": "Ann",
        "count": 3,
        "agreed": True,
        "when": "2026-01-31",
        "level": "high",
        "tags": ["high", "low"],
    }


def test_missing_optional_values_become_empty():
    clean, errors = validate(FIELDS, {"name": "Ann", "level": "low"})
    assert errors == {}
    assert clean["count"] is None and clean["agreed"] is False and clean["tags"] == []


def test_each_kind_of_bad_value_gets_its_own_message():
    _, errors = validate(
        FIELDS,
        {
            "name": "A",
            "count": "ten",
            "agreed": "maybe",
            "when": "2026-02-30",
            "level": "medium",
            "tags": ["x"],
            "extra": 1,
        },
    )
    assert errors == {
        "name": "Enter at least 2 characters.",
        "count": "Enter a whole number.",
        "agreed": "Answer yes or no.",
        "when": "Enter a real date as YYYY-MM-DD, for example 2026-03-31.",
        "level": "Choose one of the options listed.",
        "tags": "Choose only from the options listed.",
        "extra": "This form has no such field.",
    }


def test_wrong_json_types_are_refused():
    _, errors = validate(FIELDS, {"name": 5, "count": True, "when": 20260101, "level": ["high"]})
    assert set(errors) == {"name", "count", "when", "level"}
    _, errors = validate(FIELDS, {"name": "Ann", "level": "high", "count": 11})
    assert errors == {"count": "Enter a number no greater than 10."}


def test_required_fields_and_a_non_object_body():
    _, errors = validate(FIELDS, {})
    assert errors == {"name": "This field is required.", "level": "This field is required."}
    assert validate(FIELDS, ["not", "a", "form"])[1] == {
        "_form": "The form data must be a set of named fields."
    }
