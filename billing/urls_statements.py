"""Billing URLs: statements (see billing/urls.py): import, statements, the unmatched queue."""

from django.urls import path

from . import views_statements as views

urlpatterns: list = [
    path("statements/", views.statement_list, name="statement-list"),
    path("statements/import/", views.statement_import_view, name="statement-import"),
    path("statements/<id:pk>/", views.statement_detail, name="statement-detail"),
    path("statements/unmatched/", views.unmatched_queue, name="statement-queue"),
    path("statements/lines/<id:pk>/", views.line_detail, name="statement-line"),
    path("statements/lines/<id:pk>/assign/", views.line_assign, name="statement-line-assign"),
    path("statements/lines/<id:pk>/ignore/", views.line_ignore, name="statement-line-ignore"),
]
