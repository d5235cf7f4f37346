"""Architecture rules, read from the syntax tree of every module outside tests/.

Layers, bottom to top (a module imports only from its own package or a lower layer):

    db (0) -> processes (1) -> handlers (2) -> casework (3) -> jobs | webapp (4) -> benchmarks (5)

jobs and webapp share a layer and so may not import each other. tests/ may import anything and is
not checked. Imports count wherever they are written: module level, inside functions, under
``if TYPE_CHECKING:``, and ``__import__``/``importlib.import_module`` with a literal name.
Relative imports are resolved; ``__future__``, the standard library and third-party packages are
ignored by the layer rules.

Rules:
1. Only processes/ imports SpiffWorkflow (and processes/ does import it, so the rule is not vacuous).
2. Only the case step (casework/steps.py) calls ``.commit()``.
3. webapp/ writes no SQL: no SQL constructs imported from sqlalchemy, no ``.execute()``,
   ``.scalar()``, ``.scalars()`` or ``.query()`` calls.
4. No upward imports (the layer table above); nothing outside tests/ imports tests/.
5. No loops in the package-level import graph.

Each rule is a function from parsed modules to offences ("path:line: what was found"); the
``test_rule_*_catches_*`` self-tests feed each one a synthetic module so no rule passes vacuously.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAYERS: dict[str, int] = {
    "db": 0,
    "translations": 0,  # the gettext catalogues: imports nothing of ours
    "processes": 1,
    "handlers": 2,
    "casework": 3,
    "jobs": 4,
    "webapp": 4,
    "benchmarks": 5,
}
EXEMPT_PACKAGES = frozenset({"tests"})  # may import anything; not checked
# The benchmarks seed and drive cases with the test suite's own helpers (seed data, service
# launchers, the walk's answers), so a benchmark measures what the tests check.
MAY_IMPORT_TESTS = frozenset({"benchmarks"})
FIRST_PARTY = frozenset(LAYERS) | EXEMPT_PACKAGES

# Rule 2. The one module that commits: the case step, which ends every unit of work.
# db/ needs no exemption: its schema setup (Database.upgrade, migrations/env.py) runs inside
# ``engine.begin()`` blocks and calls no ``.commit()``. (``with engine.begin():`` and
# ``with session.begin():`` commit on leaving the block; the rule does not count them.)
COMMIT_ALLOWED = frozenset({"casework/steps.py"})

# Rule 3.
SQL_CONSTRUCTS = frozenset({"select", "update", "delete", "insert", "text", "func", "exists", "or_", "and_"})
SQL_CALLS = frozenset({"execute", "scalar", "scalars", "query"})

SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})


# ---------------------------------------------------------------------------------------------
# Reading modules


@dataclass(frozen=True)
class Module:
    path: str  # relative to the repository root, with "/" separators: "webapp/api/cases.py"
    tree: ast.Module

    @property
    def package(self) -> str:
        return self.path.split("/", 1)[0]

    @property
    def dotted_package(self) -> str:
        """The package this module's relative imports start from ("webapp.api" for webapp/api/x.py)."""
        return ".".join(self.path.split("/")[:-1])


@dataclass(frozen=True)
class Import:
    path: str
    line: int
    module: str  # absolute: "casework.tasks", "SpiffWorkflow.bpmn", "sqlalchemy"
    names: tuple[str, ...]  # the names of ``from module import a, b``; () for ``import module``
    source: str  # the statement as written, for messages

    @property
    def top(self) -> str:
        return self.module.split(".", 1)[0]

    def where(self) -> str:
        return f"{self.path}:{self.line}: {self.source}"


@dataclass(frozen=True)
class Call:
    path: str
    line: int
    attribute: str  # "commit" for ``self.session.commit()``
    source: str

    def where(self) -> str:
        return f"{self.path}:{self.line}: {self.source}"


def parse(source: str, path: str) -> Module:
    """A module from source text and a pretend path (the self-tests' way in)."""
    return Module(path=path, tree=ast.parse(source, filename=path))


def package_dirs() -> list[str]:
    """Every top-level directory holding Python source, hidden and tool directories aside."""
    return sorted(
        entry.name
        for entry in ROOT.iterdir()
        if entry.is_dir()
        and not entry.name.startswith(".")
        and entry.name not in SKIPPED_DIRS
        and any(entry.rglob("*.py"))
    )


def checked_modules() -> list[Module]:
    return [
        parse(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
        for package in sorted(LAYERS)
        for path in sorted((ROOT / package).rglob("*.py"))
        if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts)
    ]


