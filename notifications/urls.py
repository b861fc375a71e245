from django.urls import path, register_converter

from . import views


class NotificationIdConverter:
    """A database id: digits only, short enough for a bigint, so huge numbers answer 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(NotificationIdConverter, "notification_id")

app_name = "notifications"

urlpatterns = [
    path("log/", views.NotificationListView.as_view(), name="log"),
    path("log/<notification_id:pk>/", views.NotificationDetailView.as_view(), name="log-detail"),
    path(
        "log/<notification_id:pk>/retry/",
        views.NotificationRetryView.as_view(),
        name="log-retry",
    ),
    path("broadcasts/", views.BroadcastListView.as_view(), name="broadcast-list"),
    path("broadcasts/new/", views.BroadcastCreateView.as_view(), name="broadcast-create"),
    path(
        "broadcasts/<notification_id:pk>/",
        views.BroadcastDetailView.as_view(),
        name="broadcast-detail",
    ),
    path(
        "broadcasts/<notification_id:pk>/send/",
        views.BroadcastSendView.as_view(),
        name="broadcast-send",
    ),
    path("settings/", views.PreferencesView.as_view(), name="preferences"),
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
