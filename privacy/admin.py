from django.contrib import admin

from .models import ErasureRequest


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ["household", "status", "requested_at", "processed_at", "processed_by"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ErasureRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
