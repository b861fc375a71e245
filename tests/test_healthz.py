import pytest
from django.db.utils import OperationalError

from config import health
from tests.services import redis_url

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_broker_answer(client, settings, tmp_path):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


def test_503_when_the_database_is_down(client, monkeypatch):
    class BrokenCursor:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *args):
            return False

    monkeypatch.setattr(health.connection, "cursor", lambda: BrokenCursor())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "detail": "OperationalError"}


def test_503_when_the_broker_is_down(client, monkeypatch):
    # A real connection attempt to a port where nothing listens. Celery reads the environment
    # variable ahead of its configuration, so set both.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(health.celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


@pytest.mark.redis
def test_healthy_with_a_real_redis_broker(client, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", redis_url())
    monkeypatch.setattr(health.celery_app.conf, "broker_url", redis_url())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "redis" in response.json()["broker"]["detail"].lower()
