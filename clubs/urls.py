from django.urls import path

from . import api, views

app_name = "clubs"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("activities/<slug:slug>/", views.activity_detail, name="activity-detail"),
    path("groups/<id:pk>/", views.group_detail, name="group-detail"),
    path("groups/<id:pk>/calendar.ics", views.group_calendar, name="group-calendar"),
    path("api/v1/groups/", api.group_list, name="api-group-list"),
    path("api/v1/groups/<id:pk>/", api.group_detail, name="api-group-detail"),
]
