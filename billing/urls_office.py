"""Billing URLs: office (see billing/urls.py)."""

urlpatterns: list = []
