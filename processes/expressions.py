"""Every timer, condition, script and message payload in a diagram, evaluated at deploy time the way
the engine will evaluate it, on sample data taken from the diagram's forms and the start data.

The static checks (``processes.validation``) see that code parses and that the sandbox allows it;
they cannot see that ``PT3X`` (a bare word, so a Python name) is no time at all, that
``working_days("x")`` raises, or that a dictionary lookup gives a value the timer cannot use. A
trial case finds such faults only on the way to its first wait. Here each expression runs in the
engine's own restricted environment (``engine.RestrictedEnvironment``) on a sample of the data a
case would hold: each form field with a value of its type (each option of a choice the expression
reads, in turn), and the process's start data when the caller knows it. A timer's value is then
read by the same SpiffWorkflow function that reads it at run time (``engine.readable_time``).

A name that only a script, a scored form or a message sets has no value here; an expression that
needs one is skipped rather than blamed (no false alarms).
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from processes import engine, sandbox
from processes.errors import Problem
from processes.forms import FormField
from processes.validation import CODE, TIMER_TAGS, owner_of, problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
ISO_LITERAL = re.compile(r"^(R\d*/)?(P[\dYMWDTHS.,]+|\d{4}-\d{2}-\d{2}T[\d:.+\-Z]+)(/P[\dYMWDTHS.,]+)?$")
# What a typo of an ISO 8601 time looks like: a bare word beginning like one.
ISO_ATTEMPT = re.compile(r"^(R\d*|P\d|PT\d|\d{4}-?\d{2})", re.IGNORECASE)
KINDS = {
    "timeDuration": "an ISO 8601 duration such as PT3H or P2D",
    "timeDate": "an ISO 8601 date and time such as 2026-03-27T09:00:00Z",
    "timeCycle": "an ISO 8601 cycle such as R3/PT1H",
}
MAX_SAMPLES = 16  # combinations of choices one expression is tried with
SAMPLE_DATE = "2026-03-27"
# A value's error that may come from the sample value, not from the code (an int() of a sample
# text): reported only when the expression reads no data at all.
DATA_DEPENDENT = (ValueError, KeyError, IndexError, LookupError)


def engine_source(text: str) -> str:
    """The timer text as the engine evaluates it: a bare ISO literal (what the Camunda panel
    writes, ``PT24H``) quoted, anything else as written."""
    text = text.strip()
    return repr(text) if ISO_LITERAL.match(text) else text


def _local(node: Any) -> str:
    tag = node.tag if isinstance(node.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def _sample(field: FormField) -> list[Any]:
    """The values a case may hold for ``field``: every option of a choice, both answers of a
    yes/no question, one value of any other type."""
    if field.type == "enum":
        options = [o.id for o in field.options] or [""]
        return [[o] for o in options] if field.multiple else options
    if field.type == "boolean":
        return [True, False]
    if field.type == "long":
        default = field.default or ""
        return [int(default) if default.lstrip("-").isdigit() else 1]
    if field.type == "date":
        return [SAMPLE_DATE]
    return [field.default or "sample text"]


def _assigned(source: str, mode: str) -> set[str]:
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


class Samples:
    """What a case of this diagram may hold: form fields (each with its possible values) and the
    start data; and the names only known at run time (set by scripts, scores or messages)."""

    def __init__(self, tree: Any, start_data: Mapping[str, Any] | None) -> None:
        self.known_start = start_data is not None
        self.values: dict[str, list[Any]] = {k: [v] for k, v in (start_data or {}).items()}
        self.later: set[str] = set()
        self.free: set[str] = set()  # free text: what a person types is not known here
        self._forms(tree)
        for node in tree.iter(*CODE):
            if CODE[node.tag][0] == "exec":
                self.later |= _assigned(node.text or "", "exec")
        for task in tree.iter(f"{{{BPMN_NS}}}serviceTask"):  # where SpiffWorkflow keeps its result
            self.later.add(f"spiff__{(task.get('id') or '').replace('-', '_')}_result")
        for node in tree.iter():
            if _local(node) in ("message", "messageVariable") or node.get("messageVariable"):
                self.later |= {node.get("name") or "", node.get("messageVariable") or "", node.text or ""}
        self.later = {name.strip() for name in self.later if name and name.strip()} - set(self.values)

    def _forms(self, tree: Any) -> None:
        from processes.diagram import read_form  # diagram imports this module

        for tag in ("userTask", "startEvent"):
            for node in tree.iter(f"{{{BPMN_NS}}}{tag}"):
                try:
                    fields = read_form(node)
                except ValueError:
                    continue  # diagram.py names the bad constraint
                for field in fields:
                    self.values.setdefault(field.id, _sample(field))
                    if field.type == "string":
                        self.free.add(field.id)
                self._scored(node)

    def _scored(self, task: Any) -> None:
        for prop in task.iter(f"{{{CAMUNDA_NS}}}property"):
            if prop.get("name") == "scoring" and prop.get("value"):
                prefix = prop.get("value")
                self.later |= {
                    f"{prefix}_{part}"
                    for part in (
                        "score",
                        "band",
                        "level",
                        "overridden",
                        "critical",
                        "lowering_requested",
                        "requested_level",
                    )
                }

    def knows(self, name: str) -> bool:
        return name in self.values or name in self.later

    def cases(self, source: str, mode: str) -> Iterator[dict[str, Any]]:
        """Sample data for ``source``: every combination of the values of the names it reads,
        up to ``MAX_SAMPLES``."""
        try:
            read = sorted(
                {n.id for n in ast.walk(ast.parse(source, mode=mode)) if isinstance(n, ast.Name)}
                & set(self.values)
            )
        except SyntaxError:
            read = []
        base = {k: v[0] for k, v in self.values.items()}
        choices = [self.values[name] for name in read]
        for combination in itertools.islice(itertools.product(*choices), MAX_SAMPLES):
            yield {**base, **dict(zip(read, combination, strict=True))}

    def reads_free_text(self, source: str) -> bool:
        try:
            names = {n.id for n in ast.walk(ast.parse(source, mode="eval")) if isinstance(n, ast.Name)}
        except SyntaxError:
            return False
        return bool(names & self.free)

    def reads_data(self, source: str, mode: str) -> bool:
        try:
            names = {n.id for n in ast.walk(ast.parse(source, mode=mode)) if isinstance(n, ast.Name)}
        except SyntaxError:
            return False
        return bool(names & (set(self.values) | self.later))


def _missing_name(err: BaseException) -> str | None:
    match = re.search(r"name '([^']+)' is not defined", str(err))
    return match.group(1) if match else None


def _plain(err: BaseException) -> str:
    if isinstance(err, ZeroDivisionError):
        return f"it divides by zero (ZeroDivisionError: {err})"
    name = _missing_name(err)
    if isinstance(err, NameError) and name:
        return f"nothing in the forms, the start data or a script sets '{name}'"
    if isinstance(err, KeyError):
        return f"there is no {err}"
    text = str(err).strip() or type(err).__name__
    return text if isinstance(err, sandbox.SandboxViolation) else f"{type(err).__name__}: {text}"


def _when(data: dict[str, Any], source: str, samples: Samples, mode: str) -> str:
    """`` when risk_level is 'low'``: the choices that made this sample, when there were several."""
    try:
        read = {n.id for n in ast.walk(ast.parse(source, mode=mode)) if isinstance(n, ast.Name)}
    except SyntaxError:
        return ""
    varied = [name for name in sorted(read) if len(samples.values.get(name, [])) > 1]
    if not varied:
        return ""
    return " when " + " and ".join(f"{name} is {data[name]!r}" for name in varied)


class _Checker:
    def __init__(self, samples: Samples) -> None:
        self.samples = samples
        self.environment = engine.RestrictedEnvironment()

    def run(self, source: str, mode: str, data: dict[str, Any]) -> Any:
        if mode == "exec":
            return self.environment.execute(source, dict(data))
        return self.environment.evaluate(source, dict(data))

    def blame(self, err: Exception, source: str, mode: str, data: dict[str, Any]) -> str | None:
        """What to report for ``err``; ``None`` when it may come only from the sample data."""
        name = _missing_name(err)
        if isinstance(err, NameError) and name:
            if self.samples.knows(name) or not self.samples.known_start:
                return None  # set at run time, or perhaps in start data nobody described
            return _plain(err)
        if isinstance(err, DATA_DEPENDENT) and self.samples.reads_data(source, mode):
            return None
        return _plain(err) + _when(data, source, self.samples, mode)


def _bare_word(source: str) -> str | None:
    try:
        body = ast.parse(source, mode="eval").body
    except SyntaxError:
        return None
    return body.id if isinstance(body, ast.Name) else None


def check_timer(node: Any, samples: Samples) -> str | None:
    """What is wrong with the timer ``node`` (a timeDuration, timeDate or timeCycle), if anything."""
    kind = _local(node)
    source = engine_source(node.text or "")
    if not source or sandbox.problems(source, "eval"):
        return None  # named by the static checks
    word = _bare_word(source)
    unknown = word is not None and not samples.knows(word)
    if word is not None and unknown and (samples.known_start or ISO_ATTEMPT.match(word)):
        return f"'{word}' is not {KINDS[kind]}"
    checker = _Checker(samples)
    for data in samples.cases(source, "eval"):
        try:
            value = checker.run(source, "eval", data)
        except Exception as err:
            reason = checker.blame(err, source, "eval", data)
            return None if reason is None else f"the timer expression fails: {reason}"
        if not engine.readable_time(kind, value) and not samples.reads_free_text(source):
            if _literal(source):
                return f"{value!r} is not {KINDS[kind]}"
            when = _when(data, source, samples, "eval")
            return f"{source} gives {value!r}{when}, which is not {KINDS[kind]}"
    return None


def _literal(source: str) -> bool:
    try:
        return isinstance(ast.parse(source, mode="eval").body, ast.Constant)
    except SyntaxError:
        return False


def check_code(node: Any, samples: Samples) -> str | None:
    """What goes wrong when the condition, script or payload ``node`` runs on sample data."""
    mode, what = CODE[node.tag]
    source = node.text or ""
    if not source.strip() or sandbox.problems(source, mode):
        return None  # named by the static checks
    checker = _Checker(samples)
    for data in samples.cases(source, mode):
        try:
            checker.run(source, mode, data)
        except Exception as err:
            reason = checker.blame(err, source, mode, data)
            return None if reason is None else f"{what} fails: {reason}"
    return None


def check(tree: Any, start_data: Mapping[str, Any] | None = None) -> list[Problem]:
    """Every timer, condition, script and message payload in ``tree`` that fails, or gives a time
    the engine cannot use, when evaluated on sample data. ``start_data`` is a sample of the data
    a case of this process starts with (``None``: not known, so names it may hold are not blamed).
    """
    samples = Samples(tree, start_data)
    found = []
    for node in tree.iter(*TIMER_TAGS, *CODE):
        check_one = check_timer if node.tag in TIMER_TAGS else check_code
        message = check_one(node, samples)
        if message is not None:
            found.append(problem(owner_of(node), message + "."))
    return found
