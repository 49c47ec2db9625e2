"""Shared fixtures: small explicit factories and signed-in clients, on a real database."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.test import Client

from shortscience import search
from shortscience.models import Paper, PaperIdentifier, Summary, User, Venue
from shortscience.services import summaries

_seq = itertools.count(1)


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


@functools.cache
def _password_hash() -> str:
    # Argon2 costs ~0.1 s a hash by design; the factory hashes the one test password once.
    return make_password("a-long-test-password")


def make_user(username: str | None = None, **extra: Any) -> User:
    name = username or f"user{next(_seq)}"
    user = User.objects.create(
        username=name, email=f"{name}@example.org", password=_password_hash(), **extra
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def make_paper(title: str | None = None, *, venue: Venue | None = None, **extra: Any) -> Paper:
    n = next(_seq)
    paper = Paper.objects.create(
        title=title or f"A paper about things {n}",
        authors=["Ada Lovelace", "Alan Turing"],
        year=extra.pop("year", 2017),
        venue=venue,
        abstract="We study things.",
        **extra,
    )
    PaperIdentifier.objects.create(paper=paper, scheme="arxiv", value=f"1706.{n:05d}")
    # Services announce new papers (events.papers_written); a factory that bypasses them indexes.
    search.index_papers([paper.pk])
    return paper


def make_summary(
    author: User | None = None,
    paper: Paper | None = None,
    markdown: str = "This paper shows that $x^2 \\ge 0$.",
    *,
    publish: bool = True,
    private: bool = False,
    anonymous: bool = False,
) -> Summary:
    return summaries.save(
        author or make_user(),
        paper or make_paper(),
        summaries.SaveRequest(
            markdown=markdown, publish=publish, private=private, anonymous=anonymous
        ),
    )


@pytest.fixture
def user(db: None) -> User:
    return make_user("reader")


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login
