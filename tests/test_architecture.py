"""Layering rules: only processes/ imports SpiffWorkflow; the web layer commits nothing itself."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["processes", "handlers", "webapp", "db", "casework", "benchmarks"]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py")) if (ROOT / package).exists() else []


def test_only_processes_imports_spiffworkflow():
    offenders = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        if package != "processes"
        for path in python_files(package)
        if any(name.split(".")[0] == "SpiffWorkflow" for name in imported_modules(path))
    ]
    assert offenders == []
    assert any("SpiffWorkflow" in ".".join(imported_modules(p)) for p in python_files("processes"))


def test_views_do_not_commit_or_write_sql():
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("webapp")
        if path.name not in {"cli.py", "storage.py"}
        and (".commit()" in path.read_text() or "select(" in path.read_text())
    ]
    assert offenders == []


def test_the_worker_and_casework_do_not_import_the_web_package():
    """Settings live in casework/settings.py, so a Celery worker does not load Flask's app."""
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("casework", "jobs", "processes", "handlers", "db")
        for path in python_files(package)
        if any(name.split(".")[0] == "webapp" for name in imported_modules(path))
    ]
    assert offenders == []
