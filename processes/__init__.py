"""The process engine behind a small interface. The only package that imports SpiffWorkflow.

deploy a diagram, start a case, claim / release / complete a task, fire due timers, deliver a
message. Every function works inside the caller's session; the caller commits.
"""

from processes import clock
from processes.errors import (
    Conflict,
    EngineFailure,
    FormInvalid,
    InvalidDiagram,
    NotAllowed,
    Problem,
    ProcessError,
    TaskNotFound,
    UnknownProcess,
)
from processes.forms import FormField, Option
from processes.runtime import (
    claim,
    complete,
    deliver_message,
    fire_timers,
    get_task,
    release,
    start,
    step_result,
    task_view,
)
from processes.specs import deploy, latest_version
from processes.timers import SweepResult, claim_due, fire_case, retry_case, sweep
from processes.types import Deployment, StepResult, TaskView

__all__ = [
    "Conflict",
    "Deployment",
    "EngineFailure",
    "FormField",
    "FormInvalid",
    "InvalidDiagram",
    "NotAllowed",
    "Option",
    "Problem",
    "ProcessError",
    "StepResult",
    "SweepResult",
    "TaskNotFound",
    "TaskView",
    "UnknownProcess",
    "claim",
    "claim_due",
    "clock",
    "complete",
    "deliver_message",
    "deploy",
    "fire_case",
    "fire_timers",
    "get_task",
    "latest_version",
    "release",
    "retry_case",
    "start",
    "step_result",
    "sweep",
    "task_view",
]
