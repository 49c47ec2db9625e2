"""Error tracking with Sentry, only when `SENTRY_DSN` is set (settings.py calls `init`).

Without a DSN this module is never imported, and neither is sentry_sdk. With one, errors and
(when `SENTRY_TRACES_SAMPLE_RATE` is above 0) a sample of request traces go to Sentry, tagged
with the environment and release from settings, and never with personal data: no cookies, no
user names or e-mail addresses, no request bodies (`send_default_pii=False`).
"""

from __future__ import annotations

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration


def init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[DjangoIntegration()],
    )
