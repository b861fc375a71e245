from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .exceptions import NotificationError
from .models import AddressOptOut, Broadcast, Notification, NotificationEvent, Preference
from .services import notification_retry


class NotificationEventInline(admin.TabularInline):
    model = NotificationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "event", "detail", "actor"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: the outbox is written by services; staff act through "retry"."""

    list_display = ["created_at", "kind", "channel", "address", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["address", "recipient_name", "dedupe_key", "user__email"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    inlines = [NotificationEventInline]
    actions = ["retry_failed"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected failed messages again"))
    def retry_failed(self, request, queryset):
        retried = 0
        for notification in queryset.failed():
            try:
                notification_retry(notification=notification, actor=request.user)
            except NotificationError:
                continue
            retried += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                retried,
            )
            % {"count": retried},
            messages.SUCCESS,
        )


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ["subject", "audience_label", "author", "status", "recipient_count", "queued_at"]
    list_filter = ["status"]
    search_fields = ["subject", "audience_label", "author__email"]
    list_select_related = ["author"]
    exclude = ["recipients"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name != "recipients"]

    def has_add_permission(self, request):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel", "enabled", "updated_at"]
    list_filter = ["kind", "channel", "enabled"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(AddressOptOut)
class AddressOptOutAdmin(admin.ModelAdmin):
    list_display = ["address", "kind", "channel", "created_at"]
    list_filter = ["kind", "channel"]
    search_fields = ["address"]
