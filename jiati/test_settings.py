"""Settings for the test suite: the production settings, with fast hashing and tasks run inline."""

import os

os.environ.setdefault("JIATI_TESTING", "1")
os.environ.setdefault("DEBUG", "0")

from jiati.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
JIATI_NOTIFICATION_CHANNELS = ["console"]
# Tests across apps sign in with force_login; the second factor is tested on its own (jiati/administration/tests).
JIATI_REQUIRE_SECOND_FACTOR = False
STORAGES["default"]["OPTIONS"]["location"] = str(VAR_DIR / "test-media")  # noqa: F405
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]  # noqa: F405
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# pytest-django's live server serves static files from the finders only when it sees "django.contrib.staticfiles"
# by that name; the production entry (jiati.ops.staticfiles, the same app with collectstatic's ignore list) would
# leave the browser tests without CSS and scripts.
INSTALLED_APPS = [
    "django.contrib.staticfiles" if app == "jiati.ops.staticfiles.StaticFilesConfig" else app
    for app in INSTALLED_APPS  # noqa: F405
]
# A second alias mirroring the test database, so the replica router is tested with Django's own setup; off (every
# query on `default`) unless a test switches it on with JIATI_REPLICA_ALIAS (jiati/core/tests/test_replica.py).
DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})  # noqa: F405
JIATI_REPLICA_ALIAS = None
