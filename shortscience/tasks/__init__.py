"""Background tasks, run by the huey worker (`manage.py run_huey`) outside any request.

A task is a service function decorated with huey's `db_task`/`db_periodic_task` in the service
module that owns the work, so services queue it by calling it and tests run it inline
(immediate mode). djhuey imports this package when the worker starts; the imports below make the
worker know every task.
"""

from shortscience.services import (  # noqa: F401 -- registers their tasks
    counts,
    maintenance,
    notification_emails,
    pageviews,
    rankings,
    refresh,
    similar,
)
from shortscience.tasks import (
    backups,  # noqa: F401 -- registers the scheduled backup
    heartbeat,  # noqa: F401 -- registers the worker's heartbeat
)
