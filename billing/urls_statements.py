"""Billing URLs: statements (see billing/urls.py)."""

urlpatterns: list = []
