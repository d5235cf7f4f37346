"""The scaled mode's background work: Celery workers and beat on Redis.

Start a worker with ``celery -A jobs worker`` and beat with ``celery -A jobs beat``. Tasks take
ids, never objects, and call ``processes`` and ``casework``; none reaches into SpiffWorkflow.
"""

from jobs.celery_app import celery

__all__ = ["celery"]
