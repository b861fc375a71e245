"""Test override: fast hashing, in-memory mail, eager Celery for unit tests.

Real-service tests (PostgreSQL, Redis, a worker process) are marked and configure themselves.
"""

from .settings import *  # noqa: F403
from .settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
LANGUAGE_CODE = "pl"
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Most tests log staff in with force_login; tests/accounts/test_two_factor.py turns this on.
ACCOUNTS_STAFF_REQUIRE_2FA = False
