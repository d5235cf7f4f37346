"""Service-task handlers: plain functions keyed by the operation (topic) named in the BPMN."""

from handlers.registry import (
    REGISTRY,
    HandlerContext,
    ServiceRequest,
    UnknownOperation,
    dispatch,
    handler,
    operations,
)

# Importing the modules registers their handlers.
from handlers import closure, deadlines, letters, notifications, referrals, risk  # noqa: F401  isort: skip

__all__ = [
    "REGISTRY",
    "HandlerContext",
    "ServiceRequest",
    "UnknownOperation",
    "dispatch",
    "handler",
    "operations",
]
