from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("groupes/<uuid:public_id>/", views.group, name="group"),
    path("groupes/fichiers/<uuid:public_id>/", views.attachment, name="attachment"),
    path("famille/notifications/", views.family_notifications, name="family"),
    path("famille/<uuid:public_id>/notifications/", views.child_notifications, name="child"),
    path("desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
