"""Localities: the estates, wards and areas admins keep as reference data (issue 16.3).

Staff intake offers the active ones; a public report whose address has a postcode a locality
lists gets that locality; the indicators count cases by it. A rename keeps the old name in
``locality_renames`` and cases keep pointing to the locality (``Case.locality_id``); the name a
case shows (``Case.locality``, what the indicators and filters read) follows the rename.
Deactivating a locality takes it off the forms; its cases keep it.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from casework import steps
from db.models import Case, Locality, LocalityRename, User

KINDS: dict[str, str] = {"estate": "Estate", "ward": "Ward", "area": "Area"}
NAME_MAX = 120
# A full postcode, a sector ("LS9 8") or an outward code ("LS9"), as admins list them.
_ENTRY = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?( \d([A-Z]{2})?)?$")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b")

DEMO: list[tuple[str, str, list[str]]] = [
    ("Riverside Estate", "estate", ["LS9 8", "LS9 9"]),
    ("Hillside Ward", "ward", ["LS6"]),
    ("Town Centre", "area", ["LS1", "LS2"]),
]


class LocalityError(ValueError):
    """A change to the localities that cannot be made; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def everything(session: Session) -> list[Locality]:
    return list(session.scalars(select(Locality).order_by(Locality.active.desc(), Locality.name)))


def active(session: Session) -> list[Locality]:
    return list(session.scalars(select(Locality).where(Locality.active.is_(True)).order_by(Locality.name)))


def renames(session: Session) -> dict[int, list[LocalityRename]]:
    """Each locality's earlier names, oldest first."""
    found: dict[int, list[LocalityRename]] = {}
    for row in session.scalars(select(LocalityRename).order_by(LocalityRename.renamed_at, LocalityRename.id)):
        found.setdefault(row.locality_id, []).append(row)
    return found


def parse_postcodes(text: str) -> list[str]:
    """Postcodes typed one a line or separated by commas, upper case and single-spaced; raises
    ``LocalityError`` naming the first that is not a postcode, sector or outward code."""
    entries = []
    for raw in re.split(r"[,\n;]", text):
        entry = " ".join(raw.upper().split())
        if not entry:
            continue
        if not _ENTRY.match(entry) and _POSTCODE.fullmatch(entry.replace(" ", "")):
            found = _POSTCODE.fullmatch(entry.replace(" ", ""))
            assert found is not None
            entry = f"{found.group(1)} {found.group(2)}"
        if not _ENTRY.match(entry):
            raise LocalityError(
                "postcodes",
                f"“{raw.strip()}” is not a postcode: enter full postcodes (LS9 8AB), sectors (LS9 8) "
                "or the first half (LS9), one a line or separated by commas.",
            )
        if entry not in entries:
            entries.append(entry)
    return entries


def _checked_name(session: Session, name: str, *, other_than: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise LocalityError("name", "Enter the locality's name.")
    if len(name) > NAME_MAX:
        raise LocalityError("name", f"Enter a name of no more than {NAME_MAX} characters.")
    taken = session.scalar(
        select(Locality.id).where(func.lower(Locality.name) == name.lower(), Locality.id != (other_than or 0))
    )
    if taken is not None:
        raise LocalityError("name", f"There is already a locality called “{name}”: choose another name.")
    return name


def add(step: steps.CaseStep, name: str, kind: str, postcodes: str) -> Locality:
    if kind not in KINDS:
        raise LocalityError("kind", "Choose whether it is an estate, a ward or an area.")
    locality = Locality(
        name=_checked_name(step.session, name),
        kind=kind,
        postcodes=parse_postcodes(postcodes),
        active=True,
        created_at=step.now,
    )
    step.session.add(locality)
    step.session.flush()
    step.audit(
        "locality-added",
        subject_type="locality",
        subject=str(locality.id),
        detail=f"Added {KINDS[kind].lower()} “{locality.name}” ({_listed(locality.postcodes)})",
    )
    return locality


def change(step: steps.CaseStep, locality_id: int, name: str, postcodes: str, *, by: User) -> Locality:
    """Rename ``locality`` and/or change its postcodes. A rename keeps the old name and moves the
    name its cases show; the audit entry records before and after."""
    locality = _get(step.session, locality_id)
    new_name = _checked_name(step.session, name, other_than=locality.id)
    new_postcodes = parse_postcodes(postcodes)
    before = f"“{locality.name}” ({_listed(locality.postcodes)})"
    if new_name != locality.name:
        step.session.add(
            LocalityRename(
                locality_id=locality.id,
                old_name=locality.name,
                new_name=new_name,
                renamed_at=step.now,
                renamed_by_id=by.id,
            )
        )
        # The name cases show is the locality's: it follows the rename (its history is above).
        step.session.execute(
            update(Case).where(Case.locality_id == locality.id).values(locality=new_name),
            execution_options={"synchronize_session": False},
        )
        locality.name = new_name
    locality.postcodes = new_postcodes
    step.audit(
        "locality-changed",
        subject_type="locality",
        subject=str(locality.id),
        detail=f"Before: {before}; after: “{new_name}” ({_listed(new_postcodes)})",
    )
    return locality


def set_active(step: steps.CaseStep, locality_id: int, active: bool) -> Locality:
    locality = _get(step.session, locality_id)
    locality.active = active
    step.audit(
        "locality-reactivated" if active else "locality-deactivated",
        subject_type="locality",
        subject=str(locality.id),
        detail=f"“{locality.name}” {offered_words(active)}",
    )
    return locality


def offered_words(active: bool) -> str:
    return "offered on the forms again" if active else "no longer offered on the forms"


def _listed(postcodes: list[str]) -> str:
    return ", ".join(postcodes) or "no postcodes"


def _get(session: Session, locality_id: int) -> Locality:
    locality = session.get(Locality, locality_id)
    if locality is None:
        raise LookupError(f"no locality {locality_id}")
    return locality


def for_postcode(session: Session, text: str | None) -> Locality | None:
    """The active locality listing the postcode in ``text`` (an address): the one with the most
    precise entry (full postcode, then sector, then outward code); None when none lists it."""
    found = _POSTCODE.search((text or "").upper())
    if found is None:
        return None
    postcode = f"{found.group(1)} {found.group(2)}"
    best: tuple[int, Locality] | None = None
    for locality in active(session):
        for entry in locality.postcodes or []:
            fits = postcode == entry or postcode.startswith(entry if " " in entry else entry + " ")
            if fits and (best is None or len(entry) > best[0]):
                best = (len(entry), locality)
    return best[1] if best else None


def called(session: Session, name: str | None) -> Locality | None:
    """The locality named ``name`` (any case), active or not."""
    if not name:
        return None
    return session.scalar(select(Locality).where(func.lower(Locality.name) == " ".join(name.split()).lower()))


def for_report(session: Session, name: str | None, address: str | None) -> Locality | None:
    """The locality of a new report: the one named, else the one its address's postcode is in."""
    return called(session, name) if name else for_postcode(session, address)


def seed_demo(session: Session, *, now: datetime) -> list[str]:
    """The demo localities not yet there (``flask init`` in demo mode); their names."""
    created = []
    for name, kind, postcodes in DEMO:
        if called(session, name) is None:
            session.add(Locality(name=name, kind=kind, postcodes=postcodes, active=True, created_at=now))
            created.append(name)
    return created
