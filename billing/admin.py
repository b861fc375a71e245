from django.contrib import admin

from .models import FeePlan


@admin.register(FeePlan)
class FeePlanAdmin(admin.ModelAdmin):
    list_display = ["group", "kind", "amount", "entries"]
    list_filter = ["kind", "group__season"]
    search_fields = ["group__name", "group__activity__name"]
    autocomplete_fields = ["group"]
