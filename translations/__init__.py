"""The languages the public pages and the reporter's messages are written in, and their
translations (gettext catalogues in ``translations/``, compiled from the .po files when stale).

The web pages use these catalogues through Flask-Babel; messages sent outside a request (the
acknowledgement, the tracking code, updates) use ``translator`` with the reporter's stored language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DEFAULT = "en"
# Each language's name in itself, as the language switch shows it.
LANGUAGES: dict[str, str] = {"en": "English", "ur": "اردو", "pl": "Polski"}
RIGHT_TO_LEFT = frozenset({"ur"})
DIRECTORY = Path(__file__).resolve().parent
DOMAIN = "messages"


def known(language: str | None) -> str:
    """``language`` if the pages are written in it, else English."""
    return language if language in LANGUAGES else DEFAULT


def direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def compile_catalogues(directory: Path = DIRECTORY) -> list[Path]:
    """Compile each ``<lang>/LC_MESSAGES/messages.po`` whose .mo is missing or older; returns the
    .mo files written (the set-up runs ``pybabel compile`` too; this keeps a fresh checkout working)."""
    written: list[Path] = []
    for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalogue)
        written.append(mo)
    translations.cache_clear()
    return written


@cache
def translations(language: str) -> Translations:
    found = Translations.load(str(DIRECTORY), [known(language)], DOMAIN)
    return found if isinstance(found, Translations) else Translations()


def translator(language: str | None) -> Callable[..., str]:
    """``gettext`` in ``language`` (English for an unknown one), with %-style placeholders:
    ``_("Your report %(reference)s", reference=...)`` as in the templates."""
    catalogue = translations(known(language))

    def gettext(message: str, **values: object) -> str:
        text = catalogue.gettext(message)
        return text % values if values else text

    return gettext
