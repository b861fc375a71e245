"""Signed one-click unsubscribe links: the token names one notification, which says who, which
kind and which channel; it cannot be forged or pointed at someone else."""

from urllib.parse import urljoin

from django.core import signing
from django.urls import reverse

from . import conf
from .exceptions import InvalidUnsubscribeLinkError

SALT = "notifications.unsubscribe"


def unsubscribe_token(public_id) -> str:
    return signing.Signer(salt=SALT).sign(str(public_id))


def unsubscribe_token_read(token: str) -> str:
    """The notification's public id, or InvalidUnsubscribeLinkError."""
    try:
        return signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        raise InvalidUnsubscribeLinkError from None


def absolute_url(path: str) -> str:
    return urljoin(conf.get("NOTIFICATIONS_BASE_URL").rstrip("/") + "/", path.lstrip("/"))


def unsubscribe_url(public_id) -> str:
    token = unsubscribe_token(public_id)
    return absolute_url(reverse("notifications:unsubscribe", kwargs={"token": token}))


def preferences_url() -> str:
    return absolute_url(reverse("notifications:preferences"))
