"""An instructor takes a register and a coordinator runs a roster, in a phone-sized browser,
with axe-core on every page (see conftest.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment import services
from enrollment.models import AttendanceMark, AttendanceStatus, Enrollment, EnrollmentStatus
from tests.enrollment.factories import family
from tests.factories import GroupFactory
from tests.trust.world import build_world

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_instructor_takes_a_register(journey):
    world = build_world()
    log_in(journey, world.users["instructor_x"])
    page = journey.visit(reverse("attendance:today"), "today")
    page.locator(
        f"a[href='{reverse('attendance:register', args=[world.ids['meeting_x']])}']"
    ).first.click()
    journey.step("register")
    row = page.locator(f"#p-{world.ids['participant_a']}")
    row.locator('button[value="absent"]').click()
    saved = _("Saved: %(status)s at %(time)s").split("%(status)s")[0].strip()
    row.get_by_text(saved).first.wait_for()
    journey.step("marked absent")
    page.get_by_role("button", name=_("Everyone else present")).click()
    page.wait_for_load_state("load")
    journey.step("everyone else present")

    latest = AttendanceMark.objects.filter(participant_id=world.ids["participant_a"]).latest("pk")
    assert latest.status == AttendanceStatus.ABSENT
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_coordinator_approves_promotes_and_exports(journey):
    world = build_world()
    coordinator = world.users["coordinator_x"]
    group = GroupFactory(
        activity_id=world.ids["activity_x"],
        season=Enrollment.objects.get(pk=world.ids["enrollment_a"]).group.season,
        capacity=1,
        age_min=5,
        age_max=12,
        requires_approval=True,
        name="Zespół wokalny",
    )
    now = timezone.now()
    user, [first, second] = family(2, birth_date=dt.date(2018, 3, 3))
    [pending_one, pending_two] = services.enrollment_request(
        participants=[first, second], group=group, requested_by=user, now=now
    )
    log_in(journey, coordinator)

    page = journey.visit(reverse("roster:group-list"), "rosters")
    page.locator(f"a[href='{reverse('roster:group-detail', args=[group.pk])}']").first.click()
    journey.step("group")
    page.locator("a[href*='status=pending']").first.click()
    journey.step("pending")
    page.get_by_role("button", name=_("Approve: %(name)s") % {"name": first}).click()
    page.wait_for_load_state("load")
    journey.step("approved one")
    page.get_by_role("button", name=_("Approve: %(name)s") % {"name": second}).click()
    page.wait_for_load_state("load")
    journey.step("approved two: waiting list")

    pending_one.refresh_from_db()
    pending_two.refresh_from_db()
    assert pending_one.status == EnrollmentStatus.ACTIVE
    assert pending_two.status == EnrollmentStatus.WAITLISTED

    # the place frees up; the coordinator promotes the waiting child by hand, with a reason
    services.enrollment_withdraw(enrollment=pending_one, by=user, now=now)
    Enrollment.objects.filter(pk=pending_one.pk).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    services.withdrawals_complete_due()
    pending_two.refresh_from_db()
    if pending_two.status == EnrollmentStatus.WAITLISTED:
        journey.visit(
            reverse("roster:enrollment-detail", args=[group.pk, pending_two.pk]), "waiting child"
        )
        page.locator(
            "form[action$='/promote/'] textarea, form[action$='/promote/'] input[name='reason']"
        ).first.fill("Miejsce zwolnione, rodzeństwo")
        page.locator("form[action$='/promote/'] button[type=submit]").click()
        page.wait_for_load_state("load")
        journey.step("promoted")
        pending_two.refresh_from_db()
    assert pending_two.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.OFFERED)

    tab = "" if pending_two.status == EnrollmentStatus.ACTIVE else f"?status={pending_two.status}"
    journey.visit(reverse("roster:group-detail", args=[group.pk]) + tab, "roster after")
    if pending_two.status == EnrollmentStatus.OFFERED:
        services.offer_accept(enrollment=pending_two, by=user)  # the parent says yes
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    journey.visit(reverse("roster:group-detail", args=[group.pk]), "active list")
    with page.expect_download() as download:
        page.locator(f"a[href^='{reverse('roster:export-csv', args=[group.pk])}']").first.click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert second.last_name in content
