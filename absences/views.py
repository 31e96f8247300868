"""Famille › the child › Assiduité and Signaler une absence, the safe-arrival link, and the
timetable's .ics file (it leaves out the school's days without school).

The child comes from students.selectors: one the parent may not see is a 404, and one
they see but may not report for (REPORTING_RULES) shows its attendance and no form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from absences import selectors, services
from absences.forms import AbsenceReportForm, report_initial
from students import selectors as student_selectors
from students.calendar import timetable_ics
from students.forms import AttendancePeriodForm
from students.views import child_page


@login_required
def attendance(request: HttpRequest, public_id) -> HttpResponse:
    """Détails › Assiduité: what the school recorded and, beside it, what the parents
    reported, for a month or a term; the year's totals."""
    student, children = student_selectors.student_among_children(request.user, public_id)
    calendar = student_selectors.school_timetable(student)  # the year and its terms, cached
    school_year = calendar.school_year
    if school_year is None:
        raise Http404
    form = AttendancePeriodForm(request.GET or None, school_year=school_year,
                                terms=calendar.terms)
    start, end = form.date_range() if form.is_bound else (school_year.start_date,
                                                          school_year.end_date)
    may_report = student in student_selectors.visible_children(
        request.user, rules=student_selectors.REPORTING_RULES)
    reports = selectors.reports_of_child(student, school_year, start=start, end=end)
    if reports:  # the school's times only when there is a report to change
        school_day = selectors.school_day_of(student.school)
        for report in reports:
            report.changeable = may_report and selectors.may_change(report, school_day)
    records, totals = student_selectors.attendance_with_totals(student, school_year,
                                                               start=start, end=end)
    reasons = selectors.reasons_in_reader_language({record.reason for record in records})
    for record in records:
        record.reason_shown = reasons.get(record.reason, record.reason)
    # The period's list is the same for every child of a school: without an error to show,
    # its HTML is kept in the process under the school's terms (their cache version), the
    # year and the choice.
    period_key = calendar.version and not form.errors and ":".join(map(str, (
        student.school_id, school_year.pk, calendar.version, form["periode"].value())))
    return child_page(
        request, "students/attendance.html", "details", student, children,
        sub_tab="attendance", form=form, period_key=period_key, school_year=school_year,
        start=start, end=end, records=records, totals=totals, reports=reports,
        may_report=may_report,
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Emploi du temps's .ics file behind a private link: no login (calendar apps have none).
    Composed here, above students, because the days without school are absences'."""
    student = student_selectors.calendar_feed_student(token)
    school = student_selectors.school_timetable(student)
    if not school.is_published(timezone.localdate()):
        raise Http404
    terms = school.terms  # published, so there is at least one
    body = timetable_ics(
        student, [(term, student_selectors.timetable_meetings(student, term)) for term in terms],
        days_off=selectors.dates_off(student.school_id, terms[0].start_date, terms[-1].end_date))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


def _report_saved(request: HttpRequest, reports) -> None:
    names = ", ".join(report.student.first_name for report in reports)
    messages.success(request, _("Your report has been sent to the school: %(names)s.")
                     % {"names": names})
    if any(report.late for report in reports):
        messages.info(request, _("It was made after the school's cut-off time: the school "
                                 "sees it marked as reported late."))


@never_cache
@login_required
def report(request: HttpRequest, public_id) -> HttpResponse:
    """Signaler une absence for this child (and, ticked, their brothers and sisters)."""
    student, children = student_selectors.student_among_children(request.user, public_id)
    reportable = selectors.reportable_children(request.user)
    if student not in reportable:
        raise Http404
    form = AbsenceReportForm(request.POST or None, children=reportable, chosen=[student])
    if request.method == "POST" and form.is_valid():
        reports = services.reports_create(user=request.user,
                                          students=form.cleaned_data["children"],
                                          details=form.details())
        _report_saved(request, reports)
        return redirect("students:attendance", public_id=student.public_id)
    return child_page(request, "absences/report.html", "details", student, children,
                      sub_tab="attendance", report_form=form)


@login_required
def report_family(request: HttpRequest) -> HttpResponse:
    """From the home page: Signaler une absence for the children the parent may report for,
    outside any one child's pages; none ticked ahead unless there is only one."""
    reportable = selectors.reportable_children(request.user)
    if not reportable:
        raise Http404
    form = AbsenceReportForm(request.POST or None, children=reportable, chosen=[])
    if request.method == "POST" and form.is_valid():
        reports = services.reports_create(user=request.user,
                                          students=form.cleaned_data["children"],
                                          details=form.details())
        _report_saved(request, reports)
        return redirect("students:attendance", public_id=reports[0].student.public_id)
    return render(request, "absences/report_family.html",
                  {"report_form": form, "active_tab": "family"})


def _already_cancelled(request: HttpRequest, student) -> HttpResponse:
    """A cancelled report asked for again (a double click, a second tab, a stale page)."""
    messages.info(request, _("This report is already cancelled."))
    return redirect("students:attendance", public_id=student.public_id)


@never_cache
@login_required
def report_change(request: HttpRequest, public_id, report_id) -> HttpResponse:
    _shown, children = student_selectors.student_among_children(request.user, public_id)
    student = selectors.student_reportable(request.user, public_id)  # with its school's times
    absence = selectors.report_of(student, report_id)
    if absence.cancelled_at is not None:
        return _already_cancelled(request, student)
    if not selectors.may_change(absence, selectors.school_day_of(student.school)):
        messages.error(request, _("This report can no longer be changed: it has started. "
                                  "Call the school."))
        return redirect("students:attendance", public_id=student.public_id)
    form = AbsenceReportForm(request.POST or None, children=[student],
                             initial=report_initial(absence))
    if request.method == "POST" and form.is_valid():
        services.report_update(report=absence, details=form.details())
        messages.success(request, _("Your report has been changed."))
        return redirect("students:attendance", public_id=student.public_id)
    return child_page(request, "absences/report.html", "details", student, children,
                      sub_tab="attendance", report_form=form, absence=absence)


@login_required
@require_POST
def report_cancel(request: HttpRequest, public_id, report_id) -> HttpResponse:
    student = selectors.student_reportable(request.user, public_id)
    absence = selectors.report_of(student, report_id)
    if absence.cancelled_at is not None:
        return _already_cancelled(request, student)
    if not selectors.may_change(absence, selectors.school_day_of(student.school)):
        messages.error(request, _("This report can no longer be cancelled: it has started. "
                                  "Call the school."))
    elif services.report_cancel(report=absence):
        messages.success(request, _("Your report has been cancelled."))
    else:  # by the other click of a double click, at the same moment
        return _already_cancelled(request, student)
    return redirect("students:attendance", public_id=student.public_id)


def _link_refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "absences/safe_arrival_refused.html", {"message": message},
                  status=status)


