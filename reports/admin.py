"""The report settings are edited on their own page (`reports:settings`), where a whole set is
validated at once; the admin only shows them."""

from django.contrib import admin

from .models import AgeBracket, ReportRow


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgeBracket)
class AgeBracketAdmin(ReadOnlyAdmin):
    list_display = ["label", "age_min", "age_max"]


@admin.register(ReportRow)
class ReportRowAdmin(ReadOnlyAdmin):
    list_display = ["label", "section", "position", "categories"]
    list_filter = ["section"]
