"""Admin for enrollment: households and consent texts are edited here; enrollments and consent
decisions are read-only (they change through the services, which keep the history)."""

from django.contrib import admin

from .health_reads import health_notes_read_record
from .models import (
    ConsentDecision,
    ConsentText,
    Enrollment,
    EnrollmentEvent,
    Guardianship,
    HealthNotePage,
    HealthNoteRead,
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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The change form shows the health notes: that is a read like any other (the audit).
        if obj is not None and request.method == "GET":
            health_notes_read_record(
                reader=request.user,
                participants=[obj],
                page=HealthNotePage.ADMIN,
                path=request.get_full_path(),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(HealthNoteRead)
class HealthNoteReadAdmin(ReadOnlyAdmin):
    list_display = ["at", "reader", "participant", "page"]
    list_filter = ["page"]
    list_select_related = ["reader", "participant"]
    search_fields = ["participant__last_name", "reader__email"]
    date_hierarchy = "at"


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


from . import allocation_admin, makeup_admin  # noqa: E402, F401  (register their models)
