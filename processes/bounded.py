"""Diagram code run within a memory and CPU bound, whatever it does.

Guarding operations one by one always misses one (a padding method, int times int, a sort), and C
code holds the interpreter lock where no trace function sees it. So diagram code runs in an
evaluator process (``processes.evaluator``): a fresh interpreter, started lazily, kept and reused
from a small pool, with ``RLIMIT_AS`` and a CPU alarm. This process waits on the pipe, which
releases the interpreter lock, so other requests run at their normal speed meanwhile; a child that
dies or hangs past a wall-clock backstop is killed and replaced.

Expressions that are provably cheap (constants, names, comparisons, ``and``/``or``/``not``,
constant subscripts: linear in data already held, nothing that can grow) run in this process,
so the common gateway conditions and quoted timer literals pay no round trip.
"""

from __future__ import annotations

import ast
import atexit
import os
import select
import subprocess
import sys
import threading
import time
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from processes import clock, evaluator, sandbox

WALL_SECONDS = 10.0  # backstop for a child that neither answers nor uses CPU (it should not happen)
START_SECONDS = 30.0  # a fresh interpreter importing the sandbox, on a busy machine
IDLE_KEPT = 4  # evaluators kept for reuse; more are started under load and stopped after
_ROOT = str(Path(__file__).resolve().parent.parent)

# A whitelist: only these node types may run in-process. Each is linear in data already held.
_CHEAP_NODES = (
    *(ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Compare, ast.BoolOp, ast.And, ast.Or),
    *(ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE),
    *(ast.Is, ast.IsNot, ast.In, ast.NotIn),
)


@lru_cache(maxsize=2048)
def is_cheap(source: str) -> bool:
    """Whether ``source`` is an expression that cannot allocate or loop beyond the data it reads."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            if not isinstance(node.slice, ast.Constant):
                return False
        elif not isinstance(node, _CHEAP_NODES):
            return False
    return True


class EvaluationFailed(sandbox.SandboxViolation):
    """The evaluator went over a bound, died or hung: the step fails and nothing is kept."""


class _Child:
    def __init__(self) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")])),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from processes.evaluator import main; main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=_ROOT,
            env=env,
            close_fds=True,
        )
        self.pid = os.getpid()
        self._buffer = b""
        if self.receive(START_SECONDS) != ("ready",):
            raise EvaluationFailed("The evaluator did not start.")

    def send(self, message: Any) -> None:
        assert self.process.stdin is not None
        evaluator.write(self.process.stdin, message)

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while len(self._buffer) < size:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise EvaluationFailed(f"The code did not finish within {WALL_SECONDS:g} seconds.")
            chunk = os.read(fd, max(65536, size - len(self._buffer)))
            if not chunk:
                raise EvaluationFailed("The code stopped the evaluator (it used too much memory or time).")
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def receive(self, seconds: float) -> Any:
        deadline = time.monotonic() + seconds
        (size,) = evaluator._HEADER.unpack(self._read_exactly(evaluator._HEADER.size, deadline))
        if size > evaluator.MAX_MESSAGE:
            raise EvaluationFailed("The code's result is too large to keep.")
        return evaluator.loads(self._read_exactly(size, deadline))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class _Pool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[_Child] = []
        self.busy = 0

    def check_out(self) -> _Child:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.process.poll() is None and child.pid == os.getpid():
                    return child
        return _Child()

    def check_in(self, child: _Child) -> None:
        with self._lock:
            if len(self._idle) < IDLE_KEPT and child.pid == os.getpid():
                self._idle.append(child)
                return
        child.stop()

    def stop_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            if child.pid == os.getpid():
                child.stop()

    def forget(self) -> None:
        """After a fork: the pipes belong to the parent's evaluators, not this process's."""
        self._lock = threading.Lock()
        self._idle = []


_POOL = _Pool()
atexit.register(_POOL.stop_all)
os.register_at_fork(after_in_child=_POOL.forget)


def _raise(kind: str, name: str, args: tuple[Any, ...]) -> None:
    if name in evaluator.BUILTIN_ERRORS:
        raise getattr(__import__("builtins"), name)(*args)
    raise sandbox.SandboxViolation(*args)


def run(source: str, mode: sandbox.Mode, data: dict[str, Any]) -> Any:
    """Run diagram code on ``data`` in an evaluator: an expression's value, or what a script left."""
    sandbox.code_for(source, mode)  # refuse here what the sandbox refuses, without a round trip
    request = {"source": source, "mode": mode, "data": data, "now": _instant()}
    child = _POOL.check_out()
    _POOL.busy += 1
    try:
        child.send(request)
        answer = child.receive(WALL_SECONDS)
    except (OSError, EvaluationFailed, evaluator.pickle.UnpicklingError, ValueError, EOFError) as err:
        child.stop()
        if isinstance(err, EvaluationFailed):
            raise
        raise EvaluationFailed("The evaluator stopped (the code used too much memory or time).") from err
    finally:
        _POOL.busy -= 1
    if answer[0] == "bound":
        child.stop()
        raise EvaluationFailed(answer[1])
    _POOL.check_in(child)
    if answer[0] == "error":
        _raise(*answer)
    return answer[1]


def busy() -> int:
    """How many evaluations are running now."""
    return _POOL.busy


def _instant() -> datetime:
    return clock.now()
