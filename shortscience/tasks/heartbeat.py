"""The worker's heartbeat: proof for `/readyz` that a worker is alive and reading the queue.

It runs as a periodic task, so a worker that stops taking tasks off the queue stops beating too,
and once when each worker thread starts, so a freshly started worker is ready at once instead of
at the next minute (services/health.py reads it).
"""

from huey import crontab
from huey.contrib.djhuey import HUEY, periodic_task

from shortscience.services import health


@periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    health.record_heartbeat()


@HUEY.on_startup()
def heartbeat_on_start() -> None:
    health.record_heartbeat()
