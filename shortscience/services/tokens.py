"""Personal API tokens: creating (the plaintext is shown once), listing, revoking, and finding
the person behind an `Authorization: Bearer` header.

Only the SHA-256 digest of a token is stored, so a leaked database does not leak working
tokens; the plaintext starts with `ss_` so that people (and secret scanners) recognise it.
A token of a banned person, or a revoked token, authenticates nobody.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from shortscience.models import ApiToken, User
from shortscience.services import standing
from shortscience.services.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from shortscience.services.text import one_line

PREFIX = "ss_"
PREFIX_LENGTH = len(PREFIX) + 8  # what the token list shows: "ss_" and 8 random characters
MAX_ACTIVE_TOKENS = 25
# last_used_at is a hint for the owner, not an audit log: writing it on every request would
# turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


class InvalidToken(DomainError):
    status = 401


def digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create(user: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its plaintext, which is never stored. Not while
    suspended: a token is a way to write (revoking one always works)."""
    standing.ensure_can_write(user)
    label = one_line(name, field="name", label="token name")
    if not label:
        raise InvalidInput("Give the token a name.", field_errors={"name": ["Required."]})
    if len(label) > 100:
        raise InvalidInput("The name is too long.", field_errors={"name": ["At most 100."]})
    if scope not in ApiToken.Scope.values:
        raise InvalidInput("A token's scope is 'read' or 'write'.", field_errors={"scope": [scope]})
    if active(user).count() >= MAX_ACTIVE_TOKENS:
        raise InvalidInput(
            f"You have {MAX_ACTIVE_TOKENS} tokens; revoke one you no longer use first."
        )
    plaintext = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=label,
        digest=digest(plaintext),
        prefix=plaintext[:PREFIX_LENGTH],
        scope=scope,
    )
    return token, plaintext


def active(user: User) -> QuerySet[ApiToken]:
    """The person's tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def revoke(user: User, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens; revoking twice is harmless."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound("There is no such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate(plaintext: str) -> ApiToken:
    """The live token with this plaintext (its user loaded), or InvalidToken."""
    if not plaintext.startswith(PREFIX):
        raise InvalidToken("This is not a ShortScience API token.")
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(plaintext), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        raise InvalidToken("This API token is not valid (it may have been revoked).")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def ensure_scope(token: ApiToken, needed: str) -> None:
    """Refuse a write with a read-only token."""
    if needed == ApiToken.Scope.WRITE and token.scope != ApiToken.Scope.WRITE:
        raise PermissionDenied(
            "This token can only read. Create a token with the write scope to change things."
        )
