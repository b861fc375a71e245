from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("households/<id:pk>/export.json", views.export_download, name="export-json"),
    path("households/<id:pk>/export/", views.export_page, name="export-page"),
    path("households/<id:pk>/erasure/", views.erasure_ask, name="erasure-ask"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<id:pk>/", views.request_detail, name="request-detail"),
]
