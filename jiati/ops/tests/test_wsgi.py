"""The WSGI entry point a gunicorn worker loads (jiati/wsgi.py)."""

from __future__ import annotations

import gc
import importlib


def test_a_worker_freezes_what_it_loaded_out_of_the_collectors_sight():
    """Django, the apps and every view are loaded before the first request and frozen (`gc.freeze`): the cyclic
    collector, which runs several times a project page, no longer scans them each time (issue 18)."""
    wsgi = importlib.import_module("jiati.wsgi")
    assert callable(wsgi.application)
    assert gc.get_freeze_count() > 0
    # The views were imported with the URL conf, before any request (and so frozen too).
    assert "jiati.projects.views" in importlib.sys.modules
