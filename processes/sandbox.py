"""Code written in a diagram runs here, restricted: uploaded BPMN is code.

Conditions, script tasks, timer expressions and service parameters are Python that the engine
evaluates. SpiffWorkflow would hand them to plain ``eval``/``exec``; here each one is compiled by
RestrictedPython (no name or attribute starting with ``_``, no frame, code or generator
internals) and runs with a short list of builtins, guarded attribute, item and write access,
size limits on ``*``, ``**``, ``<<`` and ``range``, and a step budget that stops a loop that
would never end.

``problems(source, mode)`` is the deploy-time check: the same rules, plus a refusal of what can
only be an attack or a mistake in a diagram (imports, ``while`` loops, ``open`` and its kind,
defining functions or classes), in words a process owner can act on.
"""

from __future__ import annotations

import ast
import builtins
import operator
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any, Literal

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, copy_locations

from processes import clock
from processes.working_days import working_days

Mode = Literal["eval", "exec"]
FILENAME = "<diagram>"
MAX_ITEMS = 1_000_000  # characters or items one ``*`` or ``range`` may make
MAX_BITS = 100_000  # size of an integer one ``**`` or ``<<`` may make
STEP_BUDGET = 200_000  # lines one evaluation may run


class SandboxViolation(Exception):
    """Diagram code tried something it may not do, or ran past a limit."""


class _Datetime(datetime):
    """``datetime`` whose ``now()`` is the engine's clock, so code in a diagram sees the step's time."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        instant = clock.now()
        return instant.astimezone(tz) if tz is not None else instant.astimezone(UTC).replace(tzinfo=None)


def _limited_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_ITEMS:
        raise SandboxViolation(f"range() of {len(result):,} numbers is more than the {MAX_ITEMS:,} allowed.")
    return result


def _mul(a: Any, b: Any) -> Any:
    for seq, times in ((a, b), (b, a)):
        if (
            isinstance(seq, str | bytes | list | tuple)
            and isinstance(times, int)
            and len(seq) * times > MAX_ITEMS
        ):
            raise SandboxViolation(f"That would make more than {MAX_ITEMS:,} characters or items.")
    return a * b


def _pow(a: Any, b: Any, mod: Any = None) -> Any:
    big = isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a).bit_length() * b > MAX_BITS
    if mod is None and big:
        raise SandboxViolation("That power is too large to compute.")
    return pow(a, b) if mod is None else pow(a, b, mod)


def _lshift(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and b + a.bit_length() > MAX_BITS:
        raise SandboxViolation("That shift is too large to compute.")
    return a << b


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.add,
    "-=": operator.sub,
    "*=": _mul,
    "/=": operator.truediv,
    "//=": operator.floordiv,
    "%=": operator.mod,
    "**=": _pow,
    "<<=": _lshift,
    ">>=": operator.rshift,
    "|=": operator.or_,
    "&=": operator.and_,
    "^=": operator.xor,
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    if op not in _INPLACE:
        raise SandboxViolation(f"The operator {op} is not allowed.")
    return _INPLACE[op](target, value)


def _getitem(container: Any, key: Any) -> Any:
    return container[key]


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


_BUILTIN_NAMES = (
    *("abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "frozenset", "int"),
    *("isinstance", "len", "list", "map", "max", "min", "reversed", "round", "set", "sorted", "str"),
    *("sum", "tuple", "zip", "ValueError", "KeyError", "TypeError"),
)
ALLOWED_BUILTINS: dict[str, Any] = {
    **{name: getattr(builtins, name) for name in _BUILTIN_NAMES},
    "range": _limited_range,
    "pow": _pow,
}
HELPERS: dict[str, Any] = {
    "datetime": _Datetime,
    "date": date,
    "timedelta": timedelta,
    "timezone": timezone,
    "working_days": working_days,
}
# What a diagram may not call, with the reason a process owner is told.
REFUSED_NAMES: dict[str, str] = {
    "open": "reading or writing files is not allowed",
    "eval": "running code held in text is not allowed",
    "exec": "running code held in text is not allowed",
    "compile": "running code held in text is not allowed",
    "getattr": "looking inside objects is not allowed",
    "setattr": "changing objects' insides is not allowed",
    "delattr": "changing objects' insides is not allowed",
    "vars": "looking inside objects is not allowed",
    "dir": "looking inside objects is not allowed",
    "globals": "looking inside the engine is not allowed",
    "locals": "looking inside the engine is not allowed",
    "type": "looking inside objects is not allowed",
    "object": "looking inside objects is not allowed",
    "super": "looking inside objects is not allowed",
    "memoryview": "raw memory access is not allowed",
    "input": "diagram code cannot wait for input",
    "print": "diagram code cannot print; put the value in the case data",
    "breakpoint": "diagram code cannot start a debugger",
    "exit": "diagram code cannot stop the server",
    "quit": "diagram code cannot stop the server",
}
_BINOP_GUARDS: dict[type[ast.operator], str] = {ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_"}


class Policy(RestrictingNodeTransformer):
    """RestrictedPython's rules, with ``*``, ``**`` and ``<<`` sent through size checks."""

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        return call


