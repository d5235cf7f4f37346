"""The permission matrix: its README copy, its refusal messages."""

from __future__ import annotations

from pathlib import Path

from casework.permissions import MATRIX, Permission, Role, allows, markdown_table, who_may

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_shows_the_matrix_as_it_is_in_code():
    text = README.read_text()
    start, end = text.index("<!-- permissions:start -->"), text.index("<!-- permissions:end -->")
    assert text[start:end].split("\n", 1)[1].strip() == markdown_table()


def test_every_permission_has_a_row_and_only_known_roles():
    assert set(MATRIX) == set(Permission)
    known = {"public", *Role}
    assert all(roles <= known for roles in MATRIX.values())


def test_refusals_name_who_may():
    assert who_may(Permission.SUPERVISE) == "Only supervisors, managers and administrators may do this."
    assert who_may(Permission.SKIP_STEPS) == "Only administrators may do this."
    assert allows(None, Permission.REPORT) and not allows(None, Permission.USE_APP)
