"""Billing URLs: the families' "My fees" and the office's money pages (see billing/urls.py)."""

from django.urls import path

from . import views_ledger, views_office

urlpatterns = [
    path("", views_ledger.my_fees, name="my-fees"),
    path("office/households/", views_office.household_list, name="households"),
    path("office/households/<id:pk>/", views_office.household_ledger, name="household-ledger"),
    path("office/households/<id:pk>/payments/", views_office.desk_payment, name="desk-payment"),
    path(
        "office/households/<id:pk>/credit-notes/",
        views_office.credit_note_create,
        name="credit-note-create",
    ),
    path(
        "office/households/<id:pk>/discounts/",
        views_office.discount_grant_create,
        name="discount-grant-create",
    ),
    path(
        "office/households/<id:pk>/discounts/<id:grant_id>/revoke/",
        views_office.discount_grant_revoke_view,
        name="discount-grant-revoke",
    ),
    path("office/runs/", views_office.run_list, name="runs"),
    path("office/runs/create/", views_office.run_create, name="run-create"),
    path("totals/", views_office.activity_totals, name="activity-totals"),
]
