"""The site's user: Django's user plus a display name, a Markdown description and an ORCID iD."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse


class User(AbstractUser):
    class EmailNotifications(models.TextChoices):
        IMMEDIATE = "immediate", "One e-mail per notification"
        DAILY = "daily", "A daily digest"
        OFF = "off", "No e-mail"

    display_name = models.CharField(max_length=100, blank=True)
    description_markdown = models.TextField(blank=True)
    description_html = models.TextField(blank=True)
    orcid = models.CharField(max_length=19, blank=True, help_text="e.g. 0000-0002-1825-0097")
    # True only while the iD is the one an ORCID sign-in or connect proved (views/accounts.py); a
    # typed iD is shown as unverified (docs/accounts.md).
    orcid_verified = models.BooleanField(default=False)
    suspended_until = models.DateTimeField(
        null=True, blank=True, help_text="No writing until then (a ban sets is_active off)"
    )
    email_notifications = models.CharField(
        max_length=10, choices=EmailNotifications.choices, default=EmailNotifications.IMMEDIATE
    )
    # Denormalised by services/users.py (formula in docs/rankings.md) so lists can sort by it.
    reputation = models.FloatField(default=0.0)

    class Meta:
        db_table = "shortscience_user"
        # The users list: by stored reputation, ties by username (unique, so a keyset order).
        indexes = [models.Index(fields=["-reputation", "username"], name="user_reputation")]

    def __str__(self) -> str:
        return self.username

    def get_absolute_url(self) -> str:
        """The person page, by username."""
        return reverse("user", args=[self.username])

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username
