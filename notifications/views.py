from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from students.selectors import students_visible_to


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Page d'accueil: the schools of the parent's children."""
    children = students_visible_to(request.user)
    return render(request, "home.html", {"children": children})
