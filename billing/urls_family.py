"""Billing URLs: family (see billing/urls.py)."""

urlpatterns: list = []
