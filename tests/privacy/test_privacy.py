import datetime as dt
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from billing.models import Charge, FeePlanKind, Payment
from billing.services import payment_record
from clubs.models import Meeting
from enrollment import services as enrollment_services
from enrollment.models import (
    AttendanceMark,
    EnrollmentStatus,
    Household,
    Invitation,
    Participant,
)
from notifications.models import Notification
from privacy.models import ErasureRequest, ErasureStatus
from privacy.registry import ENTRIES, KEEP, NOT_HOUSEHOLD_DATA
from privacy.services import erasure_execute, erasure_request, export_household, retention_apply
from tests.enrollment.factories import family
from tests.factories import WARSAW, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = [
    app for app in settings.INSTALLED_APPS if "." not in app and (settings.BASE_DIR / app).is_dir()
]
PII_FIELDS = {
    "first_name",
    "last_name",
    "email",
    "phone",
    "pesel",
    "birth_date",
    "health_notes",
    "emergency_contact",
    "school_class",
    "address",
    "recipient_name",
    "payer",
    "counterparty",
    "counterparty_account",
    "card_number",
}
# A member of staff (or the guardian) acting on something: the User row is anonymized itself.
ACTOR_FIELDS = {
    "actor",
    "author",
    "booked_by",
    "changed_by",
    "created_by",
    "decided_by",
    "granted_by",
    "imported_by",
    "invited_by",
    "marked_by",
    "processed_by",
    "published_by",
    "reader",
    "recorded_by",
    "reported_by",
    "requested_by",
    "resolved_by",
    "revoked_by",
    "started_by",
    "submitted_by",
    "updated_by",
}
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=WARSAW)
SECRET_NAME = "Zenobiusz"
SECRET_SURNAME = "Xylofonowski"


def personal_models():
    """Models with a personal-data field, or a link to a household, a participant or a user
    that is not just a member of staff acting."""
    found = {}
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            reasons = []
            for f in model._meta.get_fields():
                if not getattr(f, "concrete", False) and not f.many_to_many:
                    continue
                if f.name in PII_FIELDS:
                    reasons.append(f.name)
                related = getattr(f, "related_model", None)
                if related is None or getattr(f, "auto_created", False):
                    continue
                label = related._meta.label
                if label in {"enrollment.Household", "enrollment.Participant"} or (
                    label == settings.AUTH_USER_MODEL and f.name not in ACTOR_FIELDS
                ):
                    reasons.append(f.name)
            if reasons:
                found[model._meta.label] = reasons
    return found


def test_every_model_with_personal_data_is_covered_by_export_and_erasure():
    covered = {entry.label for entry in ENTRIES} | set(NOT_HOUSEHOLD_DATA)
    missing = {label: why for label, why in personal_models().items() if label not in covered}
    assert missing == {}, "add these models to privacy/registry.py"


def test_the_registry_names_real_models_once_and_keeps_only_with_a_reason():
    labels = [entry.label for entry in ENTRIES]
    assert len(labels) == len(set(labels))
    for entry in ENTRIES:
        assert entry.model is not None
        for name in entry.replace:
            entry.model._meta.get_field(name)
        if entry.erase == KEEP:
            assert entry.why


def test_the_introspection_catches_a_model_with_a_name_field():
    class Stray(models.Model):
        first_name = models.CharField(max_length=10)

        class Meta:
            app_label = "privacy"

    try:
        assert "privacy.Stray" in personal_models()
    finally:
        apps.all_models["privacy"].pop("stray", None)
        apps.clear_cache()


