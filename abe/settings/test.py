"""Test run: the real PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (CI), SQLite otherwise."""

import os

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Parallel sessions on one machine must not share a test database.
if os.environ.get("ABE_TEST_DB"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["ABE_TEST_DB"]}
# Unit tests run tasks in-process; tests about commit timing and real workers opt out explicitly.
CELERY_TASK_ALWAYS_EAGER = True

# Static files come straight from the finders; no collectstatic needed outside production.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The embedded beat's last runs are not the checkout's (a test names its own file).
ABE_EMBEDDED_BEAT_STATE = ""
# A `make run` loading the demo in this checkout must not turn the test run's pages into "still loading" ones.
ABE_DEMO_PROGRESS_FILE = os.path.join(
    os.environ.get("TMPDIR", "/tmp"), f"abe-test-demo-loading-{os.environ.get('ABE_TEST_DB', 'default')}.json"
)
