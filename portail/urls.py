from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from absences import urls as absence_urls
from accounts import urls as account_urls
from accounts import views as account_views
from notifications import views as notification_views
from students import signup_views
from students import urls as student_urls

urlpatterns = [
    path("", notification_views.home, name="home"),
    path("i18n/setlang/", account_views.language_switch, name="set_language"),
    # allauth's own sign-up page leads to ours (two steps, two paths).
    path("comptes/signup/", RedirectView.as_view(pattern_name="accounts:signup")),
    # Email and postal address change in person at the school, never from the portal.
    path("comptes/email/", RedirectView.as_view(pattern_name="accounts:preferences")),
    path("comptes/", include("allauth.urls")),
    # The Famille pages, with Assiduité from absences (what the school recorded and what
    # the parents reported, side by side).
    path("famille/", include((student_urls.urlpatterns + absence_urls.family_urlpatterns,
                              student_urls.app_name))),
    path("", include("notifications.urls")),
    path("", include("absences.urls")),
    # The account pages: sign-up (students links the account to its guardian record), then
    # validation, recovery and preferences (accounts), under one "accounts" namespace.
    path("compte/", include((signup_views.urlpatterns + account_urls.urlpatterns,
                             account_urls.app_name))),
    path("admin/centre-aide/", include("helpdesk.urls")),
    path("admin/importation/", include("students.import_views")),
    path("admin/", admin.site.urls),
]
