from django.urls import path

from documents import views

app_name = "documents"

# Under a child's Famille pages: /famille/<child>/documents/…
urlpatterns = [
    path("", views.documents, name="list"),
    path("bulletins/<uuid:card_id>/telecharger/", views.report_card_download,
         name="report_card_download"),
    path("bulletins/<uuid:card_id>/imprimer/", views.report_card_print,
         name="report_card_print"),
    path("formulaires/<uuid:form_id>/", views.form_file, name="form_file"),
]
