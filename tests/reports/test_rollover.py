"""The season rollover in one step: catalogue, fee plans and invitations; preview, confirm,
idempotent, refused cleanly."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import FeePlan, FeePlanKind
from clubs.models import Group, Season
from enrollment.models import Enrollment, EnrollmentStatus
from notifications.kinds import Kind
from notifications.models import Notification
from reports.exceptions import RolloverError
from reports.rollover import season_rollover, season_rollover_preview
from tests.enrollment.factories import GuardianshipFactory, ParticipantFactory
from tests.factories import FeePlanFactory, GroupFactory, SeasonFactory, UserFactory

WARSAW = ZoneInfo("Europe/Warsaw")
S = EnrollmentStatus


@pytest.fixture
def world(db):
    source = SeasonFactory()
    target = Season.objects.create(
        name="2027/2028",
        starts_on=dt.date(2027, 9, 1),
        ends_on=dt.date(2028, 6, 30),
        priority_opens_at=dt.datetime(2027, 8, 20, 18, tzinfo=WARSAW),
        enrollment_opens_at=dt.datetime(2027, 8, 27, 18, tzinfo=WARSAW),
    )
    dance = GroupFactory(season=source, name="Taniec")
    choir = GroupFactory(season=source, name="Chór")
    FeePlanFactory(group=dance, kind=FeePlanKind.MONTHLY, amount=Decimal("150.00"))
    FeePlanFactory(group=choir, kind=FeePlanKind.PASS, amount=Decimal("200.00"), entries=10)
    staff = UserFactory()
    # One household with two continuing children (one message), another with one who left,
    # a third with a child on a waiting list only (not continuing).
    family = GuardianshipFactory()
    second_guardian = GuardianshipFactory(household=family.household)
    leaver = GuardianshipFactory()
    waiting = GuardianshipFactory()

    def enroll(household, group, status, ends_on=None):
        return Enrollment.objects.create(
            participant=ParticipantFactory(household=household, consents=[]),
            group=group,
            status=status,
            ends_on=ends_on,
            requested_at=timezone.now(),
            requested_by=staff,
        )

    enroll(family.household, dance, S.ACTIVE)
    enroll(family.household, choir, S.ACTIVE)
    enroll(leaver.household, dance, S.WITHDRAWN, ends_on=dt.date(2027, 1, 31))
    enroll(waiting.household, choir, S.WAITLISTED)
    return {
        "source": source,
        "target": target,
        "family": family,
        "second_guardian": second_guardian,
        "groups": [dance, choir],
    }


def _state():
    return (
        Group.objects.count(),
        FeePlan.objects.count(),
        Notification.objects.count(),
        sorted(Notification.objects.values_list("dedupe_key", "channel")),
    )


def test_the_preview_says_what_would_happen_and_changes_nothing(world):
    before = _state()
    preview = season_rollover_preview(source=world["source"], target=world["target"])
    assert len(preview.to_copy) == 2 and preview.existing == []
    assert preview.fee_plans == 2
    assert preview.households == 1
    assert _state() == before


def test_the_rollover_copies_plans_and_invites_each_household_once(world):
    outcome = season_rollover(source=world["source"], target=world["target"])

    assert (outcome.groups_created, outcome.fee_plans_created, outcome.households_invited) == (
        2,
        2,
        1,
    )
    copies = {g.copied_from_id: g for g in Group.objects.filter(season=world["target"])}
    for group in world["groups"]:
        plan, copied = group.fee_plan, copies[group.pk].fee_plan
        assert (copied.kind, copied.amount, copied.entries) == (
            plan.kind,
            plan.amount,
            plan.entries,
        )
    invitations = Notification.objects.filter(kind=Kind.REENROLLMENT_INVITATION)
    # one message per guardian of the one continuing household, listing both children
    assert sorted(invitations.values_list("user_id", flat=True)) == sorted(
        [world["family"].user_id, world["second_guardian"].user_id]
    )
    context = invitations.first().context
    assert context["season_name"] == "2027/2028"
    assert len(context["groups"]) == 2
    assert {g["url"].rsplit("/", 2)[-2] for g in context["groups"]} == {
        str(copies[g.pk].pk) for g in world["groups"]
    }
    assert context["priority_opens_at"].startswith("2027-08-20T18:00")


def test_running_it_twice_creates_nothing_twice(world):
    season_rollover(source=world["source"], target=world["target"])
    after_first = _state()

    outcome = season_rollover(source=world["source"], target=world["target"])

    assert outcome.groups_created == 0 and outcome.fee_plans_created == 0
    assert outcome.groups_existing == 2
    assert _state() == after_first


def test_a_fee_plan_set_by_hand_in_the_new_season_is_kept(world):
    target_group = GroupFactory(
        season=world["target"], activity=world["groups"][0].activity, name="Taniec"
    )
    FeePlanFactory(group=target_group, amount=Decimal("175.00"))
    season_rollover(source=world["source"], target=world["target"])
    target_group.refresh_from_db()
    assert target_group.fee_plan.amount == Decimal("175.00")
    assert Group.objects.filter(season=world["target"]).count() == 2


def test_a_refused_rollover_changes_nothing(world):
    before = _state()
    with pytest.raises(RolloverError):
        season_rollover(source=world["target"], target=world["source"])
    assert _state() == before


def test_the_pages_preview_then_confirm(client, world, director):
    client.force_login(director)
    url = reverse("reports:rollover")
    assert client.get(url).status_code == 200
    query = {"source": world["source"].pk, "target": world["target"].pk}
    before = _state()

    response = client.get(url, query)

    assert response.status_code == 200
    assert len(response.context["preview"].to_copy) == 2
    assert _state() == before

    response = client.post(reverse("reports:rollover-confirm"), query)
    assert response.status_code == 302
    assert Group.objects.filter(season=world["target"]).count() == 2

    response = client.post(reverse("reports:rollover-confirm"), query)  # again: nothing new
    assert response.status_code == 302
    assert Group.objects.filter(season=world["target"]).count() == 2


def test_the_pages_refuse_going_backwards_with_a_message(client, world, director):
    client.force_login(director)
    query = {"source": world["target"].pk, "target": world["source"].pk}
    before = _state()
    response = client.get(reverse("reports:rollover"), query)
    assert response.status_code == 400 and response.context["error"]
    response = client.post(reverse("reports:rollover-confirm"), query)
    assert response.status_code == 400 and b"data-error" in response.content
    assert _state() == before
