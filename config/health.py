"""`/healthz`: is the database answering, is the broker answering."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .celery import app as celery_app

BROKER_TIMEOUT_SECONDS = 2


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the reason is reported
        return False, exc.__class__.__name__
    return True, connection.vendor


def broker_ok() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            transport = conn.transport_cls
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__
    return True, str(transport)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    db_up, db_detail = database_ok()
    broker_up, broker_detail = broker_ok()
    healthy = db_up and broker_up
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "database": {"ok": db_up, "detail": db_detail},
            "broker": {"ok": broker_up, "detail": broker_detail},
        },
        status=200 if healthy else 503,
    )
