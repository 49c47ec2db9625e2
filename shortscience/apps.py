"""Django app configuration."""

from django.apps import AppConfig


class ShortScienceConfig(AppConfig):
    name = "shortscience"
    verbose_name = "ShortScience"
    default_auto_field = "django.db.models.BigAutoField"
