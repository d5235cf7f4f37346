"""The evaluator process: diagram code runs here, in a separate interpreter with a memory and a CPU
bound, so that no condition, script, timer or service parameter can take the server down.

Started by ``processes.bounded`` as a fresh ``python`` running ``main``; it reads requests from
stdin and answers on stdout, one length-prefixed pickle each. Requests come from the parent (which
the child trusts); answers go to the parent, which unpickles them with a whitelist of classes
(``wire.loads``). After a request that went over a bound the child answers and exits, so the next
evaluation gets a fresh interpreter.
"""

from __future__ import annotations

import io
import os
import pickle
import resource
import signal
import struct
import sys
from datetime import datetime
from decimal import Decimal
from types import FrameType
from typing import IO, Any

MEMORY_BYTES = 256 * 1024 * 1024  # what diagram code may use on top of the evaluator's own
CPU_SECONDS = 2.0  # computer time one evaluation may use
MAX_MESSAGE = 32 * 1024 * 1024  # largest request or answer read from the pipe
_HEADER = struct.Struct("!I")
BUILTIN_ERRORS = (
    *("ArithmeticError", "AttributeError", "IndexError", "KeyError", "LookupError", "NameError"),
    *("OverflowError", "TypeError", "ValueError", "ZeroDivisionError", "RecursionError"),
)
_SAFE_CLASSES = {
    ("datetime", "datetime"): datetime,
    ("datetime", "date"): __import__("datetime").date,
    ("datetime", "timedelta"): __import__("datetime").timedelta,
    ("datetime", "timezone"): __import__("datetime").timezone,
    ("decimal", "Decimal"): Decimal,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
}


class _Whitelist(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "processes.sandbox" and name == "_Datetime":
            return datetime  # the diagram's datetime, with the engine's clock: plain data outside
        try:
            return _SAFE_CLASSES[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not data") from None


def loads(blob: bytes) -> Any:
    """Unpickle an answer from the evaluator: data only, never an arbitrary class."""
    return _Whitelist(io.BytesIO(blob)).load()


def write(out: IO[bytes], message: Any) -> None:
    blob = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_HEADER.pack(len(blob)) + blob)
    out.flush()


class OverBound(Exception):
    """Diagram code went over the evaluator's CPU bound."""


def _on_cpu_bound(signum: int, frame: FrameType | None) -> None:
    raise OverBound(f"The code used more than {CPU_SECONDS:g} seconds of computer time.")


def _bound_memory() -> None:
    with open("/proc/self/statm") as statm:
        baseline = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = baseline + MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _arm_cpu() -> None:
    # A Python-level alarm for code the interpreter runs; RLIMIT_CPU kills the child if a single
    # C call holds on past it (a signal handler only runs between bytecodes).
    # Only the soft limit moves (SIGXCPU, which ends the child): a pooled child's hard limit may
    # not be raised again without CAP_SYS_RESOURCE, so the first evaluation leaves it alone.
    signal.setitimer(signal.ITIMER_PROF, CPU_SECONDS)
    soft = int(_cpu_used() + CPU_SECONDS) + 3
    _current, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(
        resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard)
    )


def _data_only(namespace: dict[str, Any]) -> dict[str, Any]:
    """What a script left as data: not the builtins, guards, helpers or anything callable."""
    return {key: value for key, value in namespace.items() if key != "__builtins__" and not callable(value)}


def _error(err: BaseException) -> tuple[str, str, tuple[Any, ...]]:
    name = type(err).__name__
    args = err.args if all(isinstance(a, str | int | float) for a in err.args) else (str(err),)
    return ("error", name if name in BUILTIN_ERRORS else "SandboxViolation", args)


def _evaluate(request: dict[str, Any]) -> tuple[Any, ...]:
    from processes import clock, sandbox

    code = sandbox.code_for(request["source"], request["mode"])
    data: dict[str, Any] = request["data"]
    namespace = {**sandbox.restricted_globals(), **data}
    namespace.update({k: v for k, v in sandbox.restricted_globals().items() if k.startswith("_")})
    with clock.frozen_at(request["now"]):
        result = sandbox.run(code, namespace)
    if request["mode"] == "exec":
        return ("ok", _data_only(namespace))
    return ("ok", result)


def _answer(request: dict[str, Any]) -> tuple[tuple[Any, ...], bool]:
    """The answer to one request, and whether the child must stop after it (a bound was hit)."""
    _arm_cpu()
    try:
        answer = _evaluate(request)
    except MemoryError:
        return ("bound", f"The code needed more than {MEMORY_BYTES // 2**20} MB of memory."), True
    except OverBound as err:
        return ("bound", str(err)), True
    except Exception as err:
        return _error(err), False
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    try:
        loads(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))  # what the parent would refuse
    except (pickle.PicklingError, pickle.UnpicklingError, TypeError, AttributeError):
        return ("error", "SandboxViolation", ("The code left something that is not data.",)), False
    return answer, False


def _read(source: IO[bytes]) -> Any:
    header = source.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    return pickle.loads(source.read(size))  # from the parent, which the child trusts


def main() -> None:
    requests, answers = sys.stdin.buffer, os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # nothing stray ends up in the answers
    from processes import sandbox  # noqa: F401  imported before the bound, counted in the baseline

    signal.signal(signal.SIGPROF, _on_cpu_bound)
    _bound_memory()
    write(answers, ("ready",))
    while (request := _read(requests)) is not None:
        answer, stop = _answer(request)
        write(answers, answer)
        if stop:
            return
