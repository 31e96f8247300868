from django.urls import path

from diplomas import views

app_name = "diplomas"

# Under a child's Famille pages: /famille/<child>/releve/…
urlpatterns = [
    path("", views.transcript, name="transcript"),
    path("diplome/", views.diploma, name="diploma"),
]
