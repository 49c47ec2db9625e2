"""Backups on a schedule for sites without systemd (BACKUP_SCHEDULE, off by default).

The task is always registered and asks each minute whether BACKUP_SCHEDULE, a cron line, names
this minute, so the setting alone turns it on or off. Where systemd runs the site, its timer
(deploy/systemd/shortscience-backup.timer) is the better choice: it runs even when the worker
is down. Both at once are safe (a lock lets one run at a time) but pointless.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shortscience.services import backups

logger = logging.getLogger(__name__)


def due(now: datetime) -> bool:
    schedule = settings.BACKUP_SCHEDULE
    return bool(schedule) and bool(crontab(*schedule.split())(now))


@db_periodic_task(due)
def backup_on_schedule() -> None:
    made = backups.create()
    logger.info(
        "Backed up to %s (%s bytes of database)", made.path, made.manifest["database"]["bytes"]
    )
