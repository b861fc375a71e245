from django.urls import path

from . import attendance_views as views

app_name = "attendance"

urlpatterns = [
    path("", views.today, name="today"),
    path("meetings/<id:pk>/", views.register, name="register"),
    path("meetings/<id:pk>/mark/<id:participant_id>/", views.mark, name="mark"),
    path("meetings/<id:pk>/all-present/", views.all_present, name="all-present"),
    path("meetings/<id:pk>/note/", views.note_save, name="note"),
    path("meetings/<id:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("meetings/<id:pk>/move/", views.meeting_move, name="meeting-move"),
    path("family/<id:participant_id>/", views.family_attendance, name="family"),
    path(
        "family/<id:participant_id>/absence/<id:meeting_id>/",
        views.absence_report,
        name="absence-report",
    ),
    path(
        "family/<id:participant_id>/absence/<id:meeting_id>/withdraw/",
        views.absence_withdraw,
        name="absence-withdraw",
    ),
]

# Attendance statistics and the monthly register of a group (imported here so this block stays
# separate from the lines above).
from . import attendance_stats_views as stats_views  # noqa: E402

urlpatterns += [
    path("groups/<id:pk>/stats/", stats_views.group_stats, name="group-stats"),
    path("groups/<id:pk>/sheet/", stats_views.sheet, name="group-sheet"),
    path("groups/<id:pk>/sheet.xlsx", stats_views.sheet_xlsx, name="group-sheet-xlsx"),
]

# The monthly register as a PDF.
from . import attendance_pdf  # noqa: E402

urlpatterns += [
    path("groups/<id:pk>/sheet.pdf", attendance_pdf.group_sheet_pdf, name="group-sheet-pdf"),
]
