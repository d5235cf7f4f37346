"""Input to correct, field by field: what a casework service raises so a page can show each
message next to its field (and the API as 422 ``errors``), with nothing typed lost."""

from __future__ import annotations

from datetime import date


class Invalid(ValueError):
    """Input to correct, as ``{field: message}``."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def text(value: object, field: str, errors: dict[str, str], *, what: str, least: int, most: int) -> str:
    """``value`` stripped, or a message in ``errors[field]`` when it is too short or too long."""
    found = str(value or "").strip()
    if len(found) < least:
        errors[field] = f"Enter {what}." if not found else f"Enter {what} ({least} characters or more)."
    elif len(found) > most:
        errors[field] = f"Keep {what} to {most:,} characters (it has {len(found):,})."
    return found


def choice(value: object, field: str, errors: dict[str, str], options: dict[str, str], *, what: str) -> str:
    found = str(value or "").strip()
    if found not in options:
        errors[field] = f"Choose {what}: " + ", ".join(label.lower() for label in options.values()) + "."
    return found


def day(value: object, field: str, errors: dict[str, str], *, what: str, after: date) -> date | None:
    """A date typed as YYYY-MM-DD (what a date input sends), after ``after``."""
    found = str(value or "").strip()
    try:
        parsed = date.fromisoformat(found)
    except ValueError:
        errors[field] = (
            f"Enter {what} as a date, for example {after.year + 1}-01-31." if found else f"Enter {what}."
        )
        return None
    if parsed <= after:
        errors[field] = f"{what.capitalize()} must be after today."
        return None
    return parsed
