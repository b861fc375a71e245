"""A person's choices: which kinds reach them by which channel, and one-click unsubscribe."""

from __future__ import annotations

from django.db import transaction

from ..exceptions import EssentialKindError, InvalidNotificationError, InvalidUnsubscribeLinkError
from ..kinds import kind_spec
from ..models import AddressOptOut, Notification, Preference
from ..tokens import unsubscribe_token_read


def preference_set(*, user, kind: str, channel: str, enabled: bool) -> Preference:
    """Switch one kind on one channel on or off; essential kinds cannot be switched off."""
    spec = kind_spec(kind)
    if channel not in spec.channels:
        raise InvalidNotificationError
    if spec.is_locked(channel) and not enabled:
        raise EssentialKindError
    with transaction.atomic():
        preference, _created = Preference.objects.update_or_create(
            user=user, kind=spec.kind, channel=channel, defaults={"enabled": enabled}
        )
    return preference


def preferences_save(*, user, choices: dict[tuple[str, str], bool]) -> int:
    """Save the preference page: every (kind, channel) it shows. Returns how many changed."""
    current = {
        (kind, channel): enabled
        for kind, channel, enabled in Preference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }
    changed = 0
    with transaction.atomic():
        for (kind, channel), enabled in sorted(choices.items()):
            spec = kind_spec(kind)
            if spec.is_locked(channel):
                continue
            default = channel in spec.default_channels
            if current.get((kind, channel), default) == enabled:
                continue
            preference_set(user=user, kind=kind, channel=channel, enabled=enabled)
            changed += 1
    return changed


def notification_unsubscribe(*, token: str) -> Notification:
    """One-click unsubscribe from the kind and channel of the message the link came in."""
    public_id = unsubscribe_token_read(token)
    notification = Notification.objects.select_related("user").filter(public_id=public_id).first()
    if notification is None:
        raise InvalidUnsubscribeLinkError
    spec = kind_spec(notification.kind)
    if spec.is_locked(notification.channel):
        raise EssentialKindError
    if notification.user is not None:
        preference_set(
            user=notification.user,
            kind=notification.kind,
            channel=notification.channel,
            enabled=False,
        )
    else:
        with transaction.atomic():
            AddressOptOut.objects.get_or_create(
                channel=notification.channel,
                address=notification.address,
                kind=notification.kind,
            )
    return notification
