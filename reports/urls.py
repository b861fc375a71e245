from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("annual/", views.annual_view, name="annual"),
    path("annual/xlsx/", views.annual_xlsx, name="annual-xlsx"),
    path("annual/pdf/", views.annual_pdf, name="annual-pdf"),
    path("annual/people/", views.annual_people, name="annual-people"),
    path("city/", views.city_view, name="city"),
    path("city/xlsx/", views.city_xlsx, name="city-xlsx"),
    path("settings/", views.settings_view, name="settings"),
    path("rollover/", views.rollover_view, name="rollover"),
    path("rollover/confirm/", views.rollover_confirm, name="rollover-confirm"),
]