def _resolve(module: Module, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    parts = module.dotted_package.split(".")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _dynamic_import(node: ast.Call) -> str | None:
    """The literal name given to ``__import__(...)`` or ``importlib.import_module(...)``."""
    func = node.func
    named = (isinstance(func, ast.Name) and func.id in {"__import__", "import_module"}) or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    )
    if named and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def imports(module: Module) -> Iterator[Import]:
    """Every import in the module, at any depth, ``from __future__`` aside."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module.path, node.lineno, alias.name, (), ast.unparse(node))
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names = tuple(alias.name for alias in node.names)
            yield Import(module.path, node.lineno, _resolve(module, node), names, ast.unparse(node))
        elif isinstance(node, ast.Call) and (name := _dynamic_import(node)):
            yield Import(module.path, node.lineno, name, (), ast.unparse(node))


def attribute_calls(module: Module) -> Iterator[Call]:
    """Every call whose function is an attribute: ``x.commit()``, ``self.session.execute(...)``."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield Call(module.path, node.lineno, node.func.attr, ast.unparse(node))


def first_party_imports(module: Module) -> Iterator[Import]:
    """Imports of this repository's packages (resolving ``from . import x`` to its package)."""
    for imp in imports(module):
        if imp.top in FIRST_PARTY:
            yield imp


def in_file_order(offences: Iterable[str]) -> list[str]:
    """Offences ("path:line: ...") sorted by file, then line."""

    def place(offence: str) -> tuple[str, int]:
        path, _, rest = offence.partition(":")
        line = rest.split(":", 1)[0]
        return (path, int(line)) if line.isdigit() else (offence, 0)

    return sorted(offences, key=place)


def report(rule: str, offences: list[str]) -> str:
    return f"{rule}: {len(offences)} offence(s)\n  " + "\n  ".join(offences)


# ---------------------------------------------------------------------------------------------
# The rules: each takes parsed modules and returns its offences


def spiffworkflow_offences(modules: Iterable[Module]) -> list[str]:
    """Rule 1: SpiffWorkflow is imported in processes/ and nowhere else."""
    offences: list[str] = []
    processes_uses_it = False
    for module in modules:
        for imp in imports(module):
            if imp.top != "SpiffWorkflow":
                continue
            if module.package == "processes":
                processes_uses_it = True
            else:
                offences.append(f"{imp.where()}  (SpiffWorkflow outside processes/)")
    if not processes_uses_it:
        offences.append("processes/: imports SpiffWorkflow nowhere (the rule would pass vacuously)")
    return in_file_order(offences)


def commit_offences(modules: Iterable[Module]) -> list[str]:
    """Rule 2: ``.commit()`` is called only in the case step."""
    return in_file_order(
        f"{call.where()}  (commit outside {', '.join(sorted(COMMIT_ALLOWED))})"
        for module in modules
        if module.path not in COMMIT_ALLOWED
        for call in attribute_calls(module)
        if call.attribute == "commit"
    )


def _sql_construct_imports(module: Module) -> Iterator[str]:
    """``from sqlalchemy[.sub] import select, ...``"""
    for imp in imports(module):
        if imp.top == "sqlalchemy" and (found := sorted(SQL_CONSTRUCTS.intersection(imp.names))):
            yield f"{imp.where()}  (SQL construct(s) {', '.join(found)} in webapp/)"


