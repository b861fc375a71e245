"""Admin for the fair allocation: the priority tiers are data edited here; applications, runs
and decisions are read-only (they change through the services and the coordinator's pages)."""

from django.contrib import admin

from .admin import ReadOnlyAdmin
from .models import AllocationDecision, AllocationRun, AllocationTier, Application


@admin.register(AllocationTier)
class AllocationTierAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "kind"]
    ordering = ["position"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["participant", "season", "bundle_key", "created_at", "withdrawn_at"]
    list_filter = ["season"]
    search_fields = ["participant__first_name", "participant__last_name"]
    list_select_related = ["participant", "season"]


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "seed", "started_at", "started_by", "published_at"]
    list_filter = ["season"]


@admin.register(AllocationDecision)
class AllocationDecisionAdmin(ReadOnlyAdmin):
    list_display = ["application", "group", "outcome", "rank", "tier_position", "sequence"]
    list_filter = ["outcome", "run"]
    list_select_related = ["application__participant", "group__activity", "run"]
