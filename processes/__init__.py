"""The process engine behind a small interface. The only package that imports SpiffWorkflow.

deploy a diagram, start a case, claim / release / complete a task, fire due timers, deliver a
message. Every function that changes a case works inside the caller's case step
(``StepContext``), which commits.
"""

from processes import clock
from processes.bindings import use_main_process
from processes.ending import end_case, waiting_messages
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
    record_failure,
    release,
    start,
    start_again,
)
from processes.specs import deploy, latest_version, use_operations, use_start_data
from processes.starters import Starting, starting
from processes.task_rows import get_task, step_result, task_view
from processes.types import Deployment, StepContext, StepResult, TaskView
from processes.words import option_labels

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
    "Starting",
    "StepContext",
    "StepResult",
    "TaskNotFound",
    "TaskView",
    "UnknownProcess",
    "claim",
    "clock",
    "complete",
    "deliver_message",
    "deploy",
    "end_case",
    "fire_timers",
    "get_task",
    "latest_version",
    "option_labels",
    "record_failure",
    "release",
    "start",
    "start_again",
    "starting",
    "step_result",
    "task_view",
    "use_main_process",
    "use_operations",
    "use_start_data",
    "waiting_messages",
]
