"""The case-work domain: reports, the inbox, the case file, people. Speaks the policy's words.

Importing it plugs the service-task handlers into the engine, so that deploy checks a diagram's
topics against them (``processes`` itself never imports ``handlers``); the case step
(``casework.steps``) dispatches to them.
"""

import handlers
import processes

processes.use_operations(handlers.operations)

from casework import reports  # noqa: E402  after the handlers are plugged in
from casework.vocabulary import PROCESS_KEY  # noqa: E402

processes.use_start_data(PROCESS_KEY, reports.sample_start_data())
processes.use_main_process(PROCESS_KEY)  # the indicators count its cases: it must declare them