def seeded_family():
    """A family with data in most places: enrollment, messages, attendance, an invitation,
    a charge and a payment."""
    user, [kid] = family(first_name=SECRET_NAME, last_name=SECRET_SURNAME)
    user.first_name, user.last_name, user.phone = "Halina", SECRET_SURNAME, "+48600100200"
    user.email = "xylofonowska@example.pl"
    user.save()
    kid.pesel = ""
    kid.health_notes = f"{SECRET_NAME} ma alergię"
    kid.emergency_contact = f"Babcia {SECRET_SURNAME} 600 300 400"
    kid.save()
    group = GroupFactory(capacity=3)
    [enrollment] = enrollment_services.enrollment_request(
        participants=[kid], group=group, requested_by=user, now=NOW
    )
    meeting = Meeting.objects.create(
        group=group,
        date=NOW.date(),
        starts_at=NOW,
        ends_at=NOW + dt.timedelta(hours=1),
        room=group.room,
    )
    AttendanceMark.objects.create(
        meeting=meeting,
        participant=kid,
        status="present",
        note=f"{SECRET_NAME} spóźniony",
        marked_by=UserFactory(),
        marked_at=NOW,
    )
    Invitation.objects.create(
        household=kid.household,
        email="dziadek.xylofonowski@example.pl",
        rights="view",
        invited_by=user,
        expires_at=NOW + dt.timedelta(days=7),
    )
    charge = Charge.objects.create(
        household=kid.household,
        enrollment=enrollment,
        period=dt.date(2026, 11, 1),
        kind=FeePlanKind.MONTHLY,
        description="Taniec",
        base_amount=Decimal("100.00"),
        amount=Decimal("100.00"),
        due_on=dt.date(2026, 11, 10),
    )
    payment_record(
        household=kid.household,
        amount="100.00",
        method="transfer",
        received_on=dt.date(2026, 11, 5),
        payer=f"Halina {SECRET_SURNAME}",
        title=f"{kid.household.transfer_reference} {SECRET_NAME}",
    )
    return user, kid, enrollment, charge


def test_export_holds_the_familys_rows_and_nobody_elses():
    user, kid, enrollment, charge = seeded_family()
    _other_user, [_other] = family(first_name="Obcy")
    data = export_household(kid.household)
    sections = data["sections"]
    assert set(sections) == {entry.label for entry in ENTRIES}
    assert [row["id"] for row in sections["enrollment.Participant"]] == [kid.pk]
    assert [row["id"] for row in sections["enrollment.Enrollment"]] == [enrollment.pk]
    assert [row["id"] for row in sections["billing.Charge"]] == [charge.pk]
    assert {row["id"] for row in sections["accounts.User"]} == {user.pk}
    assert sections["notifications.Notification"]
    text = json.dumps(data, default=str)
    assert "Obcy" not in text
    assert "calendar_token" not in text and "password" not in text


def all_text_in_the_database(exclude: set[str]) -> str:
    chunks = []
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.label in exclude:
                continue
            names = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField | models.JSONField)
            ]
            if names:
                for row in model.objects.values_list(*names):
                    chunks.append(json.dumps(row, default=str, ensure_ascii=False))
    return "\n".join(chunks)


def test_erasure_removes_the_family_everywhere_but_keeps_the_accounts():
    user, kid, enrollment, charge = seeded_family()
    enrollment_services.enrollment_withdraw(enrollment=enrollment, by=user, now=NOW)
    office = UserFactory(roles=["office"])
    request = erasure_request(household=kid.household, user=user)
    assert "Xylofonow" in all_text_in_the_database(set())

    # an active place ends with the month: until then erasure is refused
    from privacy.services import PrivacyError

    with pytest.raises(PrivacyError):
        erasure_execute(request=request, actor=office)
    assert Participant.objects.get(pk=kid.pk).first_name == SECRET_NAME

    enrollment.refresh_from_db()
    enrollment.ends_on = dt.date(2026, 10, 31)
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save()
    erasure_execute(request=request, actor=office)

    kept = {entry.label for entry in ENTRIES if entry.erase == KEEP}
    remaining = all_text_in_the_database(kept)
    for secret in (SECRET_NAME, SECRET_SURNAME, "Xylofonow", "600100200", "alergi"):
        assert secret not in remaining
    # the financial records stay, exactly
    assert Charge.objects.get(pk=charge.pk).amount == Decimal("100.00")
    payment = Payment.objects.get(household=kid.household)
    assert payment.amount == Decimal("100.00") and SECRET_SURNAME in payment.payer
    kid.refresh_from_db()
    assert kid.birth_date.month == 1 and kid.birth_date.day == 1
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    household = Household.objects.get(pk=kid.household_id)
    assert household.closed_at is not None
    request.refresh_from_db()
    assert request.status == ErasureStatus.DONE and request.processed_by == office
    assert Notification.objects.filter(user=user).exclude(address="").count() == 0


