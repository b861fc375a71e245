"""Billing URLs: online (see billing/urls.py): start, return page, webhook, demo simulator."""

from django.urls import path

from . import views_online

urlpatterns: list = [
    path("households/<id:pk>/pay-online/", views_online.online_start, name="online-start"),
    path("online/notify/", views_online.online_webhook, name="online-webhook"),
    path("online/<str:session_id>/", views_online.online_return, name="online-return"),
    path(
        "online/<str:session_id>/simulator/",
        views_online.simulator_page,
        name="online-simulator",
    ),
    path(
        "online/<str:session_id>/simulator/pay/",
        views_online.simulator_pay,
        name="online-simulator-pay",
    ),
]
