from django.urls import path

from absences import views

app_name = "absences"

# The Assiduité sub-tab keeps its place and name among the Famille pages
# (students:attendance): portail.urls adds it to students' namespace.
family_urlpatterns = [
    path("<uuid:public_id>/assiduite/", views.attendance, name="attendance"),
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