def test_erasure_ends_the_familys_sessions_in_the_database_and_the_cache(client):
    from importlib import import_module

    user, kid, enrollment, _charge = seeded_family()
    client.force_login(user)
    key = client.session.session_key
    assert client.get(reverse("enrollment:home")).status_code == 200
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert store(session_key=key).load().get("_auth_user_id") == str(user.pk)
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save()
    request = erasure_request(household=kid.household, user=user)
    erasure_execute(request=request, actor=UserFactory(roles=["office"]))

    assert store(session_key=key).load() == {}  # neither the cache nor the table has it
    response = client.get(reverse("enrollment:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_staff_member_who_is_also_a_parent_keeps_their_account():
    user, kid, enrollment, _charge = seeded_family()
    user.groups.add(*UserFactory(roles=["instructor"]).groups.all())
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save()
    group_counts = enrollment.group
    del group_counts
    request = erasure_request(household=kid.household, user=user)
    erasure_execute(request=request, actor=UserFactory(roles=["office"]))
    user.refresh_from_db()
    assert user.is_active and user.last_name == SECRET_SURNAME
    kid.refresh_from_db()
    assert kid.first_name != SECRET_NAME


def test_retention_anonymizes_long_inactive_participants_only():
    _old_user, [old] = family(first_name="Dawny")
    Participant.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=6 * 366)
    )
    _user, kid, _enrollment, _charge = seeded_family()
    assert retention_apply(years=5) == 1
    old.refresh_from_db()
    kid.refresh_from_db()
    assert old.first_name != "Dawny"
    assert kid.first_name == SECRET_NAME
    # the only participant gone: the household is erased and closed as on request
    household = Household.objects.get(pk=old.household_id)
    assert household.closed_at is not None
    assert ErasureRequest.objects.get(household=household).status == ErasureStatus.DONE
    assert retention_apply(years=5) == 0  # twice changes nothing


def test_retention_command(capsys):
    call_command("privacy_retention", "--dry-run")
    assert "0" in capsys.readouterr().out


# --- pages ----------------------------------------------------------------------------------


def test_guardian_downloads_and_reads_their_data_but_not_another_familys(client):
    user, kid, _enrollment, _charge = seeded_family()
    _other_user, [other] = family()
    client.force_login(user)
    assert client.get(reverse("privacy:home")).status_code == 200
    response = client.get(reverse("privacy:export-json", args=[kid.household_id]))
    assert response.status_code == 200
    assert json.loads(response.content)["household"]["id"] == kid.household_id
    page = client.get(reverse("privacy:export-page", args=[kid.household_id]))
    assert page.status_code == 200 and SECRET_NAME in page.content.decode()
    for name in ("privacy:export-json", "privacy:export-page"):
        assert client.get(reverse(name, args=[other.household_id])).status_code == 404
        assert client.get(reverse(name, args=[999999])).status_code == 404
    assert (
        client.post(
            reverse("privacy:erasure-ask", args=[other.household_id]), {"confirm": "yes"}
        ).status_code
        == 404
    )


def test_erasure_request_needs_a_confirmation_and_is_made_once(client):
    user, [kid] = family()
    client.force_login(user)
    url = reverse("privacy:erasure-ask", args=[kid.household_id])
    client.post(url, {})
    assert not ErasureRequest.objects.exists()
    client.post(url, {"confirm": "yes"})
    client.post(url, {"confirm": "yes"})
    assert ErasureRequest.objects.filter(household=kid.household).count() == 1


def test_only_office_and_director_process_requests(client):
    user, [kid] = family()
    request = erasure_request(household=kid.household, user=user)
    detail = reverse("privacy:request-detail", args=[request.pk])
    for roles in ([], ["coordinator"], ["instructor"]):
        client.force_login(UserFactory(roles=roles))
        assert client.get(reverse("privacy:requests")).status_code == 404
        assert client.get(detail).status_code == 404
        assert client.post(detail, {"action": "execute"}).status_code == 404
    request.refresh_from_db()
    assert request.status == ErasureStatus.PENDING
    client.force_login(UserFactory(roles=["office"]))
    assert client.get(reverse("privacy:requests")).status_code == 200
    assert client.get(detail).status_code == 200
    assert client.post(detail, {"action": "refuse", "reason": ""}).status_code == 302
    request.refresh_from_db()
    assert request.status == ErasureStatus.PENDING  # a refusal needs a reason
    client.post(detail, {"action": "execute"})
    request.refresh_from_db()
    assert request.status == ErasureStatus.DONE
    assert client.post(detail, {"action": "execute"}).status_code == 302  # twice: a message


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("privacy:home"))
    assert response.status_code == 302 and "login" in response["Location"]
