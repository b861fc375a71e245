"""Billing URLs: the accountant's XLSX exports (see billing/urls.py)."""

from django.urls import path

from . import views_exports

urlpatterns: list = [
    path("exports/", views_exports.exports_page, name="exports"),
    path("exports/charges.xlsx", views_exports.export_charges, name="export-charges"),
    path("exports/payments.xlsx", views_exports.export_payments, name="export-payments"),
    path("exports/receivables.xlsx", views_exports.export_receivables, name="export-receivables"),
]
