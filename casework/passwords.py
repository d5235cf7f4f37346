"""Password rules after the NCSC's guidance: length, not composition, and no common password.

No rule asks for digits, capitals or symbols (they push people to predictable patterns); a long
password is allowed and kept whole. A password among the 10,000 most common (the ranked list of
the zxcvbn package, taken from breach data) is refused, as is one that is the person's own
username, email address or name.
"""

from __future__ import annotations

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_COUNT = 10_000


@cache
def _common() -> frozenset[str]:
    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"][:COMMON_COUNT])


def is_common(password: str) -> bool:
    return password.lower() in _common()


def problem(password: str, *, personal: tuple[str | None, ...] = ()) -> str | None:
    """Why ``password`` is refused, in plain words; None when it is good enough. ``personal``:
    the person's username, email address and name, which a password must not be."""
    if len(password) < MIN_LENGTH:
        return (
            f"Choose a password of at least {MIN_LENGTH} characters. "
            "Three random words together make a long password that is easy to remember."
        )
    if len(password) > MAX_LENGTH:
        return f"Choose a password of no more than {MAX_LENGTH} characters."
    if is_common(password) or len(set(password)) <= 2:
        return "That password is one of the most common and is easily guessed: choose another."
    lowered = password.strip().lower()
    for value in personal:
        if value and lowered == value.strip().lower():
            return "The password must not be your username, email address or name: choose another."
    return None
