"""The public form's parts about dates and about the reporter: the GOV.UK memorable date (day,
month and year in boxes of their own) and who they are, whether and how we may contact them,
and their communication needs. Each returns what it read, or plain-English errors by input name.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from casework.reporters import CONTACT_METHODS, NEEDS, REPORTER_KINDS, Preferences

DATE_PARTS = ("occurred_day", "occurred_month", "occurred_year")
DATE_ERROR = "occurred_date"  # the day box's id: the error summary links to it
REAL_DATE = "Date must be a real date"
ONE_BOX = (
    "Date must be a real date: put the day, the month and the year in their own boxes, for example 27 3 2026"
)
SAFE = {"yes": "Yes, it is safe to contact me", "no": "No, it is not safe to contact me"}
LIMITS = {"contact_times": 500, "contact_through": 500, "reporter_address": 500, "interpreter_language": 100}


def split_single_date(text: str) -> dict[str, str]:
    """A date typed in one box by an older page or a script (``2026-03-27`` or ``27/03/2026``)
    as the three boxes; anything else stays in the day box, to be refused with what was typed."""
    text = text.strip()
    for pattern, order in (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", (2, 1, 0)),
        (r"(\d{1,2})/(\d{1,2})/(\d{4})", (0, 1, 2)),
    ):
        found = re.fullmatch(pattern, text)
        if found:
            parts = found.groups()
            return dict(zip(DATE_PARTS, (parts[i] for i in order), strict=True))
    return {"occurred_day": text, "occurred_month": "", "occurred_year": ""}


def memorable_date(values: dict[str, Any], prefix: str = "occurred") -> tuple[date | None, str | None]:
    """The date in the three boxes (``<prefix>_day`` ...), None when all are empty, or an error."""
    names = (f"{prefix}_day", f"{prefix}_month", f"{prefix}_year")
    day, month, year = (str(values.get(name, "")).strip() for name in names)
    if not (day or month or year):
        return None, None
    if len(re.sub(r"\D", "", day)) > 2 or len(re.sub(r"\D", "", month)) > 2:
        return None, ONE_BOX
    missing = [name for name, value in (("day", day), ("month", month), ("year", year)) if not value]
    if missing:
        return None, f"Date must include a {' and a '.join(missing)}"
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        return None, REAL_DATE
    if len(year) != 4:
        return None, "Year must include 4 numbers, for example 2026"
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return None, REAL_DATE
    return (found, None) if found.year >= 1900 else (None, REAL_DATE)


def written(day: date, clock: str) -> str:
    """A date and optional time as the pages write them: ``1 December 2026, 14:05``."""
    return f"{day.day} {day:%B %Y}" + (f", {clock}" if clock else "")


def parse_time(text: str) -> str | None:
    """``14:30`` or ``14.30`` or ``1430`` as ``14:30``; None if it is not a time of day."""
    digits = re.fullmatch(r"(\d{1,2})[:.]?(\d{2})", text.strip())
    if not digits:
        return None
    try:
        return datetime.strptime(f"{digits.group(1)}:{digits.group(2)}", "%H:%M").strftime("%H:%M")
    except ValueError:
        return None


def preferences(values: dict[str, Any]) -> tuple[Preferences | None, dict[str, str]]:
    """Who the reporter is and how (and whether) we may contact them, or the problems."""
    errors: dict[str, str] = {}
    kind = values.get("reporter_is", "")
    safe = values.get("safe_to_contact", "")
    methods = [m for m in values.get("contact_methods", []) if m in CONTACT_METHODS]
    needs = [n for n in values.get("needs", []) if n in NEEDS]
    text = {name: str(values.get(name, "")).strip() for name in LIMITS}
    gave_details = any(
        str(values.get(n, "")).strip() for n in ("reporter_name", "reporter_email", "reporter_phone")
    )
    if kind and kind not in REPORTER_KINDS:
        errors["reporter_is"] = "Choose one of the answers listed, or leave the question unanswered."
    elif kind == "anonymous" and (gave_details or text["reporter_address"]):
        errors["reporter_is"] = (
            "You chose to stay anonymous: leave your name and contact details empty, or choose who you are."
        )
    if safe not in ("", *SAFE):
        errors["safe_to_contact"] = "Choose one of the answers listed."
    if len(methods) != len(values.get("contact_methods", [])):
        errors.setdefault("contact_methods", "Choose from the ways listed.")
    if len(needs) != len(values.get("needs", [])):
        errors["needs"] = "Choose from the needs listed, or tell us in the description."
    if safe == "yes":
        errors.update(_methods_problems(values, methods, text))
    errors.update(_text_problems(text, needs))
    if errors:
        return None, errors
    return Preferences(
        reporter_is=kind or "not_said",
        safe_to_contact={"yes": True, "no": False}.get(safe),
        contact_methods=methods if safe == "yes" else [],
        contact_times=text["contact_times"] or None,
        contact_through=text["contact_through"] or None,
        address=text["reporter_address"] or None,
        needs=needs,
        interpreter_language=text["interpreter_language"] or None,
    ), {}


def _text_problems(text: dict[str, str], needs: list[str]) -> dict[str, str]:
    errors = {
        name: f"Use no more than {n} characters here." for name, n in LIMITS.items() if len(text[name]) > n
    }
    if "interpreter" in needs and not text["interpreter_language"]:
        errors["interpreter_language"] = "Tell us which language you need an interpreter for."
    return errors


def _who_problems(values: dict[str, Any], kind: str) -> dict[str, str]:
    named = ("reporter_name", "reporter_email", "reporter_phone", "reporter_address")
    if kind and kind not in REPORTER_KINDS:
        return {"reporter_is": "Choose one of the answers listed, or leave the question unanswered."}
    if kind == "anonymous" and any(str(values.get(n, "")).strip() for n in named):
        return {
            "reporter_is": "You chose to stay anonymous: leave your name and contact details empty, "
            "or choose who you are."
        }
    return {}


def _methods_problems(values: dict[str, Any], methods: list[str], text: dict[str, str]) -> dict[str, str]:
    if not methods:
        return {"contact_methods": "Choose at least one way we may contact you, or answer No above."}
    errors: dict[str, str] = {}
    if "email" in methods and not str(values.get("reporter_email", "")).strip():
        errors["reporter_email"] = "Enter your email address, or untick Email as a way to contact you."
    if {"phone", "text"} & set(methods) and not str(values.get("reporter_phone", "")).strip():
        errors["reporter_phone"] = "Enter your phone number, or untick phone calls and text messages."
    if "letter" in methods and not text["reporter_address"]:
        errors["reporter_address"] = "Enter the address to write to, or untick Letter."
    if "someone_else" in methods and not text["contact_through"]:
        errors["contact_through"] = "Tell us who to contact and how, or untick Through someone else."
    return errors


__all__ = ["REPORTER_KINDS", "SAFE", "memorable_date", "preferences", "split_single_date", "written"]
