from django.urls import path

from . import makeup_views as views

app_name = "makeups"

urlpatterns = [
    path("family/<id:participant_id>/", views.family_makeups, name="family"),
    path(
        "family/<id:participant_id>/credits/<id:credit_id>/book/",
        views.makeup_book,
        name="book",
    ),
    path(
        "family/<id:participant_id>/bookings/<id:booking_id>/cancel/",
        views.makeup_cancel,
        name="cancel",
    ),
]
