"""The coordinator roster, mounted under `staff/` by config/urls.py (which registers `id`)."""

from django.urls import path

from . import roster_views as views

app_name = "roster"

enrollment = "groups/<id:group_id>/enrollments/<id:pk>/"

urlpatterns = [
    path("groups/", views.group_list, name="group-list"),
    path("groups/<id:pk>/", views.group_detail, name="group-detail"),
    path("groups/<id:pk>/export.csv", views.export_csv, name="export-csv"),
    path("groups/<id:pk>/export.xlsx", views.export_xlsx, name="export-xlsx"),
    path(enrollment, views.enrollment_detail, name="enrollment-detail"),
    path(f"{enrollment}approve/", views.approve, name="approve"),
    path(f"{enrollment}reject/", views.reject, name="reject"),
    path(f"{enrollment}promote/", views.promote, name="promote"),
    path(f"{enrollment}reorder/", views.reorder, name="reorder"),
    path(f"{enrollment}move/", views.move, name="move"),
]
