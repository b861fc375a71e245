"""Pages of the fair allocation: a family's applications and results, the coordinator's runs,
review, decisions log and publication; who may see what, and bad input that changes nothing."""

import datetime as dt
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from clubs.models import AllocationMode
from enrollment import services
from enrollment.models import (
    AllocationDecision,
    AllocationRun,
    Application,
    ApplicationChoice,
    Enrollment,
)
from enrollment.tasks import allocation_windows_close_task
from notifications.models import Notification
from tests.enrollment.factories import GuardianshipFactory, ParticipantFactory, family
from tests.factories import ActivityFactory, GroupFactory, SeasonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """Pages in English: the assertions compare the source strings."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def lottery_world(*, open_window: bool):
    now = timezone.now()
    if open_window:
        opens, closes = now - dt.timedelta(days=1), now + dt.timedelta(days=1)
    else:
        opens, closes = now - dt.timedelta(days=3), now - dt.timedelta(hours=1)
    season = SeasonFactory(
        name="2030/2031" if open_window else "2029/2030",
        allocation_mode=AllocationMode.LOTTERY,
        applications_open_at=opens,
        applications_close_at=closes,
        enrollment_opens_at=now - dt.timedelta(days=5),
    )
    activity = ActivityFactory(name="Balet")
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    activity.coordinators.add(coordinator)
    popular = GroupFactory(activity=activity, season=season, name="Balet A", capacity=1)
    other = GroupFactory(activity=activity, season=season, name="Balet B", capacity=3)
    young = GroupFactory(activity=activity, season=season, name="Maluchy", age_min=3, age_max=5)
    guardian, kids = family(2)
    return SimpleNamespace(
        season=season,
        coordinator=coordinator,
        popular=popular,
        other=other,
        young=young,
        guardian=guardian,
        kids=kids,
    )


@pytest.fixture
def world():
    return lottery_world(open_window=True)


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def counts():
    return (
        Application.objects.filter(withdrawn_at__isnull=True).count(),
        ApplicationChoice.objects.count(),
        AllocationRun.objects.count(),
        AllocationDecision.objects.count(),
        Enrollment.objects.count(),
        Notification.objects.count(),
    )


def apply_form(world, *groups, kids=None, together=False):
    data = {"participants": [k.pk for k in (kids or world.kids[:1])]}
    for index, group in enumerate(groups, start=1):
        data[f"choice_{index}"] = group.pk
    if together:
        data["together"] = "on"
    return data


# --- families ---------------------------------------------------------------------------------


def test_the_application_page_says_early_gives_no_advantage_in_polish(client, world):
    client.force_login(world.guardian)
    response = client.get(reverse("allocation:application-list"), headers={"accept-language": "pl"})
    assert "Wcześniejsze zgłoszenie nie daje pierwszeństwa." in response.content.decode()


def test_a_guardian_applies_with_ordered_choices(client, world):
    client.force_login(world.guardian)
    page = client.get(reverse("allocation:application-create"))
    assert "Applying early gives no advantage." in page.content.decode()
    assert page.content.decode().count('for="id_choice_') == 3

    response = client.post(
        reverse("allocation:application-create"), apply_form(world, world.other, world.popular)
    )

    assert response.status_code == 302
    application = Application.objects.get()
    assert list(application.choices.values_list("group_id", flat=True)) == [
        world.other.pk,
        world.popular.pk,
    ]
    listing = client.get(reverse("allocation:application-list")).content.decode()
    assert "Change the choices" in listing and "Withdraw the application" in listing


def test_siblings_apply_together(client, world):
    client.force_login(world.guardian)
    client.post(
        reverse("allocation:application-create"),
        apply_form(world, world.other, kids=world.kids, together=True),
    )
    assert len(set(Application.objects.values_list("bundle_key", flat=True))) == 1
    assert Application.objects.count() == 2


def test_duplicate_choices_are_an_error_on_the_field_and_change_nothing(client, world):
    client.force_login(world.guardian)
    before = counts()

    response = client.post(
        reverse("allocation:application-create"), apply_form(world, world.other, world.other)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["choice_2"] == ["Each group can be chosen only once."]
    assert 'aria-describedby="id_choice_2_error"' in response.content.decode() or (
        "id_choice_2_error" in response.content.decode()
    )
    assert counts() == before


def test_an_ineligible_group_or_a_second_application_is_refused(client, world):
    client.force_login(world.guardian)
    response = client.post(reverse("allocation:application-create"), apply_form(world, world.young))
    assert response.status_code == 200
    assert "age does not fit" in response.content.decode()
    assert counts()[0] == 0

    client.post(reverse("allocation:application-create"), apply_form(world, world.other))
    before = counts()
    response = client.post(
        reverse("allocation:application-create"), apply_form(world, world.popular)
    )
    assert "There is already an application for this participant" in response.content.decode()
    assert counts() == before


def test_a_group_outside_the_open_window_is_not_a_valid_choice(client, world):
    closed = lottery_world(open_window=False)
    client.force_login(world.guardian)
    response = client.post(
        reverse("allocation:application-create"), apply_form(world, closed.popular)
    )
    assert "choice_1" in response.context["form"].errors
    assert counts()[0] == 0


def test_change_and_withdraw_through_the_pages(client, world):
    client.force_login(world.guardian)
    [application] = services.application_submit(
        participants=world.kids[:1], preferences=[world.popular], submitted_by=world.guardian
    )
    url = reverse("allocation:application-change", kwargs={"pk": application.pk})

    client.post(url, {"choice_1": world.other.pk, "choice_2": world.popular.pk})
    assert list(application.choices.values_list("group_id", flat=True)) == [
        world.other.pk,
        world.popular.pk,
    ]

    client.post(reverse("allocation:application-withdraw", kwargs={"pk": application.pk}))
    application.refresh_from_db()
    assert application.withdrawn_at is not None


def test_another_familys_application_is_not_found(client, world):
    [application] = services.application_submit(
        participants=world.kids[:1], preferences=[world.popular], submitted_by=world.guardian
    )
    stranger = GuardianshipFactory().user
    client.force_login(stranger)
    for url in (
        reverse("allocation:application-change", kwargs={"pk": application.pk}),
        reverse("allocation:application-withdraw", kwargs={"pk": application.pk}),
    ):
        assert client.post(url, {"choice_1": world.other.pk}).status_code == 404
    application.refresh_from_db()
    assert application.withdrawn_at is None
    assert list(application.choices.values_list("group_id", flat=True)) == [world.popular.pk]


def test_first_come_enrollment_in_a_lottery_group_points_to_the_applications(client, world):
    client.force_login(world.guardian)
    response = client.post(
        reverse("enrollment:enroll", kwargs={"group_id": world.other.pk}),
        {"participants": [world.kids[0].pk], "request_key": "0123456789abcdef"},
    )
    assert response.status_code == 200
    assert reverse("allocation:application-list") in response.content.decode()
    assert not Enrollment.objects.exists()


# --- staff ------------------------------------------------------------------------------------


@pytest.fixture
def closed():
    """A closed window with three applications and a dry run made by the task."""
    world = lottery_world(open_window=False)
    for _ in range(3):
        user, [child] = family()
        Application.objects.create(season=world.season, participant=child, submitted_by=user)
    for application in Application.objects.all():
        ApplicationChoice.objects.create(application=application, rank=1, group=world.popular)
        ApplicationChoice.objects.create(application=application, rank=2, group=world.other)
    [world.run] = services.allocation_windows_close()
    return world


def staff_urls(world) -> list[str]:
    return [
        reverse("allocation:run-detail", kwargs={"pk": world.run.pk}),
        reverse("allocation:run-decisions", kwargs={"pk": world.run.pk}),
    ]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("anonymous", 302), ("guardian", 404), ("other_coordinator", 404), ("coordinator", 200)],
)
def test_runs_answer_only_to_staff_who_run_the_groups(client, closed, kind, expected):
    user = {
        "anonymous": None,
        "guardian": closed.guardian,
        "coordinator": closed.coordinator,
    }.get(kind)
    if kind == "other_coordinator":
        user = UserFactory(roles=[Role.COORDINATOR])
        ActivityFactory().coordinators.add(user)
    if user:
        client.force_login(user)
    for url in staff_urls(closed):
        response = client.get(url)
        assert response.status_code == expected, url
        if kind == "anonymous":
            assert response.url == f"{reverse('accounts:login')}?next={quote(url)}"
    before = counts()
    for url in (
        reverse("allocation:run-publish", kwargs={"pk": closed.run.pk}),
        reverse("allocation:run-start", kwargs={"pk": closed.season.pk}),
    ):
        client.post(url, {"confirm": "on"})
    if kind != "coordinator":
        assert counts() == before


def test_the_review_shows_the_seed_groups_by_tier_and_reasons(client, closed):
    client.force_login(closed.coordinator)
    page = client.get(reverse("allocation:run-detail", kwargs={"pk": closed.run.pk}))
    html = page.content.decode()
    assert str(closed.run.seed) in html
    assert "Balet A" in html and "Balet B" in html
    assert "3. Pozostali: 1 placed, 0 waitlisted" in html
    log = client.get(reverse("allocation:run-decisions", kwargs={"pk": closed.run.pk}))
    assert "Placed in preference 2 because preference 1 was full after tier 3" in (
        log.content.decode()
    )
    filtered = client.get(
        reverse("allocation:run-decisions", kwargs={"pk": closed.run.pk}),
        {"group": closed.popular.pk},
    )
    assert filtered.context["page_obj"].paginator.count == 1
    by_name = client.get(
        reverse("allocation:run-decisions", kwargs={"pk": closed.run.pk}),
        {"q": "Zosia", "outcome": "placed"},
    )
    assert by_name.context["page_obj"].paginator.count == 3
    nobody = client.get(
        reverse("allocation:run-decisions", kwargs={"pk": closed.run.pk}), {"q": "Bartek"}
    )
    assert nobody.context["page_obj"].paginator.count == 0


def test_a_dry_run_on_an_open_window_is_refused_with_a_message(client, world):
    client.force_login(world.coordinator)
    response = client.post(reverse("allocation:run-start", kwargs={"pk": world.season.pk}))
    assert response.status_code == 302
    assert flash(response) == ["Applications are still open; the allocation runs after they close."]
    assert not AllocationRun.objects.exists()


def test_the_dry_run_button_reuses_the_recorded_seed(client, closed):
    client.force_login(closed.coordinator)
    response = client.post(reverse("allocation:run-start", kwargs={"pk": closed.season.pk}))
    run = AllocationRun.objects.exclude(pk=closed.run.pk).get()
    assert response.url == reverse("allocation:run-detail", kwargs={"pk": run.pk})
    assert (run.seed, run.started_by) == (closed.run.seed, closed.coordinator)


def test_publish_needs_the_confirmation_then_works_once(client, closed):
    client.force_login(closed.coordinator)
    url = reverse("allocation:run-publish", kwargs={"pk": closed.run.pk})
    before = counts()

    response = client.post(url, {})
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert counts() == before

    response = client.post(url, {"confirm": "on"})
    assert flash(response)[0].startswith("Published: 3 enrollments made")
    after = counts()
    assert Notification.objects.filter(kind="allocation_result").count() == 3

    response = client.post(url, {"confirm": "on"})
    assert "already been published" in flash(response)[-1]
    assert counts() == after


def test_a_coordinator_of_only_some_lottery_groups_cannot_publish(client, closed):
    other_activity = ActivityFactory()
    GroupFactory(activity=other_activity, season=closed.season)
    client.force_login(closed.coordinator)
    page = client.get(reverse("allocation:run-detail", kwargs={"pk": closed.run.pk}))
    assert "Only staff who run every lottery group" in page.content.decode()
    response = client.post(
        reverse("allocation:run-publish", kwargs={"pk": closed.run.pk}), {"confirm": "on"}
    )
    assert response.status_code == 404
    assert not AllocationRun.objects.filter(published_at__isnull=False).exists()


def test_after_publishing_the_parent_sees_each_childs_result_explained(client, closed):
    office = UserFactory(roles=[Role.OFFICE])
    services.allocation_publish(run=closed.run, actor=office)
    application = Application.objects.filter(decisions__rank=2).first()
    parent = application.participant.household.guardians.get().user
    client.force_login(parent)

    html = client.get(reverse("allocation:application-list")).content.decode()

    assert "Placed in preference 2 because preference 1 was full after tier 3" in html
    assert "Balet B" in html


def test_the_decisions_log_takes_the_same_queries_for_more_rows(client, closed):
    client.force_login(closed.coordinator)
    url = reverse("allocation:run-decisions", kwargs={"pk": closed.run.pk})
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        ParticipantFactory()
    more_user, [child] = family()
    application = Application.objects.create(
        season=closed.season, participant=child, submitted_by=more_user
    )
    ApplicationChoice.objects.create(application=application, rank=1, group=closed.other)
    run = services.allocation_run(season=closed.season)
    url = reverse("allocation:run-decisions", kwargs={"pk": run.pk})
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)


# --- the task ---------------------------------------------------------------------------------


def test_the_task_makes_one_dry_run_at_the_close_and_is_idempotent():
    closed = lottery_world(open_window=False)
    still_open = lottery_world(open_window=True)
    user, [child] = family()
    application = Application.objects.create(
        season=closed.season, participant=child, submitted_by=user
    )
    ApplicationChoice.objects.create(application=application, rank=1, group=closed.other)

    assert allocation_windows_close_task.delay().get() == 1
    assert allocation_windows_close_task.delay().get() == 0

    run = AllocationRun.objects.get()
    assert (run.season, run.started_by, run.published_at) == (closed.season, None, None)
    assert run.seed > 0
    assert not AllocationRun.objects.filter(season=still_open.season).exists()
    assert run.decisions.get().outcome == "placed"
