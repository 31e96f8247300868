"""The Famille tab. Every view resolves its student through students.selectors."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portail.paths import path_maker
from students import navigation, selectors, services, timetable_cache
from students.forms import ParentFormAnswerForm
from students.models import Meeting, ParentForm, Student

# The last child whose pages were opened, marked on the Famille tab. A cookie, not the
# session: a session change is a database transaction (sessions are kept in PostgreSQL
# too), and this decides nothing, since the Famille tab only compares it with the
# children the parent may see.
CHOSEN_STUDENT_COOKIE = "enfant_choisi"


def child_page(request: HttpRequest, template: str, side_tab: str, student: Student,
               children: list[Student], sub_tab: str | None = None, **context) -> HttpResponse:
    """Render a child's page with the side tabs (the Famille tab's pages here, in documents
    and notifications); the child stays chosen across tabs."""
    match = request.resolver_match
    tabs = partial(navigation.child_tabs, public_id=student.public_id, url_name=match.url_name,
                   side_tab=side_tab, sub_tab=sub_tab, secondary=student.is_secondary)
    response = render(request, template, {
        "side_tab": side_tab, "sub_tab": sub_tab, "student": student, "children": children,
        "switcher": _switcher(match, children),
        "side_tabs": tabs("students/includes/side_tabs.html"),
        "subtabs": tabs("students/includes/detail_subtabs.html") if side_tab == "details" else "",
        **context})
    chosen = str(student.public_id)
    if request.COOKIES.get(CHOSEN_STUDENT_COOKIE) != chosen:
        response.set_cookie(CHOSEN_STUDENT_COOKIE, chosen, secure=settings.SESSION_COOKIE_SECURE,
                            httponly=True, samesite="Lax")
    return response


# A page about one form or one report leads each child to the list it belongs to.
SWITCHER_LISTS = {"students:form_answer": "students:forms",
                  "absences:report_change": "students:attendance"}
# Secondary students' pages: an elementary child has none, and goes to Détails instead.
SECONDARY_ONLY = {"students:diplomas:transcript", "students:diplomas:diploma"}


def _switcher(match, children: list[Student]) -> list[tuple[Student, str]]:
    """Each child with the same tab for them; none with one child."""
    if len(children) < 2:
        return []
    name = SWITCHER_LISTS.get(match.view_name, match.view_name)
    same_tab = path_maker(name, "public_id")
    if name in SECONDARY_ONLY:
        details = path_maker("students:details", "public_id")
        return [(child, (same_tab if child.is_secondary else details)(public_id=child.public_id))
                for child in children]
    return [(child, same_tab(public_id=child.public_id)) for child in children]


def _student(request: HttpRequest, public_id) -> Student:
    return selectors.student_for_parent(request.user, public_id)


def _child(request: HttpRequest, public_id) -> tuple[Student, list[Student]]:
    """The page's student and the parent's children (for the switcher), in one query."""
    return selectors.student_among_children(request.user, public_id)


@login_required
def family(request: HttpRequest) -> HttpResponse:
    """The Famille tab: the parent's children; with only one, straight to that child."""
    children = selectors.visible_children(request.user)
    if len(children) == 1:
        return redirect("students:details", public_id=children[0].public_id)
    chosen = request.COOKIES.get(CHOSEN_STUDENT_COOKIE)
    return render(request, "students/family.html", {"children": children, "chosen": chosen})


@login_required
def details(request: HttpRequest, public_id) -> HttpResponse:
    """Détails › Démographie."""
    return child_page(request, "students/details.html", "details", *_child(request, public_id),
                       sub_tab="demographics")


@login_required
def address(request: HttpRequest, public_id) -> HttpResponse:
    return child_page(request, "students/address.html", "details", *_child(request, public_id),
                       sub_tab="address")


@login_required
def contacts(request: HttpRequest, public_id) -> HttpResponse:
    student, children = _child(request, public_id)
    return child_page(request, "students/contacts.html", "details", student, children,
                       sub_tab="contacts",
                       links=selectors.contacts_visible_to(request.user, student))


@login_required
def photo(request: HttpRequest, public_id) -> HttpResponse:
    return child_page(request, "students/photo.html", "details", *_child(request, public_id),
                       sub_tab="photo")


@login_required
def photo_file(request: HttpRequest, public_id) -> FileResponse:
    """The photo itself, from private storage, only for those who may see the child."""
    student = _student(request, public_id)
    if not student.photo:
        raise Http404
    try:
        photo = student.photo.open("rb")
    except FileNotFoundError as missing:  # Named in the database, gone from storage.
        raise Http404 from missing
    # No Cache-Control of its own: the private pages' no-store, so that a shared computer's
    # cache does not keep the child's face after logout.
    return FileResponse(photo, content_type="image/jpeg")


