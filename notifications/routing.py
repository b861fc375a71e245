"""Which channels and addresses a message goes to: contact details validated, preferences and
opt-outs applied. Used when queueing and by the broadcast preview, so the preview is exact."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .exceptions import (
    DeliveryError,
    InvalidEmailError,
    InvalidPhoneError,
    MissingAddressError,
    MissingEmailError,
    MissingPhoneError,
    NotMobilePhoneError,
)
from .kinds import Channel, KindSpec
from .recipients import Recipient

PHONE_REGION = "PL"
SMS_CAPABLE = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalise_email(raw: str) -> str:
    value = (raw or "").strip()
    if not value:
        raise MissingEmailError
    try:
        validate_email(value)
    except ValidationError:
        raise InvalidEmailError from None
    local, _at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalise_phone(raw: str) -> str:
    """E.164 (`+48500100200`); numbers without a country code are Polish."""
    value = (raw or "").strip()
    if not value:
        raise MissingPhoneError
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneError from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneError
    if phonenumbers.number_type(number) not in SMS_CAPABLE:
        raise NotMobilePhoneError
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_address(channel: str, raw: str) -> str:
    return normalise_email(raw) if channel == Channel.EMAIL else normalise_phone(raw)


def raw_address(recipient: Recipient, channel: str) -> str:
    return recipient.email if channel == Channel.EMAIL else recipient.phone


@dataclass
class PreferenceBook:
    """Choices and opt-outs of a set of recipients, loaded in two queries."""

    choices: dict[tuple[int, str, str], bool] = field(default_factory=dict)
    opted_out: set[tuple[str, str, str]] = field(default_factory=set)

    @classmethod
    def load(cls, recipients: Iterable[Recipient], kinds: Iterable[str]) -> PreferenceBook:
        from .models import AddressOptOut, Preference

        recipients = list(recipients)
        kinds = sorted(set(kinds))
        book = cls()
        user_ids = {r.user_id for r in recipients if r.user_id is not None}
        if user_ids:
            rows = Preference.objects.filter(user_id__in=user_ids, kind__in=kinds).values_list(
                "user_id", "kind", "channel", "enabled"
            )
            book.choices = {(uid, kind, ch): enabled for uid, kind, ch, enabled in rows}
        addresses = set()
        for recipient in recipients:
            for channel in Channel:
                try:
                    addresses.add(normalise_address(channel, raw_address(recipient, channel)))
                except DeliveryError:
                    continue
        if addresses:
            book.opted_out = set(
                AddressOptOut.objects.filter(address__in=addresses, kind__in=kinds).values_list(
                    "channel", "address", "kind"
                )
            )
        return book

    def choice(self, recipient: Recipient, kind: str, channel: str) -> bool | None:
        """True/False when the person chose, None when the kind's default applies."""
        if recipient.user_id is not None:
            chosen = self.choices.get((recipient.user_id, kind, channel))
            if chosen is not None:
                return chosen
        try:
            address = normalise_address(channel, raw_address(recipient, channel))
        except DeliveryError:
            return None
        if (channel, address, kind) in self.opted_out:
            return False
        return None

    def wants(self, recipient: Recipient, spec: KindSpec, channel: str) -> bool:
        if spec.is_locked(channel):
            return True
        if channel not in spec.channels:
            return False
        chosen = self.choice(recipient, spec.kind, channel)
        return channel in spec.default_channels if chosen is None else chosen


@dataclass(frozen=True)
class Route:
    """One row to write: its address, or the reason it fails at once."""

    channel: Channel
    address: str
    error: DeliveryError | None = None


@dataclass(frozen=True)
class Skip:
    channel: Channel
    reason: str


@dataclass
class Plan:
    routes: list[Route] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)

    @property
    def deliverable(self) -> list[Route]:
        return [route for route in self.routes if route.error is None]


def plan_routes(
    *,
    recipient: Recipient,
    spec: KindSpec,
    channels: Sequence[str] | None,
    book: PreferenceBook,
    skip_unreachable: bool = False,
) -> Plan:
    """Channels asked for explicitly always get a row (failed when the address is missing),
    unless `skip_unreachable`; default channels without an address are skipped. When no
    channel is reachable at all, one failed row says so."""
    from django.utils.translation import gettext as _

    plan = Plan()
    explicit = channels is not None
    if explicit:
        wanted = []
        for channel in dict.fromkeys(Channel(c) for c in channels):
            chosen = None if spec.is_locked(channel) else book.choice(recipient, spec.kind, channel)
            if chosen is False:
                plan.skipped.append(Skip(channel, _("unsubscribed")))
            else:
                wanted.append(channel)
    else:
        wanted = [channel for channel in Channel if book.wants(recipient, spec, channel)]
        for channel in spec.channels:
            if channel not in wanted:
                plan.skipped.append(Skip(channel, _("switched off")))

    missing: list[Channel] = []
    for channel in wanted:
        raw = raw_address(recipient, channel)
        if not (raw or "").strip():
            missing.append(channel)
            continue
        try:
            plan.routes.append(Route(channel, normalise_address(channel, raw)))
        except DeliveryError as error:
            plan.routes.append(Route(channel, raw.strip()[:254], error))

    for channel in missing:
        if explicit and not skip_unreachable:
            error = MissingEmailError() if channel == Channel.EMAIL else MissingPhoneError()
            plan.routes.append(Route(channel, "", error))
        elif not plan.routes and channel == missing[0]:
            plan.routes.append(Route(channel, "", MissingAddressError()))
        else:
            reason = _("no e-mail address") if channel == Channel.EMAIL else _("no phone number")
            plan.skipped.append(Skip(channel, reason))
    plan.routes.sort(key=lambda route: list(Channel).index(route.channel))
    return plan
