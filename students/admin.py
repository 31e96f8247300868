"""The admin of school data, built for a school secretary.

Every page must stay fast with 20,000 students: list pages select their related rows,
links to students, guardians, accounts and schools are searched (autocomplete) rather than
loaded in a select, and the student's attendance shows only its latest records.
"""

import re
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portail.formats import (
    NISO_STORED,
    format_phone,
    normalize_niso,
    normalize_phone,
)
from students import models

# Only phone characters, with at least one digit: "613 555-0123", "(613) 555.0123", "+1 613…".
PHONE_TERM = re.compile(r"[0-9+\s\-.()]*[0-9][0-9+\s\-.()]*")
ATTENDANCE_SHOWN = 30


class RelatedViewAndAddOnly:
    """Beside a related field, only the "view" and "add" buttons.

    A school or an attendance code is never meant to be edited, let alone deleted, from a
    student's page; those buttons also crowd every row of an inline.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            formfield.widget.can_change_related = False
            formfield.widget.can_delete_related = False
        return formfield


class SchoolDataAdmin(RelatedViewAndAddOnly, admin.ModelAdmin):
    pass


class SchoolDataInline(RelatedViewAndAddOnly, admin.TabularInline):
    pass


class NisoSearchMixin:
    """Search that finds a student by OEN however it was typed: 123-456-789, 123 456 789.

    An OEN matches exactly; any other term goes to the name search of `search_fields`.
    """

    niso_lookup = "niso"

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        niso = normalize_niso(search_term.strip())
        if re.match(NISO_STORED, niso):
            return queryset.filter(**{self.niso_lookup: niso}), False
        return super().get_search_results(request, queryset, search_term)


STUDENT_NAME_SEARCH = ["legal_last_name", "legal_first_name", "preferred_last_name",
                       "preferred_first_name"]


def _student_search(prefix: str) -> list[str]:
    return [f"{prefix}__{field}" for field in STUDENT_NAME_SEARCH]


class TermCodeFilter(admin.SimpleListFilter):
    """Terms by code (S1, S2, AN): every school has its own "Semestre 1", listed once here."""

    title = _("term")
    parameter_name = "term_code"

    def lookups(self, request, model_admin):
        codes = models.Term.objects.order_by("code").values_list("code", flat=True).distinct()
        return [(code, code) for code in codes]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(term__code=self.value())
        return queryset


class EnrolledDuringYearFilter(admin.SimpleListFilter):
    """Enrolments that overlap a school year: who attended the school that year."""

    title = _("school year")
    parameter_name = "school_year"

    def lookups(self, request, model_admin):
        return [(str(year.pk), year.name) for year in models.SchoolYear.objects.all()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        year = models.SchoolYear.objects.filter(pk=self.value()).first()
        if year is None:
            return queryset.none()
        return queryset.filter(
            Q(withdrawal_date__isnull=True) | Q(withdrawal_date__gte=year.start_date),
            entry_date__lte=year.end_date,
        )


# --- Schools, years, terms -------------------------------------------------------------

@admin.register(models.School)
class SchoolAdmin(SchoolDataAdmin):
    list_display = ["name", "code", "ministry_number", "level", "city", "phone_display"]
    list_filter = ["level"]
    search_fields = ["name", "code", "ministry_number", "city"]
    fieldsets = [
        (None, {"fields": ["name", "code", "ministry_number", "level", "principal_name",
                           "phone"]}),
        (_("Address"), {"fields": ["street", "city", "province", "postal_code"]}),
    ]

    @admin.display(description=_("phone"), ordering="phone")
    def phone_display(self, school: models.School) -> str:
        return format_phone(school.phone)


@admin.register(models.SchoolYear)
class SchoolYearAdmin(SchoolDataAdmin):
    list_display = ["name", "start_date", "end_date"]
    search_fields = ["name"]


@admin.register(models.Term)
class TermAdmin(SchoolDataAdmin):
    list_display = ["name", "code", "school", "school_year", "start_date", "end_date"]
    list_filter = ["school", "school_year"]
    list_select_related = ["school", "school_year"]
    search_fields = ["code", "name", "school__name", "school__code", "school_year__name"]
    autocomplete_fields = ["school"]

    def get_queryset(self, request):
        # The autocomplete labels of terms name their school year.
        return super().get_queryset(request).select_related("school_year")


# --- Students and guardians -------------------------------------------------------------

LINK_DETAILS = ["relationship", "has_custody", "has_access_rights", "lives_with",
                "emergency_contact", "contact_order", "portal_access",
                "portal_access_off_reason", "adult_consent_date"]


class StudentGuardianInline(SchoolDataInline):
    """The student's guardians, on the student's page."""

    model = models.StudentGuardian
    fields = ["guardian", *LINK_DETAILS]
    autocomplete_fields = ["guardian"]
    extra = 0
    verbose_name = _("guardian")
    verbose_name_plural = _("guardians")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("guardian", "student")


class GuardianStudentInline(SchoolDataInline):
    """The guardian's students, on the guardian's page."""

    model = models.StudentGuardian
    fields = ["student", *LINK_DETAILS]
    autocomplete_fields = ["student"]
    extra = 0
    verbose_name = _("student")
    verbose_name_plural = _("students")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("guardian", "student")


class EnrolmentInline(SchoolDataInline):
    model = models.Enrolment
    fields = ["school", "grade", "entry_date", "entry_reason", "withdrawal_date",
              "withdrawal_reason"]
    autocomplete_fields = ["school"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "school")


class SectionEnrolmentInline(SchoolDataInline):
    model = models.SectionEnrolment
    fields = ["section", "term", "teacher"]
    readonly_fields = ["term", "teacher"]
    autocomplete_fields = ["section"]
    ordering = ["-section__term__start_date", "section__course__code"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "student", "section__course", "section__term__school_year"
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            # The selected section's label names its course: one query per row, not two.
            kwargs["queryset"] = models.Section.objects.select_related("course")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("term"))
    def term(self, enrolment: models.SectionEnrolment):
        return enrolment.section.term

    @admin.display(description=_("teacher"))
    def teacher(self, enrolment: models.SectionEnrolment) -> str:
        return enrolment.section.teacher_name


class RecentAttendanceFormSet(BaseInlineFormSet):
    """Only the latest records: a student collects hundreds of them over the years."""

    def get_queryset(self):
        if not hasattr(self, "_recent"):
            self._recent = super().get_queryset()[:ATTENDANCE_SHOWN]
        return self._recent


class AttendanceRecordInline(SchoolDataInline):
    model = models.AttendanceRecord
    formset = RecentAttendanceFormSet
    fields = ["date", "period", "code", "reason", "minutes_late"]
    ordering = ["-date", "period"]
    extra = 0
    verbose_name_plural = format_lazy(_("Attendance: the {count} most recent records"),
                                      count=ATTENDANCE_SHOWN)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "code")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "code":
            # Read the few codes once for the formset, not once per row.
            field.choices = list(field.choices)
        return field


@admin.register(models.Student)
class StudentAdmin(NisoSearchMixin, SchoolDataAdmin):
    list_display = ["legal_last_name", "legal_first_name", "niso_display", "school", "grade",
                    "status"]
    list_display_links = ["legal_last_name", "legal_first_name"]
    list_filter = ["school", "grade", "status"]
    list_select_related = ["school"]
    list_per_page = 50
    show_full_result_count = False
    search_fields = STUDENT_NAME_SEARCH
    search_help_text = _("A name, or an OEN with or without hyphens: 123-456-789.")
    autocomplete_fields = ["school"]
    readonly_fields = ["public_id", "attendance_records"]
    inlines = [StudentGuardianInline, EnrolmentInline, SectionEnrolmentInline,
               AttendanceRecordInline]
    fieldsets = [
        (_("Demographics"), {"fields": [
            "niso", ("legal_last_name", "legal_first_name"),
            ("preferred_last_name", "preferred_first_name"), "date_of_birth", "gender",
            "language", "public_id",
        ]}),
        (_("School"), {"fields": ["school", "grade", "homeroom", "status"]}),
        (_("Address"), {"fields": ["street", "city", "province", "postal_code"]}),
        (_("Photo"), {"fields": ["photo"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Attendance"), {"fields": ["attendance_records"]})]

    @admin.display(description=_("OEN"), ordering="niso")
    def niso_display(self, student: models.Student) -> str:
        # Kept on one line: a narrow column would break it at the hyphens.
        return format_html('<span class="nowrap">{}</span>', student.niso_display)

    @admin.display(description=_("all attendance records"))
    def attendance_records(self, student: models.Student) -> str:
        url = reverse("admin:students_attendancerecord_changelist")
        query = urlencode({"student__id__exact": student.pk})
        return format_html('<a href="{}?{}">{}</a>', url, query,
                           _("See every attendance record of this student"))


@admin.register(models.Guardian)
class GuardianAdmin(SchoolDataAdmin):
    list_display = ["last_name", "first_name", "email", "primary_phone_display", "user"]
    list_select_related = ["user"]
    list_per_page = 50
    show_full_result_count = False
    search_fields = ["last_name", "first_name", "email"]
    search_help_text = _("A name, an email or a phone number.")
    autocomplete_fields = ["user"]
    inlines = [GuardianStudentInline]
    fieldsets = [
        (None, {"fields": [("last_name", "first_name"), "preferred_language"]}),
        (_("Contact"), {"fields": ["email", "primary_phone", "cell_phone", "work_phone"]}),
        (_("Address"), {"fields": ["street", "city", "province", "postal_code"]}),
        (_("Portal account"), {"fields": ["user"]}),
    ]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        term = search_term.strip()
        if PHONE_TERM.fullmatch(term):
            # Part of a number matches too: people often give only the last seven digits.
            digits = normalize_phone(term)
            return queryset.filter(Q(primary_phone__contains=digits)
                                   | Q(cell_phone__contains=digits)
                                   | Q(work_phone__contains=digits)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("main phone number"), ordering="primary_phone")
    def primary_phone_display(self, guardian: models.Guardian) -> str:
        return format_phone(guardian.primary_phone)


@admin.register(models.StudentGuardian)
class StudentGuardianAdmin(NisoSearchMixin, SchoolDataAdmin):
    niso_lookup = "student__niso"
    list_display = ["guardian", "student", "relationship", "has_custody", "has_access_rights",
                    "portal_access", "emergency_contact"]
    list_filter = ["relationship", "has_custody", "portal_access", "student__school"]
    list_select_related = ["guardian", "student"]
    list_per_page = 50
    show_full_result_count = False
    search_fields = [*_student_search("student"), "guardian__last_name",
                     "guardian__first_name"]
    search_help_text = _("A student's or guardian's name, or a student's OEN.")
    autocomplete_fields = ["student", "guardian"]


# --- Enrolment and attendance -----------------------------------------------------------

@admin.register(models.Enrolment)
class EnrolmentAdmin(NisoSearchMixin, SchoolDataAdmin):
    niso_lookup = "student__niso"
    list_display = ["student", "school", "grade", "entry_date", "withdrawal_date"]
    list_filter = ["school", EnrolledDuringYearFilter, "grade"]
    list_select_related = ["student", "school"]
    list_per_page = 50
    show_full_result_count = False
    search_fields = _student_search("student")
    search_help_text = _("A student's name or OEN.")
    autocomplete_fields = ["student", "school"]


@admin.register(models.AttendanceCode)
class AttendanceCodeAdmin(SchoolDataAdmin):
    list_display = ["code", "label_fr", "label_en", "kind", "excused"]
    list_filter = ["kind", "excused"]
    search_fields = ["code", "label_fr", "label_en"]


@admin.register(models.AttendanceRecord)
class AttendanceRecordAdmin(NisoSearchMixin, SchoolDataAdmin):
    niso_lookup = "student__niso"
    list_display = ["date", "student", "period_display", "code", "reason"]
    list_filter = ["code", "student__school"]
    list_select_related = ["student", "code"]
    list_per_page = 50
    show_full_result_count = False
    date_hierarchy = "date"
    search_fields = _student_search("student")
    search_help_text = _("A student's name or OEN.")
    autocomplete_fields = ["student"]

    @admin.display(description=_("period"), ordering="period")
    def period_display(self, record: models.AttendanceRecord):
        return _("Full day") if record.period is None else record.period


# --- Courses and timetable --------------------------------------------------------------

@admin.register(models.Course)
class CourseAdmin(SchoolDataAdmin):
    list_display = ["code", "title_fr", "title_en", "credit_value"]
    search_fields = ["code", "title_fr", "title_en"]


class MeetingInline(SchoolDataInline):
    model = models.Meeting
    fields = ["day", "period", "start_time", "end_time", "room"]
    extra = 0


@admin.register(models.Section)
class SectionAdmin(SchoolDataAdmin):
    list_display = ["__str__", "course", "school", "term", "teacher_name", "room"]
    list_filter = ["school", "term__school_year", TermCodeFilter]
    list_select_related = ["course", "school", "term__school_year"]
    list_per_page = 50
    search_fields = ["course__code", "course__title_fr", "teacher_name"]
    search_help_text = _("A course code (MTH1W), a course title or a teacher.")
    autocomplete_fields = ["course", "school", "term"]
    inlines = [MeetingInline]

    def get_queryset(self, request):
        # The autocomplete labels of sections name their course.
        return super().get_queryset(request).select_related("course")


@admin.register(models.SectionEnrolment)
class SectionEnrolmentAdmin(NisoSearchMixin, SchoolDataAdmin):
    niso_lookup = "student__niso"
    list_display = ["student", "section", "section_term"]
    list_filter = ["section__school", "section__term__school_year"]
    list_select_related = ["student", "section__course", "section__term__school_year"]
    list_per_page = 50
    show_full_result_count = False
    search_fields = [*_student_search("student"), "section__course__code"]
    search_help_text = _("A student's name or OEN, or a course code.")
    autocomplete_fields = ["student", "section"]

    @admin.display(description=_("term"), ordering="section__term__start_date")
    def section_term(self, enrolment: models.SectionEnrolment):
        return enrolment.section.term


@admin.register(models.CourseResult)
class CourseResultAdmin(NisoSearchMixin, SchoolDataAdmin):
    niso_lookup = "student__niso"
    list_display = ["student", "course", "school", "school_year", "mark", "credit_earned",
                    "withdrawn"]
    list_filter = ["school", "school_year", "withdrawn"]
    list_select_related = ["student", "course", "school", "school_year"]
    list_per_page = 50
    show_full_result_count = False
    search_fields = [*_student_search("student"), "course__code"]
    search_help_text = _("A student's name or OEN, or a course code.")
    autocomplete_fields = ["student", "course", "school"]
