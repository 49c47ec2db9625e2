"""Django app configuration."""

from django.apps import AppConfig


class ShortScienceConfig(AppConfig):
    name = "shortscience"
    verbose_name = "ShortScience"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the allauth signal receivers (ORCID verification, sessions on password change).
        from shortscience.views import accounts  # noqa: F401