@never_cache
def safe_arrival(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: checked before anything (it works from a phone with no session),
    then the guardian logs in and explains the absence in the usual form."""
    try:
        check, user_id = services.safe_arrival_read(token)
    except signing.SignatureExpired:
        return _link_refused(request, _("This link has expired. Log in to the portal to "
                                        "report the absence, or call the school."), 410)
    except signing.BadSignature:
        return _link_refused(request, _("This link is not valid. Log in to the portal to "
                                        "report the absence, or call the school."), 400)
    except services.SafeArrivalLinkUsed:
        return _link_refused(request, _("This absence has already been explained: the "
                                        "link works once."), 410)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.pk != user_id:
        raise Http404
    student = selectors.student_reportable(request.user, check.student.public_id)
    form = AbsenceReportForm(request.POST or None, children=[student],
                             initial={"start_date": check.date})
    if request.method == "POST" and form.is_valid():
        try:
            reports = services.reports_create(user=request.user, students=[student],
                                              details=form.details(), check=check)
        except services.SafeArrivalLinkUsed:
            return _link_refused(request, _("This absence has already been explained: "
                                            "the link works once."), 410)
        _report_saved(request, reports)
        return redirect("students:attendance", public_id=student.public_id)
    return render(request, "absences/safe_arrival.html", {
        "student": student, "report_form": form, "day": check.date})
