"""Billing URLs: online (see billing/urls.py)."""

urlpatterns: list = []