def _sql_construct_attributes(module: Module) -> Iterator[str]:
    """``sa.select`` after ``import sqlalchemy as sa``."""
    aliases = {
        alias.asname or alias.name
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "sqlalchemy"
    }
    for node in ast.walk(module.tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in SQL_CONSTRUCTS
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            yield f"{module.path}:{node.lineno}: {ast.unparse(node)}  (SQL construct in webapp/)"


def _sql_calls(module: Module) -> Iterator[str]:
    """``session.execute(...)``, ``g.db.scalars(...)``, ``session.query(...)``."""
    for call in attribute_calls(module):
        if call.attribute in SQL_CALLS:
            yield f"{call.where()}  (.{call.attribute}() in webapp/)"


def webapp_sql_offences(modules: Iterable[Module]) -> list[str]:
    """Rule 3: webapp/ neither imports SQL constructs nor executes queries."""
    return in_file_order(
        offence
        for module in modules
        if module.package == "webapp"
        for find in (_sql_construct_imports, _sql_construct_attributes, _sql_calls)
        for offence in find(module)
    )


def upward_import_offences(modules: Iterable[Module]) -> list[str]:
    """Rule 4: a module imports only its own package or lower layers."""
    offences: list[str] = []
    for module in modules:
        own = module.package
        for imp in first_party_imports(module):
            target = imp.top
            if target == own:
                continue
            if target in EXEMPT_PACKAGES and own in MAY_IMPORT_TESTS:
                continue
            if target in EXEMPT_PACKAGES:
                offences.append(f"{imp.where()}  ({own} imports the {target} package)")
            elif LAYERS[target] >= LAYERS[own]:
                relation = "a sibling" if LAYERS[target] == LAYERS[own] else "a higher"
                offences.append(
                    f"{imp.where()}  ({own} (layer {LAYERS[own]}) imports {relation} layer: "
                    f"{target} (layer {LAYERS[target]}))"
                )
    return in_file_order(offences)


def package_graph(modules: Iterable[Module]) -> dict[str, dict[str, list[str]]]:
    """package -> imported package -> the imports making that edge ("path:line: statement")."""
    graph: dict[str, dict[str, list[str]]] = {}
    for module in modules:
        edges = graph.setdefault(module.package, {})
        for imp in first_party_imports(module):
            if imp.top != module.package and imp.top not in EXEMPT_PACKAGES:
                edges.setdefault(imp.top, []).append(imp.where())
    return graph


Graph = dict[str, dict[str, list[str]]]


def find_cycle(graph: Graph) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None if the graph is acyclic."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for successor in sorted(graph.get(node, {})):
            if cycle := visit(successor, [*path, node]):
                return cycle
        done.add(node)
        return None

    for start in sorted(graph):
        if cycle := visit(start, []):
            return cycle
    return None


def reachable(graph: Graph, start: str) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        for successor in graph.get(stack.pop(), {}):
            if successor not in seen:
                seen.add(successor)
                stack.append(successor)
    return seen


def loops(graph: Graph) -> list[list[str]]:
    """The groups of packages that all reach one another (each group holds at least one cycle)."""
    reach = {node: reachable(graph, node) for node in graph}
    groups = {
        tuple(sorted(other for other in graph if other in reach[node] and node in reach[other]))
        for node in graph
    }
    return sorted(list(group) for group in groups if len(group) > 1)


def package_loop_offences(modules: Iterable[Module]) -> list[str]:
    """Rule 5: the package-level import graph is acyclic.

    For each loop, one cycle and every import edge inside the loop (one of which must go).
    """
    graph = package_graph(modules)
    offences: list[str] = []
    for group in loops(graph):
        inside = {source: {t: w for t, w in graph[source].items() if t in group} for source in group}
        cycle = " -> ".join(find_cycle(inside) or group)
        offences.append(f"loop among {', '.join(group)}, e.g. {cycle}")
        offences.extend(
            f"  {source} -> {target}: {len(where)} import(s), e.g. {where[0]}"
            for source in group
            for target, where in sorted(inside[source].items())
        )
    return offences


# ---------------------------------------------------------------------------------------------
# The rules on this repository


@pytest.fixture(scope="module")
def modules() -> list[Module]:
    return checked_modules()


def test_every_package_is_in_the_layer_table(modules: list[Module]) -> None:
    unlisted = sorted(set(package_dirs()) - FIRST_PARTY)
    assert unlisted == [], f"top-level packages missing from LAYERS (add them with a layer): {unlisted}"
    empty = sorted(set(LAYERS) - {module.package for module in modules})
    assert empty == [], f"LAYERS names packages with no modules: {empty}"


def test_only_processes_imports_spiffworkflow(modules: list[Module]) -> None:
    offences = spiffworkflow_offences(modules)
    assert offences == [], report("Rule 1, only processes/ imports SpiffWorkflow", offences)


def test_only_the_case_step_commits(modules: list[Module]) -> None:
    offences = commit_offences(modules)
    assert offences == [], report("Rule 2, only casework/steps.py calls .commit()", offences)


def test_webapp_writes_no_sql(modules: list[Module]) -> None:
    offences = webapp_sql_offences(modules)
    assert offences == [], report("Rule 3, no SQL in webapp/ (move it to casework/)", offences)


def test_no_upward_imports(modules: list[Module]) -> None:
    offences = upward_import_offences(modules)
    layers = " -> ".join(f"{name} ({layer})" for name, layer in sorted(LAYERS.items(), key=lambda x: x[1]))
    assert offences == [], report(f"Rule 4, no upward imports [{layers}]", offences)


def test_no_package_loops(modules: list[Module]) -> None:
    offences = package_loop_offences(modules)
    assert offences == [], report("Rule 5, no loops between packages", offences)


# ---------------------------------------------------------------------------------------------
# Self-tests: each rule catches a synthetic offender, so none passes vacuously

SPIFF_IN_PROCESSES = parse("from SpiffWorkflow.bpmn import BpmnWorkflow\n", "processes/engine.py")


def test_rule_1_catches_spiffworkflow_outside_processes() -> None:
    lazy = parse("def f():\n    import SpiffWorkflow.bpmn as b\n", "webapp/cases.py")
    typing_only = parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from SpiffWorkflow import Task\n",
        "casework/tasks.py",
    )
    offences = spiffworkflow_offences([SPIFF_IN_PROCESSES, lazy, typing_only])
    assert [o.split(":")[:2] for o in offences] == [["casework/tasks.py", "3"], ["webapp/cases.py", "2"]]
    assert spiffworkflow_offences([SPIFF_IN_PROCESSES]) == []


