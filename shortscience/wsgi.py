"""WSGI application for gunicorn (`manage.py serve` and production).

gunicorn imports this module in each worker after forking (we never run it with --preload, as
V8 cannot survive a fork), so the math engine is started here, once per worker, before the
worker takes requests."""

import os

from django.core.wsgi import get_wsgi_application

from shortscience.rendering.math_engine import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")
application = get_wsgi_application()
warm_up()