@login_required
def forms_list(request: HttpRequest, public_id) -> HttpResponse:
    """Détails › Formulaires parents."""
    student, children = _child(request, public_id)
    school_year = selectors.current_school_year()
    parent_forms = selectors.parent_forms_for(student, school_year) if school_year else []
    return child_page(request, "students/forms_list.html", "details", student, children,
                       sub_tab="forms",
                       parent_forms=parent_forms)


@login_required
@never_cache
def form_answer(request: HttpRequest, public_id, form_id) -> HttpResponse:
    student, children = _child(request, public_id)
    school_year = selectors.current_school_year()
    parent_forms = selectors.parent_forms_for(student, school_year) if school_year else []
    parent_form = next((f for f in parent_forms if str(f.public_id) == str(form_id)), None)
    if parent_form is None:
        raise Http404
    answer_form = ParentFormAnswerForm(
        request.POST or None,
        acknowledgement=parent_form.kind == ParentForm.Kind.ACKNOWLEDGEMENT,
    )
    if request.method == "POST" and (parent_form.response or answer_form.is_valid()):
        # A second answer (already recorded, or sent twice at once) is refused, and said so.
        saved = parent_form.response is None and services.parent_form_answer(
            form=parent_form, student=student, user=request.user,
            accepted=answer_form.cleaned_data["accepted"],
            signature=answer_form.cleaned_data["signature"],
        )
        if saved:
            messages.success(request, _("Your answer has been recorded. Thank you."))
        else:
            messages.error(request, _("This form has already been answered for this child."))
        return redirect("students:forms", public_id=student.public_id)
    return child_page(request, "students/form_answer.html", "details", student, children,
                       sub_tab="forms", parent_form=parent_form,
                       answer_form=answer_form)


@login_required
def timetable(request: HttpRequest, public_id) -> HttpResponse:
    """Emploi du temps: the week's grid for a term, once the school has published it."""
    student, children = _child(request, public_id)
    school = selectors.school_timetable(student)
    today = timezone.localdate()
    terms = school.terms
    term = next((t for t in terms if str(t.pk) == request.GET.get("etape")), None) or next(
        (t for t in terms if t.start_date <= today <= t.end_date), terms[0] if terms else None
    )
    return child_page(
        request, "students/timetable.html", "timetable", student, children,
        terms=terms, term=term, published=school.is_published(today),
        publication=school.published_on,
        # The template calls this only when its cached copy of the grid is missing.
        week=partial(selectors.timetable_week, student, term, school.version),
        # None: the cache has no version yet, so the grid is not cached.
        timetable_fragment=school.version and timetable_cache.week_fragment(
            student_id=student.pk, term_id=term.pk if term else None,
            language=translation.get_language(), version=school.version),
        timetable_cache_seconds=timetable_cache.SECONDS,
        days=Meeting.Day.choices,
    )


@never_cache  # the page shows a private link
@login_required
def calendar(request: HttpRequest, public_id) -> HttpResponse:
    """Emploi du temps › Ajouter à mon calendrier: the private link, made once, on a page of
    its own so that the timetable itself reads nothing of the parent's."""
    student, children = _child(request, public_id)
    school = selectors.school_timetable(student)
    feed = selectors.calendar_feed_of(request.user, student)
    calendar_url = None
    if feed is not None:
        calendar_url = request.build_absolute_uri(
            reverse("students:calendar_feed", kwargs={"token": feed.token}))
    return child_page(
        request, "students/calendar.html", "timetable", student, children,
        published=school.is_published(timezone.localdate()),
        publication=school.published_on, calendar_url=calendar_url,
    )


@login_required
@require_POST
def calendar_link(request: HttpRequest, public_id) -> HttpResponse:
    """Create, or revoke and replace, the private calendar link."""
    student = _student(request, public_id)
    if request.POST.get("action") == "revoke":
        services.calendar_feed_revoke(user=request.user, student=student)
        messages.success(request, _("The calendar link has been revoked: it no longer works."))
    else:
        services.calendar_feed_get_or_create(user=request.user, student=student)
    return redirect("students:calendar", public_id=student.public_id)


@login_required
def enrolments(request: HttpRequest, public_id) -> HttpResponse:
    """Adhésion: the enrolment history across the board's schools."""
    student, children = _child(request, public_id)
    return child_page(request, "students/enrolments.html", "enrolments", student, children,
                       enrolments=selectors.enrolment_history(student))
