from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from students.selectors import student_for_parent, students_visible_to


@login_required
def family(request: HttpRequest) -> HttpResponse:
    """The Famille tab: the parent's children; with only one, straight to that child."""
    children = list(students_visible_to(request.user))
    if len(children) == 1:
        return redirect("students:details", public_id=children[0].public_id)
    return render(request, "students/family.html", {"children": children})


@login_required
def details(request: HttpRequest, public_id) -> HttpResponse:
    student = student_for_parent(request.user, public_id)
    return render(request, "students/details.html", {"student": student})
