from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .health import healthz

admin.site.site_header = "MOK — administracja"
admin.site.site_title = "MOK"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("clubs.urls")),
]

if getattr(settings, "BENCHMARK_VIEWS", False):
    from benchmarks.views import bare

    urlpatterns.append(path("_bench/bare", bare))

handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
