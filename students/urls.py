from django.urls import path

from students import views

app_name = "students"

urlpatterns = [
    path("", views.family, name="family"),
    path("<uuid:public_id>/", views.details, name="details"),
]
