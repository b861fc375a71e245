"""The enroll POST stays cheap: a ceiling on its queries, and the shortcuts it takes (one COUNT
for the waiting-list position, one query per consent check) give the same answers."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment import services
from enrollment.models import (
    ConsentDecision,
    ConsentKind,
    ConsentText,
    Enrollment,
    EnrollmentStatus,
    PriorityTier,
)
from enrollment.selectors import consents_missing, waitlist_position
from tests.enrollment.factories import family, guardian_of
from tests.factories import GroupFactory, SeasonFactory

pytestmark = pytest.mark.django_db
S = EnrollmentStatus

# One enroll POST that puts a child on the waiting list (the costliest outcome: it also counts
# the position), measured with a previous season present; counts the test transaction's
# SAVEPOINT and RELEASE, and the one read of the user's roles and permissions (base.html's
# `perms`). Raise it only with a reason.
ENROLL_POST_MAX_QUERIES = 19  # 27, then 23 before the enroll path was trimmed


def _post(client, group, child, key):
    return client.post(
        reverse("enrollment:enroll", args=[group.pk]),
        {"participants": [child.pk], "request_key": key},
    )


def test_enroll_post_query_ceiling(client, django_assert_max_num_queries):
    SeasonFactory(name="2025/2026", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 6, 30))
    group = GroupFactory(capacity=1)
    first_user, [first_child] = family()
    client.force_login(first_user)
    assert _post(client, group, first_child, "0123456789abcdef").status_code == 200

    user, [child] = family()
    client.force_login(user)
    with django_assert_max_num_queries(ENROLL_POST_MAX_QUERIES):
        response = _post(client, group, child, "fedcba9876543210")
    assert response.status_code == 200
    [enrollment] = response.context["enrollments"]
    assert enrollment.status == S.WAITLISTED
    assert enrollment.position == 1


def test_result_page_shows_the_waiting_list_position(client):
    group = GroupFactory(capacity=1)
    positions = []
    for n in range(3):
        user, [child] = family()
        client.force_login(user)
        response = _post(client, group, child, f"0123456789abcd{n:02d}")
        [enrollment] = response.context["enrollments"]
        positions.append((enrollment.status, enrollment.position))
    assert positions == [(S.ACTIVE, None), (S.WAITLISTED, 1), (S.WAITLISTED, 2)]
    assert "pozycj" in response.content.decode()  # "... na liście rezerwowej, pozycja 2"


def test_submitting_twice_answers_with_the_same_outcome(client):
    group = GroupFactory(capacity=1)
    holder, [held] = family()
    client.force_login(holder)
    _post(client, group, held, "00000000000000aa")
    user, [child] = family()
    client.force_login(user)
    first = _post(client, group, child, "0123456789abcdef")
    second = _post(client, group, child, "0123456789abcdef")
    assert first.status_code == second.status_code == 200
    assert [(e.pk, e.status, e.position) for e in first.context["enrollments"]] == [
        (e.pk, e.status, e.position) for e in second.context["enrollments"]
    ]
    assert Enrollment.objects.filter(participant=child).count() == 1


def test_waitlist_position_follows_the_waitlist_order():
    group = GroupFactory(capacity=1)
    enrollments = []
    for _ in range(5):
        user, [child] = family()
        [enrollment] = services.enrollment_request(
            participants=[child], group=group, requested_by=user
        )
        enrollments.append(enrollment)
    # A continuing participant goes ahead of the general tier; equal ranks fall back to the id.
    last = enrollments[-1]
    last.priority_tier = PriorityTier.CONTINUING
    last.save(update_fields=["priority_tier"])
    Enrollment.objects.filter(pk=enrollments[2].pk).update(
        waitlist_rank=enrollments[1].waitlist_rank
    )
    line = list(Enrollment.objects.filter(group=group).waitlist())
    assert [waitlist_position(enrollment=e) for e in line] == list(range(1, len(line) + 1))


def test_consents_missing_reads_the_latest_decision_in_the_current_wording():
    _user, [child] = family()
    assert consents_missing(participant=child) == []
    by = guardian_of(child)
    ConsentDecision.objects.create(
        participant=child,
        text=ConsentText.objects.get(kind=ConsentKind.ENROLLMENT_DATA, version=1),
        granted=False,
        decided_by=by,
    )
    assert consents_missing(participant=child) == [ConsentKind.ENROLLMENT_DATA]
    ConsentDecision.objects.create(
        participant=child,
        text=ConsentText.objects.get(kind=ConsentKind.ENROLLMENT_DATA, version=1),
        granted=True,
        decided_by=by,
    )
    assert consents_missing(participant=child) == []
    newer = ConsentText.objects.create(
        kind=ConsentKind.ENROLLMENT_DATA, version=2, text="Nowa treść", published_at=timezone.now()
    )
    assert consents_missing(participant=child) == [ConsentKind.ENROLLMENT_DATA]
    ConsentDecision.objects.create(participant=child, text=newer, granted=True, decided_by=by)
    assert consents_missing(participant=child) == []
