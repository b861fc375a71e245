"""Point this process's Celery app at a test's own broker, and back."""

import contextlib
import os
from unittest import mock

from kombu import pools

from config.celery import app as celery_app

# Celery reads these before its configuration (CI exports CELERY_BROKER_URL): without hiding
# them, a test would publish to the shared broker.
BROKER_ENV = ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL", "CELERY_BROKER_READ_URL")


def _reset_pools() -> None:
    # kombu keeps one pool per broker address for the whole process: close them all and forget
    # them, or the next test would get a closed pool for the same address.
    pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextlib.contextmanager
def publishing_to(broker_url: str, **transport_options):
    """Tasks are published to `broker_url` instead of running eagerly."""
    conf = celery_app.conf
    keys = ("broker_url", "broker_write_url", "task_always_eager", "broker_transport_options")
    saved = {key: conf.get(key) for key in keys}
    hidden = {key: os.environ[key] for key in BROKER_ENV if key in os.environ}
    with mock.patch.dict(os.environ):
        for key in hidden:
            del os.environ[key]
        _reset_pools()
        conf.update(
            broker_url=broker_url,
            broker_write_url=broker_url,
            task_always_eager=False,
            broker_transport_options=transport_options,
        )
        assert conf.broker_write_url == broker_url
        try:
            yield celery_app
        finally:
            _reset_pools()
            conf.update(saved)