def _refusal(node: ast.AST) -> str | None:  # noqa: C901  one flat list of cases
    line = f" (line {node.lineno})" if hasattr(node, "lineno") else ""
    if isinstance(node, ast.Import | ast.ImportFrom):
        return f"imports are not allowed{line}"
    if isinstance(node, ast.While):
        return f"while loops are not allowed{line}: loop over a list with 'for' so the loop always ends"
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return f"defining functions or classes is not allowed{line}"
    if isinstance(node, ast.Global | ast.Nonlocal | ast.Yield | ast.YieldFrom | ast.Await):
        return f"'{type(node).__name__.lower()}' is not allowed{line}"
    if isinstance(node, ast.With | ast.AsyncWith | ast.AsyncFor | ast.Try):
        return f"'{type(node).__name__.lower()}' blocks are not allowed{line}"
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            return f"names starting with an underscore are not allowed ('{node.id}'){line}"
        if node.id in REFUSED_NAMES:
            return f"'{node.id}' cannot be used{line}: {REFUSED_NAMES[node.id]}"
    if isinstance(node, ast.Attribute):
        if node.attr.startswith("_") or node.attr in INSPECT_ATTRIBUTES:
            return f"the attribute '{node.attr}' is not allowed{line}: looking inside objects is not allowed"
        if node.attr in ("format", "format_map"):
            return f"'.{node.attr}()' is not allowed{line}: use an f-string"
    return _too_large(node, line)


_PADDING = ("ljust", "rjust", "center", "zfill", "expandtabs")


class _Huge(Exception):
    """A constant expression whose value would be too large to work out."""


def _constant(node: ast.AST) -> int | None:
    """The value of a whole-number expression made of constants only (``_Huge`` if too large)."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if not isinstance(node, ast.BinOp) or not isinstance(node.op, ast.Mult | ast.Pow | ast.Add | ast.LShift):
        return None
    left, right = _constant(node.left), _constant(node.right)
    if left is None or right is None:
        return None
    size = abs(left).bit_length()
    bits = {ast.Mult: size + abs(right).bit_length(), ast.Pow: size * right, ast.LShift: size + right}
    if bits.get(type(node.op), 0) > MAX_BITS:
        raise _Huge
    if isinstance(node.op, ast.Pow):
        return int(left**right)
    return (
        left << right
        if isinstance(node.op, ast.LShift)
        else left * right
        if isinstance(node.op, ast.Mult)
        else left + right
    )


def _is_sequence(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | bytes)
    return isinstance(node, ast.List | ast.Tuple | ast.JoinedStr | ast.ListComp)


def _too_large(node: ast.AST, line: str) -> str | None:
    """What can be seen to be too large before it runs: a padding width, a repeat count, a number."""
    try:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _PADDING:
            width = _constant(node.args[0]) if node.args else None
            if width is not None and width > MAX_ITEMS:
                return f"'.{node.func.attr}()' to {width:,} characters is too large{line}"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            for side, other in ((node.left, node.right), (node.right, node.left)):
                count = _constant(side)
                if _is_sequence(other) and count is not None and count > MAX_ITEMS:
                    return f"repeating something {count:,} times is too many{line}"
        elif isinstance(node, ast.BinOp):
            _constant(node)
    except _Huge:
        return f"that number is too large to work with{line}"
    return None


@lru_cache(maxsize=2048)
def _checked(source: str, mode: Mode) -> tuple[CodeType | None, tuple[str, ...]]:
    try:
        tree = ast.parse(source, FILENAME, mode=mode)
    except SyntaxError as err:
        where = f" on line {err.lineno}" if err.lineno and "\n" in source.strip() else ""
        return None, (f"Python syntax error{where}: {err.msg}",)
    found = [message for node in ast.walk(tree) if (message := _refusal(node))]
    if found:
        return None, tuple(dict.fromkeys(found))
    compile_mode = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compile_mode(source, FILENAME, policy=Policy)
    return result.code, tuple(result.errors)


def problems(source: str, mode: Mode) -> list[str]:
    """What is wrong with ``source`` as diagram code, in plain words; empty when it may run."""
    return list(_checked(source, mode)[1])


class _Budget:
    """A trace function that counts the lines diagram code runs and stops it past the budget."""

    def __init__(self, steps: int) -> None:
        self.left = steps

    def call(self, frame: FrameType, event: str, arg: Any) -> Any:
        return self.line if frame.f_code.co_filename == FILENAME else None

    def line(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.left -= 1
            if self.left < 0:
                raise SandboxViolation("The diagram's code ran too long (a loop that does not end?).")
        return self.line


@contextmanager
def _step_budget(steps: int = STEP_BUDGET) -> Iterator[None]:
    previous = sys.gettrace()
    sys.settrace(_Budget(steps).call)
    try:
        yield
    finally:
        sys.settrace(previous)


def restricted_globals() -> dict[str, Any]:
    """The guards RestrictedPython's compiled code calls, the allowed builtins and the helpers."""
    return {
        "__builtins__": ALLOWED_BUILTINS,
        "_getattr_": safer_getattr,
        "_getitem_": _getitem,
        "_getiter_": iter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        "_apply_": _apply,
        "_mul_": _mul,
        "_pow_": _pow,
        "_lshift_": _lshift,
        **HELPERS,
    }


def code_for(source: str, mode: Mode) -> CodeType:
    """The restricted code for ``source``; refuses what the deploy check refuses."""
    code, found = _checked(source, mode)
    if found or code is None:
        raise SandboxViolation("; ".join(found) or "The code could not be compiled.")
    return code


def run(code: CodeType, namespace: dict[str, Any]) -> Any:
    """Evaluate or execute restricted ``code`` in ``namespace`` within the step budget."""
    with _step_budget():
        return eval(code, namespace)  # compiled by RestrictedPython, run with its guards
