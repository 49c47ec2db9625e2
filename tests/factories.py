"""Small explicit factories: a person, a paper, a summary, made on the real test database.

Test modules import these from here; tests/conftest.py holds only fixtures, which pytest
finds on its own (tests/test_layout.py fails if a module imports from it again).
"""

from __future__ import annotations

import functools
import itertools
import time
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.test import Client

from shortscience.metadata.titles import title_key
from shortscience.models import Paper, PaperIdentifier, Summary, User, Venue
from shortscience.services import events, summaries

# The one password of every person a factory makes (tests that sign in through the form use it).
PASSWORD = "a-long-test-password"

_seq = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    # Argon2 costs ~0.1 s a hash by design; the factory hashes the one test password once.
    return make_password(PASSWORD)


def make_user(username: str | None = None, **extra: Any) -> User:
    name = username or f"user{next(_seq)}"
    user = User.objects.create(
        username=name, email=f"{name}@example.org", password=_password_hash(), **extra
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def make_paper(title: str | None = None, *, venue: Venue | None = None, **extra: Any) -> Paper:
    n = next(_seq)
    title = title or f"A paper about things {n}"
    paper = Paper.objects.create(
        title=title,
        title_key=title_key(title),
        authors=["Ada Lovelace", "Alan Turing"],
        year=extra.pop("year", 2017),
        venue=venue,
        abstract="We study things.",
        **extra,
    )
    PaperIdentifier.objects.create(paper=paper, scheme="arxiv", value=f"1706.{n:05d}")
    # Announced as the services announce new papers: indexed, counted in its venue.
    events.papers_written([paper.pk])
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


def just_proved_identity(client: Client, user: User) -> Client:
    """Mark `client`'s session as having just typed the password again (allauth's
    re-authentication record), as someone who signed in a moment ago and confirmed it would:
    pages that change e-mail, tokens or the account then act without asking once more."""
    session = client.session
    session["account_authentication_methods"] = [
        {
            "method": "password",
            "at": time.time(),
            "username": user.username,
            "reauthenticated": True,
        }
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client
