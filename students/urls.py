from django.urls import include, path

from students import views

app_name = "students"

# Détails › Assiduité ("attendance") and the timetable's .ics file ("calendar_feed") are
# absences.urls.family_urlpatterns, added here by portail.urls.

urlpatterns = [
    path("", views.family, name="family"),
    path("<uuid:public_id>/", views.details, name="details"),
    path("<uuid:public_id>/adresse/", views.address, name="address"),
    path("<uuid:public_id>/contacts/", views.contacts, name="contacts"),
    path("<uuid:public_id>/photo/", views.photo, name="photo"),
    path("<uuid:public_id>/photo.jpg", views.photo_file, name="photo_file"),
    path("<uuid:public_id>/formulaires/", views.forms_list, name="forms"),
    path("<uuid:public_id>/formulaires/<uuid:form_id>/", views.form_answer, name="form_answer"),
    path("<uuid:public_id>/emploi-du-temps/", views.timetable, name="timetable"),
    path("<uuid:public_id>/emploi-du-temps/calendrier/", views.calendar, name="calendar"),
    path("<uuid:public_id>/emploi-du-temps/lien/", views.calendar_link, name="calendar_link"),
    path("<uuid:public_id>/adhesion/", views.enrolments, name="enrolments"),
    path("<uuid:public_id>/releve/", include("diplomas.urls")),
    path("<uuid:public_id>/documents/", include("documents.urls")),
]
