"""Service-task handlers: plain functions keyed by the operation (topic) named in the BPMN."""

from handlers.registry import REGISTRY, ServiceRequest, UnknownOperation, handler, operations

# Importing the modules registers their handlers.
from handlers import letters, notifications, referrals, risk  # noqa: F401  isort: skip

__all__ = ["REGISTRY", "ServiceRequest", "UnknownOperation", "handler", "operations"]
