"""Views mounted only in the bench server (`DJANGO_BENCHMARK_VIEWS=1`): the baselines."""

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


def bare(request: HttpRequest) -> HttpResponse:
    """The baseline: the least a Django view can do."""
    return HttpResponse(b"ok", content_type="text/plain")


# The rush benchmark's floors: pgbench's lock-count-insert transaction (see
# `bench_enrollment.PGBENCH_SQL`) on the same scratch tables, run by a Django view. What any
# implementation of the enroll POST on this stack pays at the least, measured in the same run.
_LOCK = "SELECT capacity FROM bench_rush_group WHERE id = %s FOR UPDATE"
_COUNT = (
    "SELECT count(*) FROM bench_rush_enrollment "
    "WHERE group_id = %s AND status IN ('active', 'offered')"
)
_INSERT = (
    "INSERT INTO bench_rush_enrollment (status, priority_tier, waitlist_rank, requested_at, "
    "request_key, created_at, updated_at, group_id, requested_by_id, participant_id) "
    "VALUES (%s, 1, %s, now(), md5(random()::text), now(), now(), %s, %s, %s)"
)
_UPDATE = (
    "UPDATE bench_rush_group SET places_taken = LEAST(%s + 1, capacity), "
    "waitlist_length = waitlist_length + %s WHERE id = %s"
)


def _lock_count_insert(request: HttpRequest, group: int, user_id: int) -> HttpResponse:
    try:
        participant = int(request.POST["participant"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest(b"participant?")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_LOCK, [group])
        row = cursor.fetchone()
        if row is None:
            return HttpResponseBadRequest(b"group?")
        cursor.execute(_COUNT, [group])
        (taken,) = cursor.fetchone()
        active = taken < row[0]
        status = "active" if active else "waitlisted"
        cursor.execute(_INSERT, [status, participant, group, user_id, participant])
        cursor.execute(_UPDATE, [taken, 0 if active else 1, group])
    return HttpResponse(status.encode(), content_type="text/plain")


@csrf_exempt
@require_POST
def enroll_floor_sql(request: HttpRequest, group: int, user: int) -> HttpResponse:
    """Anonymous, no CSRF: HTTP, WSGI, the middleware and the SQL."""
    return _lock_count_insert(request, group, user)


@login_required
@require_POST
def enroll_floor_session(request: HttpRequest, group: int) -> HttpResponse:
    """As a logged-in parent posting a form: the session, the user and CSRF, then the SQL."""
    return _lock_count_insert(request, group, request.user.pk)