def test_rule_1_catches_processes_not_using_spiffworkflow() -> None:
    offences = spiffworkflow_offences([parse("import lxml\n", "processes/engine.py")])
    assert len(offences) == 1 and "nowhere" in offences[0]


def test_rule_2_catches_commit_outside_the_step() -> None:
    source = (
        "def save(self, session):\n    session.commit()\n    self.session.commit()\n    session.close()\n"
    )
    offences = commit_offences([parse(source, "webapp/cases.py"), parse(source, "db/database.py")])
    assert [o.split(":")[:2] for o in offences] == [
        ["db/database.py", "2"],
        ["db/database.py", "3"],
        ["webapp/cases.py", "2"],
        ["webapp/cases.py", "3"],
    ]
    assert commit_offences([parse(source, "casework/steps.py")]) == []


def test_rule_3_catches_sql_in_webapp() -> None:
    source = (
        "import sqlalchemy as sa\n"
        "from sqlalchemy import select, Integer\n"
        "from sqlalchemy.sql import func\n"
        "def view(session):\n"
        "    from sqlalchemy import text\n"
        "    session.execute(text('select 1'))\n"
        "    session.scalars(sa.select(1))\n"
        "    g.db.scalar(1)\n"
        "    session.query(Case)\n"
    )
    offences = webapp_sql_offences([parse(source, "webapp/api/cases.py")])
    assert [int(o.split(":")[1]) for o in offences] == [2, 3, 5, 6, 7, 7, 8, 9]
    assert webapp_sql_offences([parse(source, "casework/cases.py")]) == []
    assert webapp_sql_offences([parse("from sqlalchemy.exc import SQLAlchemyError\n", "webapp/x.py")]) == []


def test_rule_4_catches_upward_imports() -> None:
    checked = [
        parse("from casework import tasks\n", "handlers/risk.py"),  # upward
        parse("def f():\n    import webapp.config\n", "jobs/tasks.py"),  # sibling, lazy
        parse("from ..cases import x\n", "webapp/api/cases.py"),  # relative, own package: fine
        parse("from .. import jobs\n", "webapp/api/cases.py"),  # relative, own package: fine
        parse("from processes.engine import Engine\n", "casework/tasks.py"),  # downward: fine
        parse("from tests.diagrams import D\n", "casework/trial.py"),  # production imports tests
        parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import jobs\n", "casework/x.py"),
        parse("import importlib\nimportlib.import_module('webapp.app')\n", "processes/x.py"),
    ]
    offences = upward_import_offences(checked)
    assert [o.split(":")[:2] for o in offences] == [
        ["casework/trial.py", "1"],
        ["casework/x.py", "3"],
        ["handlers/risk.py", "1"],
        ["jobs/tasks.py", "2"],
        ["processes/x.py", "2"],
    ]


def test_relative_imports_resolve_to_absolute_modules() -> None:
    module = parse("from . import a\nfrom .b import c\nfrom ..d import e\n", "webapp/api/cases.py")
    assert [imp.module for imp in imports(module)] == ["webapp.api", "webapp.api.b", "webapp.d"]
    init = parse("from .x import y\n", "casework/__init__.py")
    assert [imp.module for imp in imports(init)] == ["casework.x"]


def test_rule_5_catches_package_loops() -> None:
    checked = [
        parse("import handlers.risk\n", "processes/a.py"),
        parse("from casework import x\n", "handlers/b.py"),
        parse("def f():\n    from processes import y\n", "casework/c.py"),
        parse("import db\n", "webapp/d.py"),
    ]
    offences = package_loop_offences(checked)
    assert (
        offences[0]
        == "loop among casework, handlers, processes, e.g. casework -> processes -> handlers -> casework"
    )
    assert "casework -> processes: 1 import(s), e.g. casework/c.py:2" in offences[1]
    assert len(offences) == 4  # the cycle and its three edges; webapp -> db is in no loop
    assert package_loop_offences(checked[1:]) == []
    two_loops = [*checked, parse("import webapp\n", "db/x.py")]
    assert [o for o in package_loop_offences(two_loops) if o.startswith("loop")] == [
        "loop among casework, handlers, processes, e.g. casework -> processes -> handlers -> casework",
        "loop among db, webapp, e.g. db -> webapp -> db",
    ]
