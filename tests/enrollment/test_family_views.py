import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from clubs.services import meetings_generate
from enrollment import services
from enrollment.models import (
    ConsentDecision,
    ConsentKind,
    Enrollment,
    EnrollmentStatus,
    GuardianRights,
    Guardianship,
    Household,
    Participant,
)
from notifications.models import Notification
from tests.enrollment.factories import GuardianshipFactory, ParticipantFactory, family
from tests.factories import GroupFactory, UserFactory, WeeklySlotFactory

pytestmark = pytest.mark.django_db
S = EnrollmentStatus


@pytest.fixture
def parent(client):
    user, [child] = family()
    client.force_login(user)
    return user, child


def test_pages_need_a_login(client):
    response = client.get(reverse("enrollment:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_new_user_creates_a_household_then_adds_a_child(client):
    user = UserFactory(last_name="Nowak")
    client.force_login(user)
    assert client.get(reverse("enrollment:home"))["Location"] == reverse(
        "enrollment:household-create"
    )

    client.post(reverse("enrollment:household-create"), {"name": "Nowakowie"})
    response = client.post(
        reverse("enrollment:participant-create"),
        {"first_name": "Ola", "last_name": "Nowak", "birth_date": "2018-05-24", "pesel": ""},
    )

    household = Household.objects.get(guardians__user=user)
    assert household.name == "Nowakowie"
    child = Participant.objects.get(household=household)
    assert response["Location"] == child.get_absolute_url()
    assert household.transfer_reference.startswith("MOK-")


@pytest.mark.parametrize(
    ("pesel", "message"),
    [
        ("18252412346", "To nie jest prawidłowy numer PESEL."),
        ("18052412345", "To nie jest prawidłowy numer PESEL."),
        ("18252412342", "Numer PESEL nie zgadza się z datą urodzenia."),
    ],
)
def test_participant_with_a_bad_pesel_is_refused(client, parent, pesel, message):
    # 18252412342 is a valid PESEL of 24 May 2018; the form says 23 May.
    before = Participant.objects.count()
    response = client.post(
        reverse("enrollment:participant-create"),
        {"first_name": "Ola", "last_name": "Nowak", "birth_date": "2018-05-23", "pesel": pesel},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Participant.objects.count() == before


def test_future_birth_date_is_refused(client, parent):
    response = client.post(
        reverse("enrollment:participant-create"),
        {"first_name": "Ola", "last_name": "Nowak", "birth_date": "2099-01-01"},
    )
    assert "nie może być w przyszłości" in response.content.decode()


def test_consents_are_decisions_never_deleted(client, parent):
    _user, child = parent
    url = reverse("enrollment:consents-update", args=[child.pk])
    client.post(url, {"c-enrollment_data": "on", "c-image": "on"})
    client.post(url, {"c-enrollment_data": "on"})

    decisions = list(
        ConsentDecision.objects.filter(participant=child, text__kind=ConsentKind.IMAGE).values_list(
            "granted", flat=True
        )
    )
    assert decisions == [False, True]  # newest first: revoked after being granted
    assert ConsentDecision.objects.filter(participant=child).count() == 3


def test_enroll_shows_the_outcome_at_once(client, parent):
    _user, child = parent
    group = GroupFactory(capacity=1)
    response = client.post(
        reverse("enrollment:enroll", args=[group.pk]),
        {"participants": [child.pk], "request_key": "0123456789abcdef"},
    )
    assert response.status_code == 200
    assert "ma miejsce w grupie" in response.content.decode()
    assert Enrollment.objects.get().status == S.ACTIVE

    other_user, [other_child] = family()
    client.force_login(other_user)
    response = client.post(
        reverse("enrollment:enroll", args=[group.pk]),
        {"participants": [other_child.pk], "request_key": "fedcba9876543210"},
    )
    assert "lista rezerwowa" in response.content.decode() or "liście rezerwowej" in (
        response.content.decode()
    )


def test_enroll_refusals_change_nothing(client, parent):
    _user, child = parent
    young_group = GroupFactory(age_min=12, age_max=15)
    response = client.post(
        reverse("enrollment:enroll", args=[young_group.pk]),
        {"participants": [child.pk], "request_key": "0123456789abcdef"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Enrollment.objects.exists()


def test_someone_elses_child_cannot_be_enrolled(client, parent):
    _, [stranger] = family()
    group = GroupFactory()
    response = client.post(
        reverse("enrollment:enroll", args=[group.pk]),
        {"participants": [stranger.pk], "request_key": "0123456789abcdef"},
    )
    assert response.status_code == 200
    assert "participants" in response.context["form"].errors
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("tamper", ["unpublished", "missing"])
def test_forged_group_ids_answer_404(client, parent, tamper):
    _, child = parent
    group_id = GroupFactory(is_published=False).pk if tamper == "unpublished" else 987654
    response = client.post(
        reverse("enrollment:enroll", args=[group_id]),
        {"participants": [child.pk], "request_key": "0123456789abcdef"},
    )
    assert response.status_code == 404
    assert not Enrollment.objects.exists()


def test_tampered_request_key_is_refused(client, parent):
    _, child = parent
    group = GroupFactory()
    response = client.post(
        reverse("enrollment:enroll", args=[group.pk]),
        {"participants": [child.pk], "request_key": "<script>"},
    )
    assert response.status_code == 200
    assert not Enrollment.objects.exists()


def test_double_clicked_submit_creates_one_enrollment(client, parent):
    _, child = parent
    group = GroupFactory()
    data = {"participants": [child.pk], "request_key": "0123456789abcdef"}
    first = client.post(reverse("enrollment:enroll", args=[group.pk]), data)
    second = client.post(reverse("enrollment:enroll", args=[group.pk]), data)
    assert first.status_code == second.status_code == 200
    assert Enrollment.objects.count() == 1


def test_other_familys_enrollments_answer_404(client, parent):
    stranger, [their_child] = family()
    group = GroupFactory()
    [theirs] = services.enrollment_request(
        participants=[their_child], group=group, requested_by=stranger
    )
    for url in (
        reverse("enrollment:enrollment-withdraw", args=[theirs.pk]),
        reverse("enrollment:offer-respond", args=[theirs.pk, "accept"]),
        reverse("enrollment:participant-detail", args=[their_child.pk]),
        reverse("enrollment:consents-update", args=[their_child.pk]),
    ):
        assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.ACTIVE and theirs.ends_on is None


def test_view_only_guardian_sees_but_cannot_act(client):
    owner, [child] = family()
    viewer = UserFactory()
    Guardianship.objects.create(household=child.household, user=viewer, rights=GuardianRights.VIEW)
    [enrollment] = services.enrollment_request(
        participants=[child], group=GroupFactory(), requested_by=owner
    )
    client.force_login(viewer)
    assert client.get(reverse("enrollment:home")).status_code == 200
    assert client.get(child.get_absolute_url()).status_code == 200
    assert (
        client.post(reverse("enrollment:enrollment-withdraw", args=[enrollment.pk])).status_code
        == 404
    )
    assert client.post(reverse("enrollment:participant-create"), {}).status_code == 404


def test_withdraw_and_accept_an_offer_from_the_family_page(client, parent):
    user, child = parent
    group = GroupFactory(capacity=1)
    holder_parent, [holder] = family()
    [held] = services.enrollment_request(
        participants=[holder], group=group, requested_by=holder_parent
    )
    [mine] = services.enrollment_request(participants=[child], group=group, requested_by=user)
    services.enrollment_withdraw(enrollment=held, by=holder_parent)
    services.withdrawals_complete_due(today=dt.date.today() + dt.timedelta(days=40))
    mine.refresh_from_db()
    assert mine.status == S.OFFERED
    home = client.get(reverse("enrollment:home")).content.decode()
    assert "Przyjmij miejsce" in home

    client.post(reverse("enrollment:offer-respond", args=[mine.pk, "accept"]))
    mine.refresh_from_db()
    assert mine.status == S.ACTIVE
    client.post(
        reverse("enrollment:enrollment-withdraw", args=[mine.pk]), {"reason": "przeprowadzka"}
    )
    mine.refresh_from_db()
    assert mine.ends_on is not None
    assert mine.events.last().reason == "przeprowadzka"
    assert (
        client.post(reverse("enrollment:offer-respond", args=[mine.pk, "maybe"])).status_code == 404
    )


def test_household_calendar_feed_is_private_and_revocable(client, parent):
    user, child = parent
    group = GroupFactory()
    WeeklySlotFactory(group=group, weekday=2)
    meetings_generate(group=group)
    services.enrollment_request(participants=[child], group=group, requested_by=user)
    household = child.household
    url = reverse("enrollment:household-calendar", args=[household.calendar_token])
    client.logout()

    response = client.get(url)
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == group.meetings.count()

    client.force_login(user)
    client.post(reverse("enrollment:calendar-rotate"))
    assert client.get(url).status_code == 404
    assert client.get(reverse("enrollment:household-calendar", args=["nope"])).status_code == 404


def test_invitation_joins_a_second_guardian(client, parent):
    _user, child = parent
    client.post(
        reverse("enrollment:guardian-invite"), {"email": "Tata@Example.PL", "rights": "view"}
    )
    invitation = child.household.invitations.get()
    assert invitation.email == "tata@example.pl"
    message = Notification.objects.get(kind="guardian_invitation")
    assert message.dedupe_key == f"guardian-invitation:{invitation.pk}"

    stranger = UserFactory(email="obcy@example.pl")
    client.force_login(stranger)
    url = reverse("enrollment:invitation-accept", args=[invitation.token])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404

    dad = UserFactory(email="tata@example.pl")
    client.force_login(dad)
    client.post(url)
    assert Guardianship.objects.get(user=dad).rights == GuardianRights.VIEW
    client.post(url)  # used already: a message, no second guardianship
    assert Guardianship.objects.filter(user=dad).count() == 1


def test_enrolling_without_a_household_leads_to_setup(client):
    client.force_login(UserFactory())
    response = client.get(reverse("enrollment:enroll", args=[GroupFactory().pk]))
    assert response["Location"] == reverse("enrollment:household-create")


def test_adult_member_enrolls_themself(client):
    senior = UserFactory()
    client.force_login(senior)
    client.post(reverse("enrollment:household-create"), {"name": "Jan Kowalski"})
    client.post(
        reverse("enrollment:participant-create"),
        {"first_name": "Jan", "last_name": "Kowalski", "birth_date": "1950-02-02", "is_self": "on"},
    )
    me = Participant.objects.get(user=senior)
    services.consent_decide(
        participant=me, kind=ConsentKind.ENROLLMENT_DATA, granted=True, decided_by=senior
    )
    club = GroupFactory(age_min=60, age_max=120)
    client.post(
        reverse("enrollment:enroll", args=[club.pk]),
        {"participants": [me.pk], "request_key": "0123456789abcdef"},
    )
    assert Enrollment.objects.get(participant=me).status == S.ACTIVE


def test_participant_factory_sanity():
    child = ParticipantFactory()
    assert child.consent_decisions.count() == 1
    GuardianshipFactory()


def test_group_households_are_a_broadcast_audience_for_the_groups_instructor():
    from accounts.models import Role
    from enrollment.recipients import GroupHouseholdsSource
    from tests.factories import InstructorFactory

    group = GroupFactory()
    teacher = UserFactory(roles=[Role.INSTRUCTOR])
    group.instructors.add(InstructorFactory(user=teacher))
    parent, kids = family(2)
    services.enrollment_request(participants=kids, group=group, requested_by=parent)
    waiting_parent, [_waiting] = family()
    source = GroupHouseholdsSource()

    assert [a.key for a in source.audiences(user=teacher)] == [str(group.pk)]
    assert source.audiences(user=waiting_parent) == []
    assert [r.user_id for r in source.recipients(audience=str(group.pk))] == [parent.pk]
    assert source.recipients(audience="nope") == []
