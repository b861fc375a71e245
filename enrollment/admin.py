"""Admin for enrollment: households and consent texts are edited here; enrollments and consent
decisions are read-only (they change through the services, which keep the history)."""

from django.contrib import admin

from .models import (
    ConsentDecision,
    ConsentText,
    Enrollment,
    EnrollmentEvent,
    Guardianship,
    Household,
    Participant,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GuardianshipInline(admin.TabularInline):
    model = Guardianship
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["name", "transfer_reference", "created_at"]
    search_fields = ["name", "transfer_reference", "guardians__user__email"]
    readonly_fields = ["transfer_reference", "calendar_token"]
    inlines = [GuardianshipInline]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "birth_date", "household"]
    search_fields = ["last_name", "first_name", "household__name", "household__transfer_reference"]
    list_select_related = ["household"]
    autocomplete_fields = ["household", "user"]


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ["kind", "version", "published_at"]
    list_filter = ["kind"]


@admin.register(ConsentDecision)
class ConsentDecisionAdmin(ReadOnlyAdmin):
    list_display = ["participant", "text", "granted", "decided_by", "decided_at"]
    list_filter = ["text__kind", "granted"]
    search_fields = ["participant__last_name"]
    list_select_related = ["participant", "text", "decided_by"]


class EnrollmentEventInline(admin.TabularInline):
    model = EnrollmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ["participant", "group", "status", "priority_tier", "requested_at"]
    list_filter = ["status", "group__season", "group__activity"]
    search_fields = ["participant__last_name", "group__name", "group__activity__name"]
    list_select_related = ["participant", "group__activity"]
    inlines = [EnrollmentEventInline]


from . import makeup_admin  # noqa: E402, F401  (registers the make-up models)
