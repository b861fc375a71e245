from django.urls import path

from . import views

app_name = "enrollment"

urlpatterns = [
    path("family/", views.family_home, name="home"),
    path("family/setup/", views.household_create, name="household-create"),
    path("family/participants/add/", views.participant_create, name="participant-create"),
    path("family/participants/<id:pk>/", views.participant_detail, name="participant-detail"),
    path("family/participants/<id:pk>/consents/", views.consents_update, name="consents-update"),
    path("family/enroll/<id:group_id>/", views.enroll, name="enroll"),
    path("family/trial/<id:group_id>/", views.trial_book, name="trial-book"),
    path(
        "family/enrollments/<id:pk>/withdraw/",
        views.enrollment_withdraw,
        name="enrollment-withdraw",
    ),
    path(
        "family/enrollments/<id:pk>/offer/<str:answer>/",
        views.offer_respond,
        name="offer-respond",
    ),
    path("family/calendar/rotate/", views.calendar_rotate, name="calendar-rotate"),
    path("family/calendar/<str:token>.ics", views.household_calendar, name="household-calendar"),
    path("family/invite/", views.guardian_invite, name="guardian-invite"),
    path("family/invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
