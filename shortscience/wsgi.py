"""WSGI application for gunicorn (`manage.py serve` and production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")
application = get_wsgi_application()
