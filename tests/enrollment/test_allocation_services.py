"""Fair allocation: applications, the lottery run, publishing, and the refusals that change
nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from clubs.models import AllocationMode
from enrollment import services
from enrollment.exceptions import (
    AgeNotAllowedError,
    AllocationPublishedError,
    AllocationWindowOpenError,
    AlreadyAppliedError,
    ApplicationError,
    ApplicationWindowError,
    ConsentMissingError,
    DuplicatePreferenceError,
    EnrollmentClosedError,
    HouseholdClosedError,
)
from enrollment.models import (
    AllocationDecision,
    AllocationRun,
    AllocationTier,
    Application,
    ApplicationChoice,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    GuardianRights,
    Guardianship,
    PriorityTier,
)
from enrollment.services.allocation import allocation_inputs
from notifications.models import Notification
from tests.enrollment.allocation_helpers import (
    AFTER,
    CLOSES,
    DURING,
    OPENS,
    apply,
    lottery_group,
    lottery_season,
)
from tests.enrollment.factories import ParticipantFactory, family
from tests.factories import GroupFactory, SeasonFactory, UserFactory

pytestmark = pytest.mark.django_db
S = EnrollmentStatus


@pytest.fixture
def season():
    return lottery_season()


@pytest.fixture
def coordinator():
    return UserFactory()


def state():
    return (
        Application.objects.count(),
        Application.objects.filter(withdrawn_at__isnull=False).count(),
        ApplicationChoice.objects.count(),
        AllocationRun.objects.count(),
        AllocationDecision.objects.count(),
        Enrollment.objects.count(),
    )


def outcome(run, application):
    return list(
        AllocationDecision.objects.filter(run=run, application=application).values_list(
            "outcome", "group_id", "rank"
        )
    )


# --- applications -------------------------------------------------------------------------------


def test_an_application_keeps_the_preferences_in_order(season):
    first, second, third = (lottery_group(season) for _ in range(3))

    user, [child], [application] = apply([second, first, third])

    assert list(application.choices.values_list("rank", "group_id")) == [
        (1, second.pk),
        (2, first.pk),
        (3, third.pk),
    ]
    assert (application.participant, application.submitted_by, application.bundle_key) == (
        child,
        user,
        "",
    )


def test_siblings_together_share_a_bundle_and_each_has_the_choices(season):
    group = lottery_group(season)

    _, _, applications = apply([group], children=2, together=True)

    assert len({a.bundle_key for a in applications}) == 1 and applications[0].bundle_key
    assert ApplicationChoice.objects.filter(group=group).count() == 2


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (OPENS - dt.timedelta(minutes=1), "Zgłoszenia będą przyjmowane od 01.06.2026 08:00."),
        (CLOSES, "Zgłoszenia na ten sezon są już zamknięte."),
    ],
)
def test_an_application_outside_the_window_is_refused_in_polish(season, now, message):
    group = lottery_group(season)
    before = state()

    with pytest.raises(ApplicationWindowError) as error:
        apply([group], now=now)

    assert str(error.value.message) == message
    assert state()[:3] == before[:3]


def test_duplicate_preferences_are_refused(season):
    group = lottery_group(season)
    with pytest.raises(DuplicatePreferenceError):
        apply([group, group])
    assert not Application.objects.exists()


def test_more_than_three_preferences_are_refused(season):
    groups = [lottery_group(season) for _ in range(4)]
    with pytest.raises(ApplicationError):
        apply(groups)
    assert not Application.objects.exists()


def test_an_ineligible_group_is_refused_with_the_enrollment_rules(season):
    young = lottery_group(season, age_min=3, age_max=5)
    with pytest.raises(AgeNotAllowedError):
        apply([young])
    with pytest.raises(ConsentMissingError):
        apply([lottery_group(season)], consents=[])
    assert not Application.objects.exists()


def test_a_first_come_group_takes_no_applications(season):
    group = lottery_group(season, allocation_mode=AllocationMode.FIRST_COME)
    with pytest.raises(ApplicationError):
        apply([group])
    assert not Application.objects.exists()


def test_a_second_application_for_the_same_child_is_refused(season):
    first, second = lottery_group(season), lottery_group(season)
    user, [child], _ = apply([first])

    with pytest.raises(AlreadyAppliedError):
        services.application_submit(
            participants=[child], preferences=[second], submitted_by=user, now=DURING
        )
    assert Application.objects.count() == 1
    assert ApplicationChoice.objects.count() == 1


def test_the_database_refuses_a_second_live_application(season):
    group = lottery_group(season)
    user, [child], _ = apply([group])
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(season=season, participant=child, submitted_by=user)


def test_a_closed_household_cannot_apply(season):
    group = lottery_group(season)
    user, [child] = family()
    child.household.closed_at = DURING
    child.household.save()
    with pytest.raises(HouseholdClosedError):
        services.application_submit(
            participants=[child], preferences=[group], submitted_by=user, now=DURING
        )
    assert not Application.objects.exists()


def test_change_and_withdraw_until_the_window_closes(season):
    first, second = lottery_group(season), lottery_group(season)
    user, [child], [application] = apply([first])

    other_guardian = UserFactory()
    Guardianship.objects.create(
        household=child.household, user=other_guardian, rights=GuardianRights.FULL
    )
    changed = services.application_change(
        application=application, preferences=[second, first], changed_by=other_guardian, now=DURING
    )
    assert list(application.choices.values_list("group_id", flat=True)) == [second.pk, first.pk]
    assert (changed.changed_by, changed.submitted_by) == (other_guardian, user)
    assert changed.updated_at == DURING

    with pytest.raises(ApplicationWindowError):
        services.application_change(
            application=application, preferences=[first], changed_by=user, now=AFTER
        )
    with pytest.raises(ApplicationWindowError):
        services.application_withdraw(application=application, by=user, now=AFTER)
    assert list(application.choices.values_list("group_id", flat=True)) == [second.pk, first.pk]

    services.application_withdraw(application=application, by=other_guardian, now=DURING)
    application.refresh_from_db()
    assert (application.withdrawn_at, application.withdrawn_by) == (DURING, other_guardian)
    # Withdrawn, the child may apply again.
    services.application_submit(
        participants=[child], preferences=[first], submitted_by=user, now=DURING
    )


def test_changing_a_bundle_changes_every_sibling(season):
    first, second = lottery_group(season), lottery_group(season)
    user, _, applications = apply([first], children=2, together=True)

    services.application_change(
        application=applications[0], preferences=[second], changed_by=user, now=DURING
    )

    assert set(ApplicationChoice.objects.values_list("application_id", "group_id")) == {
        (applications[0].pk, second.pk),
        (applications[1].pk, second.pk),
    }


def test_first_come_enrollment_in_a_lottery_group_points_to_the_applications(season):
    group = lottery_group(season)
    user, [child] = family()
    with pytest.raises(EnrollmentClosedError) as error:
        services.enrollment_request(
            participants=[child], group=group, requested_by=user, now=DURING
        )
    assert "/family/applications/" in str(error.value.message)
    assert "losowanie" in str(error.value.message)
    assert not Enrollment.objects.exists()


# --- the run -----------------------------------------------------------------------------------


def test_running_on_an_open_window_is_refused_and_changes_nothing(season, coordinator):
    apply([lottery_group(season)])
    before = state()
    with pytest.raises(AllocationWindowOpenError):
        services.allocation_run(season=season, actor=coordinator, now=DURING)
    assert state() == before


def test_the_run_records_the_seed_and_reruns_give_the_same_decisions(season, coordinator):
    group = lottery_group(season, capacity=3)
    for _ in range(8):
        apply([group])

    first = services.allocation_run(season=season, actor=None, now=AFTER)
    second = services.allocation_run(season=season, actor=coordinator, now=AFTER)

    assert first.seed == second.seed
    decisions = lambda run: list(  # noqa: E731
        run.decisions.order_by("application_id", "rank").values_list(
            "application_id", "outcome", "group_id", "lottery_position"
        )
    )
    assert decisions(first) == decisions(second)
    assert run_counts(first) == {"placed": 3, "waitlisted": 5}
    assert first.inputs["applications"] == 8


def run_counts(run):
    counts = {}
    for value in run.decisions.values_list("outcome", flat=True):
        counts[value] = counts.get(value, 0) + 1
    return counts


def test_continuing_participants_come_first_then_siblings_then_everyone(season):
    previous = SeasonFactory(
        name="2025/2026",
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2026, 6, 30),
    )
    group = lottery_group(season, capacity=2)
    old = GroupFactory(season=previous, activity=group.activity)
    general = [apply([group])[2][0] for _ in range(5)]
    continuing_user, [returning] = family(birth_date=dt.date(2018, 5, 1))
    Enrollment.objects.create(
        participant=returning,
        group=old,
        status=S.ACTIVE,
        requested_at=OPENS,
        requested_by=continuing_user,
    )
    [continuing] = services.application_submit(
        participants=[returning], preferences=[group], submitted_by=continuing_user, now=DURING
    )
    # A sibling of a child who already has a place in the season (first come, another group).
    fcfs = GroupFactory(season=season, allocation_mode=AllocationMode.FIRST_COME)
    sibling_user, [placed_child, sibling] = family(2)
    Enrollment.objects.create(
        participant=placed_child,
        group=fcfs,
        status=S.ACTIVE,
        requested_at=OPENS,
        requested_by=sibling_user,
    )
    [sibling_application] = services.application_submit(
        participants=[sibling], preferences=[group], submitted_by=sibling_user, now=DURING
    )

    run = services.allocation_run(season=season, now=AFTER)

    assert outcome(run, continuing) == [("placed", group.pk, 1)]
    assert outcome(run, sibling_application) == [("placed", group.pk, 1)]
    tiers = dict(run.decisions.values_list("application_id", "tier_kind"))
    assert tiers[continuing.pk] == "continuing"
    assert tiers[sibling_application.pk] == "sibling"
    assert {tiers[a.pk] for a in general} == {"general"}
    assert all(outcome(run, a)[0][0] == "waitlisted" for a in general)


def test_a_childs_own_place_elsewhere_is_not_a_siblings_place(season):
    """The sibling tier is for brothers and sisters of placed children: a child who already
    has a place in another group of the season (and no placed sibling) draws with everyone."""
    group = lottery_group(season, capacity=1)
    fcfs = GroupFactory(season=season, allocation_mode=AllocationMode.FIRST_COME)
    user, [busy] = family()
    Enrollment.objects.create(
        participant=busy, group=fcfs, status=S.ACTIVE, requested_at=OPENS, requested_by=user
    )
    [own_place] = services.application_submit(
        participants=[busy], preferences=[group], submitted_by=user, now=DURING
    )
    # Two children of one family: the first holds a place elsewhere and applies too; the second
    # is the sibling of a placed child, the first is not.
    both_user, [placed, younger] = family(2)
    Enrollment.objects.create(
        participant=placed, group=fcfs, status=S.ACTIVE, requested_at=OPENS, requested_by=both_user
    )
    applications = services.application_submit(
        participants=[placed], preferences=[group], submitted_by=both_user, now=DURING
    ) + services.application_submit(
        participants=[younger], preferences=[group], submitted_by=both_user, now=DURING
    )

    run = services.allocation_run(season=season, now=AFTER)

    tiers = dict(run.decisions.values_list("application_id", "tier_kind"))
    assert tiers[own_place.pk] == "general"
    assert tiers[applications[1].pk] == "sibling"
    assert outcome(run, applications[1]) == [("placed", group.pk, 1)]
    # the first child of that family: general when drawn before the younger one was placed,
    # the younger one's sibling after that; never placed (one place, taken by the sibling tier)
    assert outcome(run, applications[0])[0][0] == "waitlisted"


def test_preferences_are_tried_in_order_and_the_reason_says_why(season):
    popular = lottery_group(season, capacity=1)
    other = lottery_group(season, capacity=5)
    applications = [apply([popular, other])[2][0] for _ in range(3)]

    run = services.allocation_run(season=season, seed=7, now=AFTER)

    results = sorted(outcome(run, a)[0] for a in applications)
    assert results == sorted(
        [("placed", other.pk, 2), ("placed", other.pk, 2), ("placed", popular.pk, 1)]
    )
    second = run.decisions.filter(rank=2).first()
    with translation.override("en"):
        assert second.reason.startswith(
            "Placed in preference 2 because preference 1 was full after tier 3"
        )
    with translation.override("pl"):
        assert second.reason.startswith(
            "Miejsce z wyboru nr 2, ponieważ wybór nr 1 był pełny po grupie priorytetowej 3"
        )


def test_siblings_together_are_placed_together_or_wait_together(season):
    group = lottery_group(season, capacity=1)
    roomy = lottery_group(season, capacity=2)
    _, _, bundle = apply([group, roomy], children=2, together=True)

    run = services.allocation_run(season=season, now=AFTER)

    assert [outcome(run, a) for a in bundle] == [[("placed", roomy.pk, 2)]] * 2


def test_unplaced_applicants_wait_on_every_preference_in_lottery_order(season, coordinator):
    first = lottery_group(season, capacity=1)
    second = lottery_group(season, capacity=1)
    applications = [apply([first, second])[2][0] for _ in range(4)]

    run = services.allocation_run(season=season, now=AFTER)
    services.allocation_publish(run=run, actor=coordinator, now=AFTER)

    waiting = (
        run.decisions.filter(outcome="waitlisted", group=first)
        .order_by("sequence")
        .values_list("application__participant_id", flat=True)
    )
    line = Enrollment.objects.filter(group=first).waitlist()
    assert [e.participant_id for e in line] == list(waiting)
    assert len(line) == 2
    assert {a.pk for a in applications} == set(run.decisions.values_list("application", flat=True))


def test_tiers_are_data(season):
    AllocationTier.objects.filter(kind="continuing").delete()
    AllocationTier.objects.filter(kind="general").update(name="Wszyscy")
    group = lottery_group(season)
    apply([group])

    run = services.allocation_run(season=season, now=AFTER)

    assert run.inputs["tiers"] == [[2, "sibling", "Rodzeństwo dzieci już przyjętych"],
                                   [3, "general", "Wszyscy"]]  # fmt: skip
    assert run.decisions.get().tier_name == "Wszyscy"


def test_the_run_takes_the_same_number_of_queries_for_more_applications(season):
    groups = [lottery_group(season, capacity=2) for _ in range(4)]

    def queries():
        with CaptureQueriesContext(connection) as context:
            services.allocation_run(season=season, now=AFTER)
        return len(context.captured_queries)

    for index in range(4):
        apply([groups[index % 4], groups[(index + 1) % 4]])
    few = queries()
    for index in range(20):
        apply([groups[index % 4], groups[(index + 1) % 4]], children=1 + index % 2)
    assert queries() == few <= 15


def test_inputs_come_in_a_fixed_number_of_queries(season, django_assert_num_queries):
    SeasonFactory(name="2025/2026", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 6, 30))
    group = lottery_group(season)
    for _ in range(3):
        apply([group])
    with django_assert_num_queries(6):
        units, seats, _ = allocation_inputs(season=season)
    assert len(units) == 3 and len(seats) == 1


# --- publishing --------------------------------------------------------------------------------


def test_publishing_makes_enrollments_events_counters_and_one_message_per_household(
    season, coordinator
):
    group = lottery_group(season, capacity=2)
    other = lottery_group(season, capacity=1)
    _, kids, _ = apply([group, other], children=2)
    apply([group, other])
    apply([group, other])

    run = services.allocation_run(season=season, now=AFTER)
    made = services.allocation_publish(run=run, actor=coordinator, now=AFTER)

    group.refresh_from_db()
    other.refresh_from_db()
    assert (group.places_taken, other.places_taken) == (2, 1)
    for g in (group, other):
        assert (g.places_taken, g.waitlist_length) == services.group_counters_recount(group=g)
    assert made == Enrollment.objects.count()
    assert EnrollmentEvent.objects.count() == made
    assert set(EnrollmentEvent.objects.values_list("actor", flat=True)) == {coordinator.pk}
    assert all(
        reason.startswith("Losowanie miejsc: ")
        for reason in EnrollmentEvent.objects.values_list("reason", flat=True)
    )
    messages = Notification.objects.filter(kind="allocation_result")
    assert messages.count() == 3  # three households, one guardian each
    family_message = messages.get(user=kids[0].household.guardians.get().user)
    assert {r["participant_name"] for r in family_message.context["results"]} == {
        str(k) for k in kids
    }
    assert not Notification.objects.exclude(kind="allocation_result").exists()
    run.refresh_from_db()
    assert run.published_by == coordinator


def test_after_publishing_first_come_enrollment_takes_over(season, coordinator):
    group = lottery_group(season, capacity=2)
    apply([group])
    run = services.allocation_run(season=season, now=AFTER)
    services.allocation_publish(run=run, actor=coordinator, now=AFTER)
    user, [child] = family()

    [enrollment] = services.enrollment_request(
        participants=[child], group=group, requested_by=user, now=season.enrollment_opens_at
    )

    assert enrollment.status == S.ACTIVE
    assert enrollment.priority_tier == PriorityTier.GENERAL


def test_publishing_twice_is_refused_and_changes_nothing(season, coordinator):
    apply([lottery_group(season)])
    run = services.allocation_run(season=season, now=AFTER)
    again = services.allocation_run(season=season, now=AFTER)
    services.allocation_publish(run=run, actor=coordinator, now=AFTER)
    before = (state(), Notification.objects.count(), EnrollmentEvent.objects.count())

    with pytest.raises(AllocationPublishedError):
        services.allocation_publish(run=run, actor=coordinator, now=AFTER)
    with pytest.raises(AllocationPublishedError):
        services.allocation_publish(run=again, actor=coordinator, now=AFTER)
    with pytest.raises(AllocationPublishedError):
        services.allocation_run(season=season, now=AFTER)

    assert (state(), Notification.objects.count(), EnrollmentEvent.objects.count()) == before


def test_the_database_refuses_a_second_published_run(season):
    first = AllocationRun.objects.create(season=season, seed=1, started_at=AFTER)
    second = AllocationRun.objects.create(season=season, seed=1, started_at=AFTER)
    AllocationRun.objects.filter(pk=first.pk).update(published_at=AFTER)
    with pytest.raises(IntegrityError), transaction.atomic():
        AllocationRun.objects.filter(pk=second.pk).update(published_at=AFTER)


def test_a_bundle_member_is_a_member_of_the_same_household_only(season):
    group = lottery_group(season)
    user, [child] = family()
    stranger = ParticipantFactory()
    with pytest.raises(ApplicationError):
        services.application_submit(
            participants=[child, stranger],
            preferences=[group],
            submitted_by=user,
            together=True,
            now=DURING,
        )
    assert not Application.objects.exists()
