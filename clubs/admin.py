from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.permissions import is_director

from .models import (
    Activity,
    ClosurePeriod,
    Group,
    Instructor,
    Meeting,
    Room,
    Season,
    Venue,
    WeeklySlot,
)
from .permissions import can_manage_activity, can_manage_group
from .services import meetings_generate


class CoordinatorScopedAdmin(admin.ModelAdmin):
    """A coordinator sees and changes only the activities they coordinate; the director all."""

    activity_path = "activity"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_director(request.user):
            return queryset
        return queryset.filter(**{f"{self.activity_path}__coordinators": request.user}).distinct()


class ClosurePeriodFormSet(BaseInlineFormSet):
    """Closures entered together must not overlap each other either (each form's own `clean`
    only sees closures already saved)."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        for i, first in enumerate(kept):
            for second in kept[i + 1 :]:
                same_scope = (
                    first.get("venue") is None
                    or second.get("venue") is None
                    or first.get("venue") == second.get("venue")
                )
                if (
                    same_scope
                    and first.get("starts_on")
                    and second.get("starts_on")
                    and first["starts_on"] <= second["ends_on"]
                    and second["starts_on"] <= first["ends_on"]
                ):
                    raise ValidationError(
                        _("Closures “%(first)s” and “%(second)s” overlap.")
                        % {"first": first["name"], "second": second["name"]}
                    )


class ClosurePeriodInline(admin.TabularInline):
    model = ClosurePeriod
    formset = ClosurePeriodFormSet
    extra = 0


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "enrollment_opens_at", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name"]
    inlines = [ClosurePeriodInline]


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "address"]
    search_fields = ["name", "address"]
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "venue", "seats", "is_accessible"]
    list_filter = ["venue", "is_accessible"]
    search_fields = ["name", "venue__name"]


@admin.register(Instructor)
class InstructorAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "user"]
    search_fields = ["last_name", "first_name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Activity)
class ActivityAdmin(CoordinatorScopedAdmin):
    activity_path = ""
    list_display = ["name", "kind", "category", "venue", "is_active"]
    list_filter = ["kind", "category", "venue", "is_active"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["coordinators"]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if is_director(request.user):
            return queryset
        return queryset.filter(coordinators=request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_manage_activity(request.user, obj))


class WeeklySlotInline(admin.TabularInline):
    model = WeeklySlot
    extra = 0
    autocomplete_fields = ["room"]


@admin.register(Group)
class GroupAdmin(CoordinatorScopedAdmin):
    list_display = [
        "__str__",
        "season",
        "age_min",
        "age_max",
        "capacity",
        "places_taken",
        "waitlist_length",
        "is_published",
    ]
    list_filter = [
        "season",
        "activity__kind",
        "activity__category",
        "room__venue",
        "requires_approval",
        "is_published",
    ]
    search_fields = ["name", "activity__name"]
    list_select_related = ["activity", "season"]
    autocomplete_fields = ["activity", "room", "instructors"]
    readonly_fields = ["places_taken", "waitlist_length"]
    inlines = [WeeklySlotInline]
    actions = ["generate_meetings"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_manage_group(request.user, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "activity" and not is_director(request.user):
            kwargs["queryset"] = Activity.objects.filter(coordinators=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._report(request, [form.instance])

    @admin.action(description=_("Generate meetings for the season"))
    def generate_meetings(self, request, queryset):
        self._report(request, list(queryset.select_related("season", "room")))

    def _report(self, request, groups):
        created = updated = removed = 0
        now = timezone.now()
        kept = []
        for group in groups:
            result = meetings_generate(group=group)
            created += result.created
            updated += result.updated
            removed += result.removed
            # Held meetings stay as a matter of course; only future ones need a person's eye.
            kept += [m for m in result.kept if m.starts_at > now]
        self.message_user(
            request,
            _("Meetings: %(created)d added, %(updated)d moved, %(removed)d removed.")
            % {"created": created, "updated": updated, "removed": removed},
        )
        if kept:
            self.message_user(
                request,
                ngettext(
                    "%(count)d meeting is no longer in the schedule but was kept because it was "
                    "held, changed by hand or has attendance records; cancel it if needed.",
                    "%(count)d meetings are no longer in the schedule but were kept because they "
                    "were held, changed by hand or have attendance records; cancel them if needed.",
                    len(kept),
                )
                % {"count": len(kept)},
                level=messages.WARNING,
            )


@admin.register(Meeting)
class MeetingAdmin(CoordinatorScopedAdmin):
    activity_path = "group__activity"
    list_display = ["group", "starts_at", "ends_at", "room", "status"]
    list_filter = ["status", "group__season", "group__activity", "room__venue"]
    search_fields = ["group__name", "group__activity__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["group__activity", "room__venue"]
    autocomplete_fields = ["group", "room"]
    readonly_fields = ["slot", "date", "changed_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            # A person changed it: regeneration must keep it as it is.
            obj.changed_by = request.user
        super().save_model(request, obj, form, change)
