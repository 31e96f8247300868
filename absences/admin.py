"""The school's side, within its schools (accounts.scoping): today's reports, turned into
attendance records in one click or in bulk, and the safe-arrival list (emailed, answered,
still to call). Reports are the parents' words: staff read them and record them; deleting
follows the permissions (none for a school: a student's record, deleted, takes them along)."""

from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from absences import selectors, services
from absences.models import AbsenceReport, DayOff, Reason, SafeArrivalCheck, SchoolDay
from accounts.scoping import Scope
from portail.formats import clock_time, format_phone, long_date
from students.admin import (
    STUDENT_NAME_SEARCH,
    NisoSearchMixin,
    SchoolDataAdmin,
    SchoolOrBoardAdmin,
    own_schools_filter,
)


class DayFilter(admin.SimpleListFilter):
    """Today's rows unless asked for every day: the list a school opens each morning."""

    title = _("day")
    parameter_name = "jour"
    field = "date"

    def lookups(self, request, model_admin):
        return [("today", _("Today")), ("all", _("Every day"))]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {"selected": (self.value() or "today") == lookup,
                   "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                   "display": title}

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        today = timezone.localdate()
        if self.field == "date":
            return queryset.filter(date=today)
        return selectors.reports_today(queryset, today)


class ReportDayFilter(DayFilter):
    field = "report"


def _class_of(student) -> str:
    return f"{student.get_grade_display()} {student.homeroom}".strip()


class StudentColumnsMixin(NisoSearchMixin):
    """A student's rows: the class column, and a search by name (preferred ones too) or OEN."""

    niso_lookup = "student__niso"
    search_fields = [f"student__{field}" for field in STUDENT_NAME_SEARCH]
    search_help_text = _("A student's name or OEN.")

    @admin.display(description=_("class"), ordering="student__grade")
    def student_class(self, obj) -> str:
        return _class_of(obj.student)


@admin.register(AbsenceReport)
class AbsenceReportAdmin(StudentColumnsMixin, SchoolDataAdmin):
    school_scope = "student__school"
    list_display = ["created_at", "student", "student_class", "kind", "dates", "at_time",
                    "arrived_at", "reason", "late", "status"]  # and the button (below)
    list_filter = [ReportDayFilter, "late", "kind", own_schools_filter("student__school")]
    list_select_related = ["student", "reason"]
    ordering = ["-created_at"]
    actions = ["record_selected"]
    readonly_fields = ["student", "kind", "start_date", "end_date", "periods", "at_time",
                       "arrived_at", "picked_up_by", "reason", "note", "reported_by",
                       "created_at", "updated_at", "late", "cancelled_at", "recorded_at",
                       "recorded_by"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        # The school writes down when a late child arrived, before recording the report.
        if (obj is not None and obj.kind == AbsenceReport.Kind.LATE_ARRIVAL
                and obj.recorded_at is None and obj.cancelled_at is None):
            return [name for name in self.readonly_fields if name != "arrived_at"]
        return self.readonly_fields

    @admin.display(description=_("dates"), ordering="start_date")
    def dates(self, report: AbsenceReport) -> str:
        if report.end_date == report.start_date:
            return long_date(report.start_date)
        return f"{long_date(report.start_date)} → {long_date(report.end_date)}"

    @admin.display(description=_("status"))
    def status(self, report: AbsenceReport) -> str:
        if report.cancelled_at:
            return _("Cancelled")
        return _("Recorded") if report.recorded_at else _("To record")

    def get_list_display(self, request):
        # The button takes the list's filters along (Django's preserved filters), and its
        # page brings them back: a school going through every day's reports stays there.
        preserved = {"preserved_filters": self.get_preserved_filters(request),
                     "opts": self.opts}

        @admin.display(description=_("attendance"))
        def record_button(report: AbsenceReport) -> str:
            if report.recorded_at or report.cancelled_at:
                return "—"
            # In the list's own form (its CSRF token), sent to this row's page.
            return format_html(
                '<button type="submit" class="button" formaction="{}" name="report" '
                'value="{}">{}</button>',
                add_preserved_filters(preserved, reverse(
                    "admin:absences_absencereport_record", args=[report.pk])),
                report.pk, _("Record as attendance"))

        return [*super().get_list_display(request), record_button]

    def get_urls(self):
        return [path("<int:pk>/enregistrer/",
                     self.admin_site.admin_view(require_POST(self.record_view)),
                     name="absences_absencereport_record"), *super().get_urls()]

    def _record(self, request: HttpRequest, ids: list[int]) -> None:
        try:
            done = services.reports_record(report_ids=ids, actor=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, ngettext("%(count)s report recorded as attendance.",
                                            "%(count)s reports recorded as attendance.", done)
                          % {"count": done}, messages.SUCCESS)

    def record_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = self.get_object(request, str(pk))  # another school's: a 404 (scoping)
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        self._record(request, [report.pk])
        return redirect(add_preserved_filters(
            {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts},
            reverse("admin:absences_absencereport_changelist")))

    @admin.action(description=_("Record the selected reports as attendance"),
                  permissions=["change"])
    def record_selected(self, request: HttpRequest, queryset) -> None:
        self._record(request, list(queryset.values_list("pk", flat=True)))


class CheckStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [("to_call", _("To call")), ("answered", _("Answered")),
                ("called", _("Called"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "to_call":
            return queryset.filter(answered_at__isnull=True, called_at__isnull=True)
        if value == "answered":
            return queryset.filter(answered_at__isnull=False)
        if value == "called":
            return queryset.filter(called_at__isnull=False)
        return queryset


@admin.register(SafeArrivalCheck)
class SafeArrivalCheckAdmin(StudentColumnsMixin, SchoolDataAdmin):
    school_scope = "student__school"
    list_display = ["student", "student_class", "date", "emailed", "status", "answered_at",
                    "called_at", "to_call"]
    list_filter = [DayFilter, CheckStatusFilter, own_schools_filter("student__school")]
    list_select_related = ["student"]
    actions = ["mark_called"]
    readonly_fields = ["student", "date", "emailed_at", "emailed_to", "report", "answered_at",
                       "called_at", "to_call"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        # The people the school calls, in its call order, read with the page's checks.
        return super().get_queryset(request).prefetch_related(Prefetch(
            "student__guardian_links", to_attr="to_call",
            queryset=selectors.safe_arrival_contacts(timezone.localdate())))

    @admin.display(description=_("whom to call"))
    def to_call(self, check: SafeArrivalCheck) -> str:
        """selectors.safe_arrival_contacts, with their numbers."""
        rows = [(f"{link.guardian.first_name} {link.guardian.last_name}",
                 link.get_relationship_display(),
                 " · ".join(format_phone(number) for number in (
                     link.guardian.primary_phone, link.guardian.cell_phone,
                     link.guardian.work_phone) if number) or "—")
                for link in check.student.to_call]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{} ({}) — {}</li>", rows))

    @admin.display(description=_("emailed"), ordering="emailed_at")
    def emailed(self, check: SafeArrivalCheck) -> str:
        if not check.emailed_to:
            return _("No guardian to email")
        return ngettext("%(count)s guardian at %(time)s", "%(count)s guardians at %(time)s",
                        check.emailed_to) % {
            "count": check.emailed_to,
            "time": clock_time(timezone.localtime(check.emailed_at))}

    @admin.display(description=_("status"))
    def status(self, check: SafeArrivalCheck) -> str:
        if check.answered_at:
            return _("Answered")
        return _("Called") if check.called_at else _("To call")

    @admin.action(description=_("Mark the selected families as called"),
                  permissions=["change"])
    def mark_called(self, request: HttpRequest, queryset) -> None:
        done = services.safe_arrival_called(
            check_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        self.message_user(request, ngettext("%(count)s family marked as called.",
                                            "%(count)s families marked as called.", done)
                          % {"count": done}, messages.SUCCESS)


@admin.register(Reason)
class ReasonAdmin(SchoolDataAdmin):
    """The board's list: schools read it; a reason in use is deactivated, not deleted."""

    school_scope = Scope.BOARD_WIDE
    list_display = ["label_fr", "label_en", "code", "absence_code", "late_code", "active",
                    "order"]
    list_editable = ["active", "order"]
    list_filter = ["active"]
    list_select_related = ["absence_code", "late_code"]
    search_fields = ["code", "label_fr", "label_en"]


@admin.register(SchoolDay)
class SchoolDayAdmin(SchoolDataAdmin):
    school_scope = "school"
    list_display = ["school", "starts_at", "report_cutoff", "safe_arrival_at", "ends_at"]
    list_select_related = ["school"]
    autocomplete_fields = ["school"]


@admin.register(DayOff)
class DayOffAdmin(SchoolOrBoardAdmin):
    # The board's days off apply to every school: schools read them beside their own.
    list_display = ["date", "kind", "label", "school"]
    list_filter = ["kind", own_schools_filter("school")]
    list_select_related = ["school"]
    date_hierarchy = "date"
    autocomplete_fields = ["school"]
