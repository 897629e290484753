"""WSGI entry point (gunicorn jiati.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiati.settings")
application = get_wsgi_application()

# What a worker loads once (Django, the apps, every view through the URL conf) lives as long as the process:
# frozen out of the collector's sight, each collection scans only what requests made. Python's collector went
# over all of it several times a page, ~3.4 ms of a project page against ~0.7 ms frozen (benchmarks/README.md).
get_resolver().url_patterns  # noqa: B018 - imports every view now rather than on the first request
gc.freeze()
