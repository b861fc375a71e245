"""The outbox: one row per message and channel, written in the transaction of the business
change that causes it, sent at most once (docs/adr/0003-notification-outbox.md)."""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import Channel, Kind


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class NotificationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=NotificationStatus.PENDING)

    def failed(self):
        return self.filter(status=NotificationStatus.FAILED)

    def due_for_sweep(self, now):
        return self.pending().filter(next_attempt_at__lte=now)


class Notification(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    recipient_name = models.CharField(_("recipient"), max_length=200, blank=True)
    address = models.CharField(
        _("address"),
        max_length=254,
        blank=True,
        help_text=_("E-mail address, or phone number in international format."),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    dedupe_key = models.CharField(
        _("dedupe key"),
        max_length=200,
        help_text=_("One message per key and channel, however often it is queued."),
    )
    due_at = models.DateTimeField(_("due"))
    next_attempt_at = models.DateTimeField(
        _("next sweep"), help_text=_("When the sweeper hands the message to a worker again.")
    )
    retry_after = models.DateTimeField(
        _("retry after"),
        null=True,
        blank=True,
        help_text=_("After a temporary error, not sent again before this time."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=200, blank=True)
    segments = models.PositiveSmallIntegerField(_("SMS segments"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    broadcast = models.ForeignKey(
        "Broadcast",
        verbose_name=_("broadcast"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("queued"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key", "channel"], name="notification_one_per_dedupe_key"
            ),
            models.CheckConstraint(
                condition=Q(status__in=NotificationStatus.values),
                name="notification_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=NotificationStatus.SENT) | Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]
        indexes = [
            # The sweeper's query: waiting rows by next attempt.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=NotificationStatus.PENDING),
                name="notification_pending_idx",
            ),
            models.Index(fields=["-created_at", "-id"], name="notification_log_idx"),
            models.Index(fields=["status", "-created_at"], name="notification_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.address or '?'} ({self.get_channel_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == NotificationStatus.PENDING

    @property
    def is_failed(self) -> bool:
        return self.status == NotificationStatus.FAILED


class NotificationEventKind(models.TextChoices):
    SENT = "sent", _("sent")
    ERROR = "error", _("temporary error, will try again")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")
    RETRIED = "retried", _("sent again by staff")


class NotificationEvent(models.Model):
    """What happened to a message, and who did it when a person acted."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    event = models.CharField(_("event"), max_length=12, choices=NotificationEventKind.choices)
    detail = models.TextField(_("detail"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("notification event")
        verbose_name_plural = _("notification events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.at:%Y-%m-%d %H:%M}"


class Preference(models.Model):
    """A person's choice for one kind and channel; without a row the kind's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("receive"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="preference_one_per_kind_channel"
            )
        ]

    def __str__(self) -> str:
        state = _("on") if self.enabled else _("off")
        return f"{self.user}: {self.get_kind_display()} / {self.get_channel_display()} {state}"


class AddressOptOut(models.Model):
    """An unsubscribe by someone without an account, kept against their address."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("unsubscribed address")
        verbose_name_plural = _("unsubscribed addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address", "kind"], name="address_opt_out_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.address}: {self.get_kind_display()}"


class BroadcastStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    QUEUED = "queued", _("being sent")
    SENT = "sent", _("sent")


class Broadcast(models.Model):
    """A message written by an instructor or coordinator to a list of recipients, chosen
    through a recipient source (e.g. the households of a group)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="broadcasts",
    )
    source = models.CharField(_("recipient list"), max_length=50)
    audience = models.CharField(_("audience"), max_length=100)
    audience_label = models.CharField(_("recipients"), max_length=200)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    sms_text = models.CharField(_("SMS text"), max_length=300, blank=True)
    send_email = models.BooleanField(_("by e-mail"), default=True)
    send_sms = models.BooleanField(_("by SMS"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=BroadcastStatus.choices, default=BroadcastStatus.DRAFT
    )
    # Who receives it, fixed when it is sent (what the preview showed); cleared after fan-out.
    recipients = models.JSONField(_("recipients when sent"), default=list, blank=True)
    recipient_count = models.PositiveIntegerField(_("number of recipients"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    queued_at = models.DateTimeField(_("sent"), null=True, blank=True)
    fanned_out_at = models.DateTimeField(_("handed to the outbox"), null=True, blank=True)

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(send_email=True) | Q(send_sms=True),
                name="broadcast_has_a_channel",
            ),
            models.CheckConstraint(
                condition=Q(status__in=BroadcastStatus.values), name="broadcast_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def channels(self) -> list[Channel]:
        chosen = []
        if self.send_email:
            chosen.append(Channel.EMAIL)
        if self.send_sms:
            chosen.append(Channel.SMS)
        return chosen

    @property
    def is_draft(self) -> bool:
        return self.status == BroadcastStatus.DRAFT
