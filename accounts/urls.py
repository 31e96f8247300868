from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("valider/<str:key>/", views.confirm_email, name="confirm_email"),
    path("active/", views.activated, name="activated"),
    path("initialisation/", views.recovery, name="recovery"),
    path("initialisation/identifiant/", views.recover_login_id, name="recover_login_id"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/securite/", views.security, name="security"),
    path("personnel/invitation/<str:uidb36>/<str:key>/", views.staff_invitation,
         name="staff_invitation"),
]
