"""Billing URLs: family (see billing/urls.py): payment requests and confirmations."""

from django.urls import path

from . import views_payments

urlpatterns: list = [
    path(
        "households/<id:pk>/payment-request/",
        views_payments.payment_request,
        name="payment-request",
    ),
    path(
        "households/<id:pk>/payment-request.pdf",
        views_payments.payment_request_pdf,
        name="payment-request-pdf",
    ),
    path(
        "payments/<id:pk>/confirmation.pdf",
        views_payments.payment_confirmation_pdf,
        name="payment-confirmation-pdf",
    ),
]
