"""Shared fixtures: a clean cache, inline tasks, plain static files and signed-in clients.

The factories (make_user, make_paper, make_summary) live in tests/factories.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from shortscience.models import User
from tests.factories import just_proved_identity, make_user


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    # The manifest storage needs collectstatic; tests read static files through the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Rate-limit counters live in the cache; every test starts with none.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_inline() -> None:
    # Queued tasks run inside the test that queues them (huey's immediate mode, memory storage).
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture
def user(db: None) -> User:
    return make_user("reader")


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return just_proved_identity(client, user)

    return login


@pytest.fixture
def moderator() -> User:
    """A member of the moderators group (named "mod")."""
    user = make_user("mod")
    user.groups.add(Group.objects.get(name="moderators"))
    return user
