from django.urls import path

from absences import views

app_name = "absences"

# The Assiduité sub-tab and the timetable's .ics file keep their places and names among the
# Famille pages (students:attendance, students:calendar_feed): portail.urls adds them to
# students' namespace.
family_urlpatterns = [
    path("<uuid:public_id>/assiduite/", views.attendance, name="attendance"),
    path("calendrier/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]

urlpatterns = [
    path("famille/absences/signaler/", views.report_family, name="report_family"),
    path("famille/<uuid:public_id>/assiduite/signaler/", views.report, name="report"),
    path("famille/<uuid:public_id>/assiduite/<uuid:report_id>/modifier/", views.report_change,
         name="report_change"),
    path("famille/<uuid:public_id>/assiduite/<uuid:report_id>/annuler/", views.report_cancel,
         name="report_cancel"),
    path("absences/arrivee/<str:token>/", views.safe_arrival, name="safe_arrival"),
]
