"""Admin of make-up meetings: rules are edited here; credits and bookings are read-only (they
change through `services.makeups`)."""

from django.contrib import admin

from .admin import ReadOnlyAdmin
from .models import MakeupBooking, MakeupCredit, MakeupRule


@admin.register(MakeupRule)
class MakeupRuleAdmin(admin.ModelAdmin):
    list_display = ["activity", "notice_hours", "valid_weeks", "max_per_month", "active"]
    list_filter = ["active"]
    list_select_related = ["activity"]
    autocomplete_fields = ["activity"]


@admin.register(MakeupCredit)
class MakeupCreditAdmin(ReadOnlyAdmin):
    list_display = ["participant", "activity", "earned_at", "expires_on"]
    list_filter = ["activity"]
    search_fields = ["participant__last_name"]
    list_select_related = ["participant", "activity"]


@admin.register(MakeupBooking)
class MakeupBookingAdmin(ReadOnlyAdmin):
    list_display = ["credit", "meeting", "booked_by", "created_at", "cancelled_at"]
    list_select_related = ["credit__participant", "meeting", "booked_by"]
