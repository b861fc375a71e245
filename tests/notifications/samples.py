"""A realistic context for every kind, as a domain app would hand it over."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from notifications.kinds import Kind

WARSAW = ZoneInfo("Europe/Warsaw")
STARTS = dt.datetime(2026, 3, 14, 10, 0, tzinfo=WARSAW)

GROUP = {
    "participant_name": "Zofia Wiśniewska",
    "activity_name": "Zespół Pieśni i Tańca „Leszczyniacy”",
    "group_name": "Grupa młodsza (7–9 lat)",
}
FEE = {
    "amount": Decimal("1240.50"),
    "due_on": dt.date(2026, 3, 10),
    "transfer_title": "MOK-7F3K2Q opłata marzec 2026",
    "account_number": "12 1020 1026 0000 1202 0123 4567",
    "period_label": "marzec 2026",
    "participant_name": "Zofia Wiśniewska",
    "url": "https://zapisy.example.pl/rodzina/oplaty/",
}

CONTEXTS = {
    Kind.ENROLLMENT_PENDING: {**GROUP, "path": "/family/"},
    Kind.ENROLLMENT_ACCEPTED: {**GROUP, "starts_on": dt.date(2026, 9, 7), "path": "/family/"},
    Kind.ENROLLMENT_REJECTED: {**GROUP, "reason": "Przesłuchanie: brak miejsc w tym głosie."},
    Kind.ENROLLMENT_WAITLISTED: {**GROUP, "position": 3},
    Kind.ENROLLMENT_WITHDRAWN: {**GROUP, "ends_on": dt.date(2026, 4, 30)},
    Kind.WAITLIST_OFFER: {
        **GROUP,
        "offer_expires_at": dt.datetime(2026, 3, 16, 18, 30, tzinfo=WARSAW),
        "url": "https://zapisy.example.pl/o/8f2a9c",
    },
    Kind.OFFER_EXPIRING: {
        **GROUP,
        "offer_expires_at": dt.datetime(2026, 3, 16, 18, 30, tzinfo=WARSAW),
        "path": "/family/",
    },
    Kind.OFFER_EXPIRED: dict(GROUP),
    Kind.MEETING_REMINDER: {
        **GROUP,
        "starts_at": STARTS,
        "place": "Sala lustrzana, ul. Tracka 1",
    },
    Kind.MEETING_CANCELLED: {**GROUP, "starts_at": STARTS, "reason": "Choroba instruktorki."},
    Kind.MEETING_MOVED: {
        **GROUP,
        "old_starts_at": STARTS,
        "starts_at": STARTS + dt.timedelta(days=2, hours=7),
        "place": "Sala widowiskowa",
    },
    Kind.FEE_DUE: FEE,
    Kind.FEE_OVERDUE: {**FEE, "stage": 3},
    Kind.FEE_OVERDUE_ALERT: {
        **FEE,
        **GROUP,
        "family_name": "Wiśniewscy",
        "days_overdue": 35,
        "description": "Zespół „Leszczyniacy”, Grupa młodsza: Zofia Wiśniewska",
        "path": "/billing/office/households/7/",
    },
    Kind.PAYMENT_RECEIVED: {
        "amount": Decimal("120.00"),
        "received_on": dt.date(2026, 3, 9),
        "transfer_title": "MOK-7F3K2Q",
    },
    Kind.CONSENT_EXPIRING: {
        "participant_name": "Zofia Wiśniewska",
        "consent_name": "Publikacja wizerunku",
        "expires_on": dt.date(2026, 8, 31),
    },
    Kind.FAMILY_CARD_EXPIRING: {
        "expires_on": dt.date(2026, 5, 31),
        "holder_name": "Anna Wiśniewska",
    },
    Kind.GUARDIAN_INVITATION: {
        "family_name": "Kowalscy",
        "inviter_name": "Anna Kowalska",
        "path": "/family/invitations/abc/",
    },
    Kind.ALLOCATION_RESULT: {
        "family_name": "Kowalscy",
        "season_name": "2026/2027",
        "results": [
            {
                "participant_name": "Zofia Kowalska",
                "outcome": "placed",
                "activity_name": "Studio Tańca „Impuls”",
                "group_name": "Dzieci 7–9 lat",
                "rank": 2,
                "position": None,
            },
            {
                "participant_name": "Jan Kowalski",
                "outcome": "waitlisted",
                "activity_name": "Zespół „Leszczyniacy”",
                "group_name": "Grupa młodsza",
                "rank": 1,
                "position": 3,
            },
        ],
        "path": "/family/applications/",
    },
    Kind.REENROLLMENT_INVITATION: {
        "family_name": "Kowalscy",
        "season_name": "2027/2028",
        "groups": [
            {
                "participant_name": "Zofia Kowalska",
                "activity_name": "Studio Tańca „Impuls”",
                "group_name": "Dzieci 7–9 lat",
                "url": "https://zapisy.example.pl/groups/41/",
            }
        ],
        "priority_opens_at": "2027-08-20T18:00:00+02:00",
        "enrollment_opens_at": "2027-08-27T18:00:00+02:00",
        "path": "/family/",
    },
    Kind.GROUP_BROADCAST: {
        "subject": "Próba generalna w sobotę",
        "body": "Drodzy Rodzice,\n\nw sobotę próba generalna o 9:00 w sali widowiskowej.\n"
        "Prosimy o stroje i <b>buty</b> na zmianę.",
        "sms_text": "Sobota 9:00 próba generalna w sali widowiskowej; stroje i buty na zmianę.",
        "author_name": "Ewa Nowak",
        "audience_label": "Leszczyniacy – grupa młodsza",
    },
}
