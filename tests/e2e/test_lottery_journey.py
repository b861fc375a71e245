"""The lottery in a phone-sized browser: a parent applies for two children, the coordinator
reviews the dry run made at the close and publishes it, the parent reads the explained result.
axe-core runs on every page (see conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from clubs.models import AllocationMode
from enrollment.models import AllocationRun, Application, ConsentKind, Enrollment
from enrollment.services.allocation import allocation_run
from tests.enrollment.factories import consent_text, family
from tests.factories import ActivityFactory, GroupFactory, SeasonFactory, UserFactory

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_parent_applies_coordinator_publishes_parent_reads_the_result(journey):
    for kind in ConsentKind.values:
        consent_text(kind)
    now = timezone.now()
    season = SeasonFactory(
        name="2027/2028",
        allocation_mode=AllocationMode.LOTTERY,
        applications_open_at=now - dt.timedelta(days=2),
        applications_close_at=now + dt.timedelta(days=2),
    )
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    activity = ActivityFactory(name="Balet")
    activity.coordinators.add(coordinator)
    ballet = GroupFactory(
        activity=activity, season=season, name="Balet 1", capacity=1, age_min=5, age_max=12
    )
    second = GroupFactory(
        activity=activity, season=season, name="Balet 2", capacity=5, age_min=5, age_max=12
    )
    parent, kids = family(2, birth_date=dt.date(2018, 6, 1))
    page = journey.page

    log_in(journey, parent)
    journey.visit(reverse("allocation:application-create"), "apply")
    for box in page.locator("input[name=participants]").all():
        box.check()
    page.select_option("select[name=choice_1]", str(ballet.pk))
    page.select_option("select[name=choice_2]", str(second.pk))
    page.locator("main form button").last.click()
    page.wait_for_load_state("load")
    journey.step("applied")
    assert Application.objects.filter(season=season).count() == 2

    # the window closes; the dry run is made as the task does at the close
    type(season).objects.filter(pk=season.pk).update(
        applications_close_at=now - dt.timedelta(minutes=1)
    )
    season.refresh_from_db()
    run = allocation_run(season=season)

    page.context.clear_cookies()
    log_in(journey, coordinator)
    journey.visit(reverse("allocation:run-list"), "runs")
    journey.visit(reverse("allocation:run-detail", args=[run.pk]), "dry run")
    journey.visit(reverse("allocation:run-decisions", args=[run.pk]), "decisions")
    journey.visit(reverse("allocation:run-detail", args=[run.pk]), "publish")
    page.check("input[name=confirm]")
    page.locator("form[action$='/publish/'] button").click()
    page.wait_for_load_state("load")
    journey.step("published")
    assert AllocationRun.objects.get(pk=run.pk).published_at is not None
    assert Enrollment.objects.filter(group__season=season).count() >= 2
    assert ballet.enrollments.filter(status="active").count() == 1  # capacity 1

    page.context.clear_cookies()
    log_in(journey, parent)
    journey.visit(reverse("allocation:application-list"), "result")
    text = page.locator("main").inner_text()
    placed = Enrollment.objects.filter(group__season=season, status="active")
    assert {e.participant_id for e in placed} == {kid.pk for kid in kids}
    # each child's result is shown with its reason
    assert all(f"{kid.first_name} {kid.last_name}" in text for kid in kids)
    assert ballet.name in text and second.name in text
