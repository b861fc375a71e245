"""Who a message goes to.

`Recipient` is what a domain service hands to `notification_queue`: an account and/or explicit
contact details. A `RecipientSource` turns an audience (e.g. "the households of group 12") into
recipients for a broadcast; the enrollment app registers its source with
`recipient_source_register()` in its `AppConfig.ready()`, so this app never imports it.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .exceptions import UnknownRecipientSourceError


@dataclass(frozen=True)
class Recipient:
    user_id: int | None = None
    email: str = ""
    phone: str = ""
    name: str = ""
    language: str = ""

    @classmethod
    def for_user(cls, user, *, email: str | None = None, phone: str | None = None) -> Recipient:
        """The user's own contact details, unless the caller names others."""
        return cls(
            user_id=user.pk,
            email=user.email if email is None else email,
            phone=(getattr(user, "phone", "") or "") if phone is None else phone,
            name=user.get_full_name() or "",
            language=getattr(user, "language", "") or "",
        )

    @classmethod
    def coerce(cls, value) -> Recipient:
        """A `Recipient`, or a user turned into one."""
        if isinstance(value, Recipient):
            return value
        if hasattr(value, "pk") and hasattr(value, "email"):
            return cls.for_user(value)
        raise TypeError(f"A Recipient or a user is needed, not {type(value).__name__}")

    @property
    def key(self) -> str:
        """Stable identity, used in dedupe keys and to list each person once."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        if self.email:
            return f"email:{self.email.strip().lower()}"
        if self.phone:
            return f"phone:{''.join(ch for ch in self.phone if ch.isdigit() or ch == '+')}"
        return "nobody"

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.phone

    def language_or_default(self) -> str:
        codes = {code for code, _label in settings.LANGUAGES}
        return self.language if self.language in codes else settings.LANGUAGE_CODE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipient:
        return cls(
            **{
                field: data.get(field, cls.__dataclass_fields__[field].default)
                for field in cls.__dataclass_fields__
            }
        )


def recipients_unique(recipients: Iterable[Recipient]) -> list[Recipient]:
    """Each person once (a guardian of two children in a group gets one message), in order."""
    seen: dict[str, Recipient] = {}
    for recipient in recipients:
        seen.setdefault(recipient.key, recipient)
    return list(seen.values())


@dataclass(frozen=True)
class Audience:
    key: str
    label: str


class RecipientSource(abc.ABC):
    """A named way to choose broadcast recipients; the source also decides who may use it."""

    key: ClassVar[str]
    label: ClassVar[Any]

    @abc.abstractmethod
    def audiences(self, *, user) -> list[Audience]:
        """The audiences this user may write to (e.g. the groups they teach)."""

    @abc.abstractmethod
    def recipients(self, *, audience: str) -> list[Recipient]:
        """Everyone in the audience, as of now."""

    def can_address(self, *, user, audience: str) -> bool:
        return any(choice.key == audience for choice in self.audiences(user=user))

    def audience_label(self, *, audience: str, user=None) -> str:
        for choice in self.audiences(user=user) if user is not None else []:
            if choice.key == audience:
                return choice.label
        return audience


_SOURCES: dict[str, RecipientSource] = {}


def recipient_source_register(source: RecipientSource) -> None:
    """Make a source available to the broadcast page; registering a key again replaces it."""
    _SOURCES[source.key] = source


def recipient_source_unregister(key: str) -> None:
    _SOURCES.pop(key, None)


def recipient_source_get(key: str) -> RecipientSource:
    try:
        return _SOURCES[key]
    except KeyError:
        raise UnknownRecipientSourceError from None


def recipient_sources() -> list[RecipientSource]:
    return list(_SOURCES.values())


class StaffRoleSource(RecipientSource):
    """The centre's own staff by role (all instructors, all coordinators, the office): for
    coordinators and the director. Group audiences come from the enrollment app."""

    key = "staff_role"
    label = _("Centre staff")

    def audiences(self, *, user) -> list[Audience]:
        from accounts.models import Role
        from accounts.permissions import is_coordinator, is_director

        if not (is_coordinator(user) or is_director(user)):
            return []
        return [
            Audience(Role.INSTRUCTOR, str(_("All instructors"))),
            Audience(Role.COORDINATOR, str(_("All coordinators"))),
            Audience(Role.OFFICE, str(_("Office staff"))),
        ]

    def recipients(self, *, audience: str) -> list[Recipient]:
        from django.contrib.auth import get_user_model

        users = (
            get_user_model()
            .objects.filter(groups__name=audience, is_active=True)
            .order_by("last_name", "first_name", "pk")
            .distinct()
        )
        return [Recipient.for_user(user) for user in users]
