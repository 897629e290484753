"""WSGI entry point (gunicorn jiati.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiati.settings")
application = get_wsgi_application()
