"""A parent, on a phone: signs up, adds two children, gives consents, enrolls both (one lands on
the waiting list), accepts an offered place, sees the charge and the QR payment request. axe-core
runs on every page (see conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.services.charges import billing_run
from clubs.services import meetings_generate
from enrollment import services
from enrollment.models import ConsentKind, Enrollment, EnrollmentStatus, Participant
from tests.enrollment.factories import consent_text, family
from tests.factories import FeePlanFactory, GroupFactory, WeeklySlotFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EMAIL = "anna.nowak@example.pl"
PASSWORD = "Bardzo-Tajne-Haslo-2026"


def test_parent_signs_up_enrolls_two_children_accepts_an_offer_and_sees_the_fee(journey):
    for kind in ConsentKind.values:
        consent_text(kind)
    group = GroupFactory(capacity=2, age_min=6, age_max=10, name="Taniec nowoczesny")
    WeeklySlotFactory(group=group)
    meetings_generate(group=group)
    FeePlanFactory(group=group, amount=Decimal("120.00"))
    other_user, [other_child] = family(birth_date=dt.date(2018, 1, 1))
    [other_place] = services.enrollment_request(
        participants=[other_child], group=group, requested_by=other_user
    )
    page = journey.page

    # sign up and confirm the e-mail address
    journey.visit(reverse("accounts:signup"), "sign up")
    page.fill("input[name=first_name]", "Anna")
    page.fill("input[name=last_name]", "Nowak")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.check("input[name=privacy]")
    page.locator("main form button").last.click()
    page.wait_for_load_state("load")
    journey.step("check your e-mail")
    link = re.search(r"https?://[^/\s]+(/accounts/verify/\S+)", mail.outbox[-1].body).group(1)
    journey.visit(link, "confirmed")

    # the family account and two children with their consents
    journey.visit(reverse("enrollment:household-create"), "family account")
    page.fill("input[name=name]", "Nowakowie")
    page.locator("main form button").click()
    page.wait_for_load_state("load")
    for first_name, born in (("Ola", "2017-04-02"), ("Kuba", "2019-02-11")):
        journey.visit(reverse("enrollment:participant-create"), f"add {first_name}")
        page.fill("input[name=first_name]", first_name)
        page.fill("input[name=last_name]", "Nowak")
        page.fill("input[name=birth_date]", born)
        page.locator("main form button").last.click()
        page.wait_for_load_state("load")
        journey.step(f"{first_name}: consents")
        page.check("input[name=c-enrollment_data]")
        page.locator("form[action*='/consents/'] button").last.click()
        page.wait_for_load_state("load")
        journey.step(f"{first_name}: consents given")

    # enroll both: one place is left, so one of them waits
    journey.visit(reverse("clubs:group-detail", args=[group.pk]), "group")
    page.locator(f"a[href='{reverse('enrollment:enroll', args=[group.pk])}']").first.click()
    journey.step("enroll")
    for box in page.locator("input[name=participants]").all():
        box.check()
    page.locator("main form button").last.click()
    page.wait_for_load_state("load")
    journey.step("result: a place and the waiting list")

    ola, kuba = Participant.objects.filter(last_name="Nowak").order_by("birth_date")
    statuses = {e.participant_id: e.status for e in Enrollment.objects.filter(group=group)}
    assert sorted([statuses[ola.pk], statuses[kuba.pk]]) == [
        EnrollmentStatus.ACTIVE,
        EnrollmentStatus.WAITLISTED,
    ]
    waiting = Enrollment.objects.get(group=group, status=EnrollmentStatus.WAITLISTED)

    # the other family's place ends: the waiting child is offered it, and the parent accepts
    services.enrollment_withdraw(enrollment=other_place, by=other_user)
    Enrollment.objects.filter(pk=other_place.pk).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    services.withdrawals_complete_due()
    waiting.refresh_from_db()
    assert waiting.status == EnrollmentStatus.OFFERED
    journey.visit(reverse("enrollment:home"), "offer")
    page.get_by_role("button", name=_("Accept the place")).first.click()
    page.wait_for_load_state("load")
    journey.step("offer accepted")
    waiting.refresh_from_db()
    assert waiting.status == EnrollmentStatus.ACTIVE

    # the month's charges, the ledger and the payment request with its QR code
    # next month's charges: a whole month of meetings for both children
    first_day = timezone.localdate().replace(day=1)
    billing_run((first_day + dt.timedelta(days=32)).replace(day=1))
    journey.visit(reverse("billing:my-fees"), "my fees")
    assert page.locator("main").get_by_text("Taniec nowoczesny").count() >= 1
    household = ola.household
    journey.visit(reverse("billing:payment-request", args=[household.pk]), "payment request")
    assert page.locator("main svg").count() >= 1
    assert household.transfer_reference in page.locator("main").inner_text()
