"""The fair allocation's pages, mounted at the site root by config/urls.py: the families' under
`family/applications/`, the staff's under `staff/allocation/`."""

from django.urls import path

from . import allocation_views as views

app_name = "allocation"

urlpatterns = [
    path("family/applications/", views.application_list, name="application-list"),
    path("family/applications/new/", views.application_create, name="application-create"),
    path(
        "family/applications/<id:pk>/change/",
        views.application_change,
        name="application-change",
    ),
    path(
        "family/applications/<id:pk>/withdraw/",
        views.application_withdraw,
        name="application-withdraw",
    ),
    path("staff/allocation/", views.run_list, name="run-list"),
    path("staff/allocation/seasons/<id:pk>/run/", views.run_start, name="run-start"),
    path("staff/allocation/runs/<id:pk>/", views.run_detail, name="run-detail"),
    path("staff/allocation/runs/<id:pk>/decisions/", views.run_decisions, name="run-decisions"),
    path("staff/allocation/runs/<id:pk>/publish/", views.run_publish, name="run-publish"),
]
