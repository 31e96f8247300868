"""The home page, the group pages and the Notification tab. Reads in notifications.selectors."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from notifications import events, selectors, subscriptions
from notifications.forms import NotificationSettingsForm, TimingsForm
from notifications.models import Category
from students.selectors import student_among_children, students_visible_to
from students.views import child_page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Page d'accueil: the latest announcements of the parent's groups, the report cards
    recently published for the children, and the groups."""
    return render(request, "home.html", selectors.home_page(request.user))


@login_required
def group(request: HttpRequest, public_id) -> HttpResponse:
    """A group's page: its announcements (pinned first, then newest), files and links."""
    chosen = selectors.group_for_parent(request.user, public_id)
    page = Paginator(selectors.group_announcements(chosen), selectors.GROUP_PAGE_SIZE
                     ).get_page(request.GET.get("page"))
    return render(request, "notifications/group.html", {
        "group": chosen, "page": page, "files": selectors.group_files(chosen),
        "active_tab": "home",
    })


@login_required
def attachment(request: HttpRequest, public_id) -> FileResponse:
    """An announcement's file, from private storage, only for the group's parents."""
    attached = selectors.attachment_for_parent(request.user, public_id)
    try:
        opened = attached.file.open("rb")
    except FileNotFoundError as missing:  # named in the database, gone from storage
        raise Http404 from missing
    response = FileResponse(opened, content_type=attached.content_type, filename=attached.name,
                            as_attachment=attached.content_type == "application/pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _timings_form(request: HttpRequest, student, timings: dict[str, str]) -> TimingsForm:
    return TimingsForm(request.POST or None, categories=_categories(student),
                       initial_timings=timings)


def _categories(student) -> tuple[Category, ...]:
    # Groups are the family's, not a child's: announcements are chosen for all at once.
    return selectors.CHILD_CATEGORIES if student else tuple(Category)


@never_cache
@login_required
def child_notifications(request: HttpRequest, public_id) -> HttpResponse:
    """Notification side tab for one child: each category's email, right away or daily."""
    student, children = student_among_children(request.user, public_id)
    timings = selectors.timings_for(request.user, student)
    if request.method != "POST":
        # Unbound, the form shows only the parent's choices: its fields' HTML is cached
        # under them, and the form is made only when that copy is missing.
        return child_page(request, "notifications/child.html", "notifications", student,
                          children, active_tab="family",
                          form=SimpleLazyObject(partial(_timings_form, request, student, timings)),
                          choices_key="-".join(timings[category] for category
                                               in _categories(student)))
    form = _timings_form(request, student, timings)
    if form.is_valid():
        subscriptions.subscriptions_save(user=request.user, student=student,
                                         timings=form.cleaned_data)
        messages.success(request, _("Your email notification choices have been saved."))
        return redirect("notifications:child", public_id=student.public_id)
    return child_page(request, "notifications/child.html", "notifications", student,
                      children, form=form, active_tab="family")


@never_cache
@login_required
def family_notifications(request: HttpRequest) -> HttpResponse:
    """Notification for all my children at once, with the summary's hour and quiet hours."""
    children = list(students_visible_to(request.user))
    if not children:
        raise Http404
    form = _timings_form(request, None, selectors.timings_for(request.user, None))
    settings_form = NotificationSettingsForm(
        request.POST or None, instance=selectors.notification_settings_of(request.user))
    if request.method == "POST" and form.is_valid() and settings_form.is_valid():
        subscriptions.subscriptions_save(user=request.user, student=None,
                                         timings=form.cleaned_data)
        subscriptions.notification_settings_save(settings=settings_form.save(commit=False))
        messages.success(request, _("Your email notification choices have been saved."))
        return redirect("notifications:family")
    return render(request, "notifications/family.html", {
        "form": form, "settings_form": settings_form, "children": children,
        "active_tab": "family",
    })


@csrf_exempt  # RFC 8058: the mail client POSTs without a session or a token
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click unsubscribe of an email: no login. GET asks (link checkers open
    links), POST stops; a tampered or expired link changes nothing and says so."""
    try:
        user, category = events.unsubscribe_read(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"state": "invalid"},
                      status=400)
    label = (Category(category).label if category in Category.values
             else _("the daily summary"))
    state = "ask"
    if request.method == "POST":
        stopped = subscriptions.subscription_stop(
            user=user, category=None if category == events.DIGEST else category)
        state = "done" if stopped else "already"
    return render(request, "notifications/unsubscribe.html",
                  {"state": state, "label": label})
