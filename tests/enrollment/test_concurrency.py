"""Concurrency in the pretix style: many requests at once through a live server on PostgreSQL.

The negative control turns the row lock off and must oversell; if it did not, these tests would
prove nothing.
"""

import datetime as dt
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from enrollment import services
from enrollment.models import Enrollment, EnrollmentStatus
from tests.enrollment.factories import family
from tests.factories import GroupFactory

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
S = EnrollmentStatus
CSRF = "a" * 32
PARENTS = 16


def session_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def rush(live_server, group, parents, *, request_key=None):
    """Every parent submits the enrollment form at the same moment. Returns HTTP statuses."""
    barrier = threading.Barrier(len(parents))
    url = f"{live_server.url}/family/enroll/{group.pk}/"

    def submit(item):
        session, child = item
        body = urllib.parse.urlencode(
            {
                "participants": child.pk,
                "request_key": request_key or uuid.uuid4().hex,
                "csrfmiddlewaretoken": CSRF,
            }
        ).encode()
        request = urllib.request.Request(
            url, data=body, headers={"Cookie": f"sessionid={session}; csrftoken={CSRF}"}
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=len(parents)) as pool:
        return list(pool.map(submit, parents))


def parents_with_children(count):
    result = []
    for _ in range(count):
        user, [child] = family()
        result.append((session_for(user), child))
    return result


@pytest.mark.parametrize("capacity", [1, 5])
@pytest.mark.parametrize("round_", [1, 2])
def test_rush_fills_exactly_the_capacity(live_server, settings, capacity, round_):
    settings.ENROLLMENT_TEST_RACE_DELAY = 0.02
    group = GroupFactory(capacity=capacity)
    parents = parents_with_children(PARENTS)

    statuses = rush(live_server, group, parents)

    assert statuses == [200] * PARENTS
    enrollments = Enrollment.objects.filter(group=group)
    assert enrollments.filter(status=S.ACTIVE).count() == capacity
    waiting = list(enrollments.waitlist())
    assert len(waiting) == PARENTS - capacity
    # The waiting list is in arrival order: by request time, each person once.
    assert [e.requested_at for e in waiting] == sorted(e.requested_at for e in waiting)
    group.refresh_from_db()
    assert (group.places_taken, group.waitlist_length) == (capacity, PARENTS - capacity)


def test_negative_control_without_the_lock_oversells(live_server, settings):
    settings.ENROLLMENT_TEST_DISABLE_LOCK = True
    settings.ENROLLMENT_TEST_RACE_DELAY = 0.3
    group = GroupFactory(capacity=1)
    parents = parents_with_children(8)

    statuses = rush(live_server, group, parents)

    assert set(statuses) == {200}
    assert Enrollment.objects.filter(group=group, status=S.ACTIVE).count() > 1


def test_double_submit_of_one_form_creates_one_enrollment(live_server, settings):
    settings.ENROLLMENT_TEST_RACE_DELAY = 0.05
    group = GroupFactory(capacity=3)
    user, [child] = family()
    session = session_for(user)

    statuses = rush(live_server, group, [(session, child)] * 4, request_key=uuid.uuid4().hex)

    assert set(statuses) == {200}
    assert Enrollment.objects.filter(group=group).count() == 1


def test_freed_place_goes_to_exactly_one_person_under_racing_requests_and_sweeps(settings):
    settings.ENROLLMENT_TEST_RACE_DELAY = 0.02
    group = GroupFactory(capacity=1)
    now = dt.datetime.now(tz=dt.UTC)
    holder_parent, [holder] = family()
    [active] = services.enrollment_request(
        participants=[holder], group=group, requested_by=holder_parent
    )
    for _ in range(3):
        parent, kids = family()
        services.enrollment_request(participants=kids, group=group, requested_by=parent)
    services.enrollment_withdraw(enrollment=active, by=holder_parent)
    newcomers = [family() for _ in range(6)]
    barrier = threading.Barrier(2 + len(newcomers))

    def run(job):
        barrier.wait()
        try:
            job()
        finally:
            connection.close()

    jobs = [
        lambda: services.withdrawals_complete_due(today=(now + dt.timedelta(days=40)).date()),
        lambda: services.offers_expire_due(now=now + dt.timedelta(hours=1)),
    ] + [
        (lambda p=p, k=k: services.enrollment_request(participants=k, group=group, requested_by=p))
        for p, k in newcomers
    ]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        list(pool.map(run, jobs))

    enrollments = Enrollment.objects.filter(group=group)
    assert enrollments.filter(status__in=[S.ACTIVE, S.OFFERED]).count() == 1
    assert enrollments.get(status=S.OFFERED).participant != holder
    group.refresh_from_db()
    assert (group.places_taken, group.waitlist_length) == services.group_counters_recount(
        group=group
    )
