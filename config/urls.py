from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter

from accounts.views import language_set
from clubs.converters import IdConverter

from .health import healthz

admin.site.site_header = "MOK — administracja"
admin.site.site_title = "MOK"

# `<id:pk>`: digits only, bigint-sized, so a huge number answers 404 instead of overflowing.
register_converter(IdConverter, "id")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("staff/", include("enrollment.roster_urls")),
    path("register/", include("enrollment.attendance_urls")),
    path("makeups/", include("enrollment.makeup_urls")),
    path("billing/", include("billing.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("audit.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("enrollment.allocation_urls")),
    path("", include("enrollment.urls")),
    path("", include("clubs.urls")),
]

if getattr(settings, "BENCHMARK_VIEWS", False):
    from benchmarks import views as bench_views

    urlpatterns += [
        path("_bench/bare", bench_views.bare),
        path("_bench/enroll-sql/<int:group>/<int:user>/", bench_views.enroll_floor_sql),
        path("_bench/enroll-session/<int:group>/", bench_views.enroll_floor_session),
    ]

handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
