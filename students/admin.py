"""The admin of school data, built for a school secretary.

Every page must stay fast with 20,000 students: list pages select their related rows,
links to students, guardians, accounts and schools are searched (autocomplete) rather than
loaded in a select, and the student's attendance shows only its latest records.

Each member of staff sees only their schools' rows, and every change is audited
(accounts/scoping.py): `school_scope` says how a row reaches its school.
"""

import csv
import re
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.scoping import (
    AuditedAdminMixin,
    Scope,
    ScopedAdminMixin,
    ScopedInlineMixin,
    is_board_level,
    staff_school_ids,
)
from portail.formats import (
    NISO_STORED,
    format_niso,
    format_phone,
    normalize_niso,
    normalize_phone,
)
from portail.submissions import SubmittedOnceForm
from portail.text import AccentInsensitiveSearchMixin
from students import models
from students.connections import portal_connections
from students.privacy_admin import withdraw_students
from students.services import ACCESS_CODE_VALIDITY, Delivery, access_code_issue_by_staff

# Only phone characters, with at least one digit: "613 555-0123", "(613) 555.0123", "+1 613…".
PHONE_TERM = re.compile(r"[0-9+\s\-.()]*[0-9][0-9+\s\-.()]*")
ATTENDANCE_SHOWN = 30
ACCESS_CODE_LETTER_KEY = "access_code_letter"


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


class SchoolDataAdmin(ScopedAdminMixin, AuditedAdminMixin, RelatedViewAndAddOnly,
                      AccentInsensitiveSearchMixin, admin.ModelAdmin):

    def get_changeform_initial_data(self, request):
        """A new row of a school's (a report-card period, a form, a day off) starts at the
        school of a member of staff who works for one."""
        initial = super().get_changeform_initial_data(request)
        school_ids = staff_school_ids(request.user)
        if (school_ids is not None and len(school_ids) == 1 and "school" not in initial
                and any(field.name == "school" for field in self.model._meta.fields)):
            initial["school"] = next(iter(school_ids))
        return initial


class SchoolOrBoardAdmin(SchoolDataAdmin):
    """Rows of one school or, school empty, of every school of the board: a school's staff
    see their schools' and the board's, and change only their schools'."""

    school_scope = "school"

    def scope_q(self, school_ids):
        return super().scope_q(school_ids) | Q(school__isnull=True)

    def _board_row_for_school_staff(self, request, obj) -> bool:
        return obj is not None and obj.school_id is None and not is_board_level(request.user)

    def has_change_permission(self, request, obj=None):
        return (super().has_change_permission(request, obj)
                and not self._board_row_for_school_staff(request, obj))

    def has_delete_permission(self, request, obj=None):
        return (super().has_delete_permission(request, obj)
                and not self._board_row_for_school_staff(request, obj))

    def get_form(self, request, obj=None, **kwargs):
        if is_board_level(request.user):
            return super().get_form(request, obj, **kwargs)
        # An empty school means the whole board: only the board writes those, and the
        # field's "leave empty" help is not for school staff (given here, not on the field,
        # it also leaves the read-only page of a board row).
        kwargs["help_texts"] = {**kwargs.get("help_texts", {}), "school": ""}
        form = super().get_form(request, obj, **kwargs)
        if "school" in form.base_fields:
            form.base_fields["school"].required = True
        return form


class LabelledRowsFormSet(BaseInlineFormSet):
    """A tabular inline's inputs have only their column's title above them, which is no
    label (axe: "Form elements must have labels"): each says its field's name."""

    def add_fields(self, form, index):
        super().add_fields(form, index)  # DELETE too
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", field.label)


class SchoolDataInline(ScopedInlineMixin, RelatedViewAndAddOnly, admin.TabularInline):
    formset = LabelledRowsFormSet


class ReadOnlyInlineMixin:
    """An inline that lists its rows and adds, changes or deletes none (a record kept)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(SchoolDataAdmin):
    """Records staff read and never write in the admin (a parent's signed answer).

    Deleting follows the permissions: a student's record, deleted, takes them along.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def own_schools_filter(field_path: str):
    """The school filter lists only the schools of the rows the staff member sees."""
    return (field_path, admin.RelatedOnlyFieldListFilter)


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
        # A link typed or cut short (a year's name, not its id) lists nothing, as an
        # unknown year does. Django finds no row for a number too large for the column
        # (no database error); what is no number at all ("2025-2026", "2²", which
        # str.isdigit accepts) it refuses with a ValueError.
        try:
            year = models.SchoolYear.objects.filter(pk=self.value()).first()
        except ValueError:
            year = None
        if year is None:
            return queryset.none()
        return queryset.filter(
            Q(withdrawal_date__isnull=True) | Q(withdrawal_date__gte=year.start_date),
            entry_date__lte=year.end_date,
        )


# --- Schools, years, terms -------------------------------------------------------------

@admin.register(models.School)
class SchoolAdmin(SchoolDataAdmin):
    school_scope = "pk"
    board_edits = True
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
    school_scope = Scope.BOARD_WIDE
    list_display = ["name", "start_date", "end_date"]
    search_fields = ["name"]


@admin.register(models.Term)
class TermAdmin(SchoolDataAdmin):
    school_scope = "school"
    list_display = ["name", "code", "school", "school_year", "start_date", "end_date"]
    list_filter = [own_schools_filter("school"), "school_year"]
    list_select_related = ["school", "school_year"]
    search_fields = ["code", "name", "school__name", "school__code", "school_year__name"]
    autocomplete_fields = ["school"]

    def get_queryset(self, request):
        # The autocomplete labels of terms name their school year.
        return super().get_queryset(request).select_related("school_year")


# --- Students and guardians -------------------------------------------------------------

# What the link's boxes mean on the portal, said beside the links' tables.
LINK_BOXES_MEANING = _(
    "A guardian sees the student on the portal only with custody or access rights, portal "
    "access on and, for a student aged 18 or more, the student's consent. “Lives with the "
    "student” and “emergency contact” show nothing on the portal. A new link grants "
    "nothing until you tick it.")
LINK_DETAILS = ["relationship", "has_custody", "has_access_rights", "may_report_absences",
                "lives_with", "emergency_contact", "contact_order", "portal_access",
                "portal_access_off_reason", "adult_consent_date"]


class LinkInline(SchoolDataInline):
    """Student–guardian links, seen from either side."""

    model = models.StudentGuardian
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("guardian", "student")


class StudentGuardianInline(LinkInline):
    """The student's guardians, on the student's page."""

    fields = ["guardian", *LINK_DETAILS]
    autocomplete_fields = ["guardian"]
    verbose_name = _("guardian")
    verbose_name_plural = _("guardians")


class GuardianStudentInline(LinkInline):
    """The guardian's students, on the guardian's page: only the staff member's schools'."""

    school_scope = "student__school"
    fields = ["student", *LINK_DETAILS]
    autocomplete_fields = ["student"]
    verbose_name = _("student")
    verbose_name_plural = _("students")


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


class RecentAttendanceFormSet(LabelledRowsFormSet):
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
    school_scope = "school"
    list_display = ["legal_last_name", "legal_first_name", "niso_display", "school", "grade",
                    "status"]
    list_display_links = ["legal_last_name", "legal_first_name"]
    list_filter = [own_schools_filter("school"), "grade", "status"]
    list_select_related = ["school"]
    search_fields = STUDENT_NAME_SEARCH
    search_help_text = _("A name, or an OEN with or without hyphens: 123-456-789.")
    autocomplete_fields = ["school"]

    def autocomplete_text(self, student: models.Student) -> str:
        # The admin's pickers (report card, enrolment, attendance…): two students of one
        # name, at one school, are told apart (portail.admin_site).
        return f"{student} ({student.get_grade_display()}, {format_niso(student.niso)})"
    readonly_fields = ["public_id", "portal_connections", "attendance_records"]
    inlines = [StudentGuardianInline, EnrolmentInline, SectionEnrolmentInline,
               AttendanceRecordInline]
    actions = [withdraw_students]
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

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        status = form.base_fields.get("status")  # none on a read-only page (the help desk)
        if status is not None and (obj is None or obj.status != models.Student.Status.WITHDRAWN):
            # Withdrawing closes the enrolment and may close guardians' accounts: only
            # through the list's action, which asks for the date and the reason.
            status.choices = [choice for choice in status.choices
                              if choice[0] != models.Student.Status.WITHDRAWN]
            status.help_text = _("To withdraw students, select them in the list of students "
                                 "and choose the action “Withdraw the selected students”.")
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [
            *fieldsets,
            (_("Portal connections"), {
                "fields": ["portal_connections"],
                "description": format_lazy("{} {}", _(
                    "Each guardian linked to this student, the state of their Portail "
                    "Famille account, and whether they see this student there."),
                    LINK_BOXES_MEANING),
            }),
            (_("Attendance"), {"fields": ["attendance_records"]}),
        ]

    @admin.display(description=_("OEN"), ordering="niso")
    def niso_display(self, student: models.Student) -> str:
        # Kept on one line: a narrow column would break it at the hyphens.
        return format_html('<span class="nowrap">{}</span>', student.niso_display)

    @admin.display(description=_("guardians' accounts"))
    def portal_connections(self, student: models.Student) -> str:
        return render_to_string("admin/students/student/portal_connections.html",
                                {"connections": portal_connections(student)})

    @admin.display(description=_("all attendance records"))
    def attendance_records(self, student: models.Student) -> str:
        url = reverse("admin:students_attendancerecord_changelist")
        query = urlencode({"student__id__exact": student.pk})
        return format_html('<a href="{}?{}">{}</a>', url, query,
                           _("See every attendance record of this student"))


class AccessCodeInline(ReadOnlyInlineMixin, ScopedInlineMixin, admin.TabularInline):
    """The codes issued to this guardian: when, by whom, until when, used or not."""

    model = models.AccessCode
    fk_name = "guardian"
    fields = ["created_at", "created_by", "expires_at", "claimed_by", "used_at"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by", "claimed_by")


class GuardianForm(forms.ModelForm):
    def clean_user(self):
        user = self.cleaned_data.get("user")
        if user is not None and (models.Guardian.objects.filter(user=user)
                                 .exclude(pk=self.instance.pk).exists()):
            raise ValidationError(_(
                "This portal account already belongs to another guardian contact. Link that "
                "contact to the student instead, or ask the user help centre to merge them."))
        return user


class AccessCodeForm(SubmittedOnceForm):
    delivery = forms.ChoiceField(label=_("How to give the code"), choices=Delivery.choices,
                                 initial=Delivery.LETTER, widget=forms.RadioSelect)

    def __init__(self, *args, guardian: models.Guardian, **kwargs):
        super().__init__(*args, **kwargs)
        self.guardian = guardian

    def clean_delivery(self) -> str:
        delivery = self.cleaned_data["delivery"]
        if delivery == Delivery.EMAIL and not self.guardian.email:
            raise ValidationError(_("This guardian has no email address: print a letter "
                                    "instead."))
        return delivery


class _YesNoFilter(admin.SimpleListFilter):
    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]


class PortalAccountFilter(_YesNoFilter):
    """The guardians still to be given an access code (the rentrée's letters), or not."""

    title = _("portal account")
    parameter_name = "compte"

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        return queryset.filter(user__isnull=self.value() == "no")


class PortalAccessFilter(_YesNoFilter):
    """The guardians whose link to one of the reader's schools' students has the portal on,
    or off: another school's links say nothing to this one."""

    title = _("portal access")
    parameter_name = "acces"

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        links = models.StudentGuardian.objects.filter(portal_access=self.value() == "yes")
        school_ids = staff_school_ids(request.user)
        if school_ids is not None:
            links = links.filter(student__school__in=school_ids)
        return queryset.filter(pk__in=links.values("guardian"))


@admin.register(models.Guardian)
class GuardianAdmin(SchoolDataAdmin):
    # A school sees the guardians of its students, and the contacts linked to no student
    # yet (a parent who signed up as a new parent), which it must find to link them.
    school_scope = "student_links__student__school"
    form = GuardianForm
    list_display = ["last_name", "first_name", "email", "primary_phone_display", "user"]
    list_filter = [PortalAccountFilter, PortalAccessFilter]
    list_select_related = ["user"]
    search_fields = ["last_name", "first_name", "email"]
    search_help_text = _("A name, an email or a phone number.")
    autocomplete_fields = ["user"]
    inlines = [GuardianStudentInline, AccessCodeInline]
    fieldsets = [
        (None, {"fields": [("last_name", "first_name"), "preferred_language"]}),
        (_("Contact"), {"fields": ["email", "primary_phone", "cell_phone", "work_phone"]}),
        (_("Address"), {"fields": ["street", "city", "province", "postal_code"]}),
        (_("Portal account"), {
            "fields": ["user"],
            "description": format_lazy("{} {}", _(
                "Link the guardian's existing account here, or issue an access code so that "
                "they create one already linked."), LINK_BOXES_MEANING),
        }),
    ]

    def scope_q(self, school_ids):
        return super().scope_q(school_ids) | Q(student_links__isnull=True)

    def has_delete_permission(self, request, obj=None):
        # A guardian also linked to another school's student is not one school's to delete.
        if not super().has_delete_permission(request, obj):
            return False
        school_ids = staff_school_ids(request.user)
        return (obj is None or school_ids is None
                or not obj.student_links.exclude(student__school__in=school_ids).exists())

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

    # --- One-time access codes ---

    def get_urls(self):
        return [
            path("<path:object_id>/access-code/",
                 self.admin_site.admin_view(self.access_code_view),
                 name="students_guardian_access_code"),
            path("<path:object_id>/access-code/letter/",
                 self.admin_site.admin_view(self.access_code_letter_view),
                 name="students_guardian_access_code_letter"),
            *super().get_urls(),
        ]

    def may_issue_access_codes(self, request: HttpRequest, guardian: models.Guardian) -> bool:
        return (self.has_view_permission(request, guardian)
                and request.user.has_perm("students.add_accesscode"))

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        # A guardian with an account needs no code.
        context["may_issue_access_code"] = (obj is not None and obj.user_id is None
                                            and self.may_issue_access_codes(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _guardian_for_codes(self, request: HttpRequest, object_id: str) -> models.Guardian:
        guardian = self.get_object(request, unquote(object_id))
        if not self.may_issue_access_codes(request, guardian):
            raise PermissionDenied
        return guardian

    def access_code_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Issue a code, printed on a letter shown once or emailed to the guardian; then
        redirect, so that a reload issues nothing. A form sent twice (double click, Back)
        issues one code: the second would silently void the letter of the first."""
        guardian = self._guardian_for_codes(request, object_id)
        change_url = reverse("admin:students_guardian_change", args=[guardian.pk])
        if guardian.user_id is not None:
            self.message_user(request, _("This guardian already has a portal account: no "
                                         "access code is needed."), messages.WARNING)
            return redirect(change_url)
        form = AccessCodeForm(request.POST or None, guardian=guardian)
        if request.method == "POST" and form.is_valid():
            delivery = Delivery(form.cleaned_data["delivery"])
            letter_url = reverse("admin:students_guardian_access_code_letter",
                                 args=[guardian.pk])
            if not form.first_submission():
                if delivery == Delivery.LETTER:
                    return redirect(letter_url)  # the first one's letter, if not yet shown
                self.message_user(request, _("This form was already sent: the code was "
                                             "issued once."), messages.WARNING)
                return redirect(change_url)
            access_code, code = access_code_issue_by_staff(
                guardian=guardian, issued_by=request.user, delivery=delivery,
                signup_url=request.build_absolute_uri(reverse("accounts:signup_code")),
            )
            if delivery == Delivery.EMAIL:
                self.message_user(request, _("An access code was emailed to %(email)s.")
                                  % {"email": guardian.email}, messages.SUCCESS)
                return redirect(change_url)
            # Kept in the session until the letter is shown, once (never in the database).
            request.session[ACCESS_CODE_LETTER_KEY] = {
                "guardian": guardian.pk, "access_code": access_code.pk, "code": code}
            return redirect(letter_url)
        return TemplateResponse(request, "admin/students/guardian/access_code.html", {
            **self.admin_site.each_context(request),
            "title": _("Issue an access code"),
            "opts": self.opts,
            "original": guardian,
            "form": form,
            "validity_days": ACCESS_CODE_VALIDITY.days,
            "open_codes": guardian.access_codes.usable(),
        })

    def access_code_letter_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The letter of the code just issued, shown this once: a reload finds no code,
        and says that the printed one still works."""
        guardian = self._guardian_for_codes(request, object_id)
        change_url = reverse("admin:students_guardian_change", args=[guardian.pk])
        letter = request.session.get(ACCESS_CODE_LETTER_KEY)
        access_code = (guardian.access_codes.filter(pk=letter["access_code"]).first()
                       if letter and letter["guardian"] == guardian.pk else None)
        if access_code is None:
            self.message_user(request, _(
                "The letter is shown only once, and its code stays valid: nothing was issued "
                "again. If the letter is lost, issue a new code (the lost one then stops "
                "working)."), messages.WARNING)
            return redirect(change_url)
        del request.session[ACCESS_CODE_LETTER_KEY]
        response = TemplateResponse(request, "admin/access_code_letter.html", {
            "guardian": guardian,
            "access_code": access_code,
            "code": letter["code"],
            "login_url": request.build_absolute_uri(reverse("account_login")),
            "change_url": change_url,
        })
        add_never_cache_headers(response)  # the code must not stay in a cache
        return response


@admin.register(models.StudentGuardian)
class StudentGuardianAdmin(NisoSearchMixin, SchoolDataAdmin):
    school_scope = "student__school"
    niso_lookup = "student__niso"
    list_display = ["guardian", "student", "relationship", "has_custody", "has_access_rights",
                    "portal_access", "emergency_contact"]
    list_filter = ["relationship", "has_custody", "portal_access",
                   own_schools_filter("student__school")]
    list_select_related = ["guardian", "student"]
    search_fields = [*_student_search("student"), "guardian__last_name",
                     "guardian__first_name"]
    search_help_text = _("A student's or guardian's name, or a student's OEN.")
    autocomplete_fields = ["student", "guardian"]


# --- Enrolment and attendance -----------------------------------------------------------

@admin.register(models.Enrolment)
class EnrolmentAdmin(NisoSearchMixin, SchoolDataAdmin):
    # The school's own enrolment records, and the whole history of its current students.
    school_scope = ("school", "student__school")
    niso_lookup = "student__niso"
    list_display = ["student", "school", "grade", "entry_date", "withdrawal_date"]
    list_filter = [own_schools_filter("school"), EnrolledDuringYearFilter, "grade"]
    list_select_related = ["student", "school"]
    search_fields = _student_search("student")
    search_help_text = _("A student's name or OEN.")
    autocomplete_fields = ["student", "school"]


@admin.register(models.AttendanceCode)
class AttendanceCodeAdmin(SchoolDataAdmin):
    school_scope = Scope.BOARD_WIDE
    list_display = ["code", "label_fr", "label_en", "kind", "excused"]
    list_filter = ["kind", "excused"]
    search_fields = ["code", "label_fr", "label_en"]


@admin.register(models.AttendanceRecord)
class AttendanceRecordAdmin(NisoSearchMixin, SchoolDataAdmin):
    school_scope = "student__school"
    niso_lookup = "student__niso"
    list_display = ["date", "student", "period_display", "code", "reason"]
    list_filter = ["code", own_schools_filter("student__school")]
    list_select_related = ["student", "code"]
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
    school_scope = Scope.BOARD_WIDE
    list_display = ["code", "title_fr", "title_en", "credit_value"]
    search_fields = ["code", "title_fr", "title_en"]


class MeetingInline(SchoolDataInline):
    model = models.Meeting
    fields = ["day", "period", "start_time", "end_time", "room"]
    extra = 0


@admin.register(models.Section)
class SectionAdmin(SchoolDataAdmin):
    school_scope = "school"
    list_display = ["__str__", "course", "school", "term", "teacher_name", "room"]
    list_filter = [own_schools_filter("school"), "term__school_year", TermCodeFilter]
    list_select_related = ["course", "school", "term__school_year"]
    search_fields = ["course__code", "course__title_fr", "teacher_name"]
    search_help_text = _("A course code (MTH1W), a course title or a teacher.")
    autocomplete_fields = ["course", "school", "term"]
    inlines = [MeetingInline]

    def get_queryset(self, request):
        # The autocomplete labels of sections name their course.
        return super().get_queryset(request).select_related("course")


@admin.register(models.SectionEnrolment)
class SectionEnrolmentAdmin(NisoSearchMixin, SchoolDataAdmin):
    # A section's school sees who attends it; the student's school sees all their courses.
    school_scope = ("section__school", "student__school")
    niso_lookup = "student__niso"
    list_display = ["student", "section", "section_term"]
    list_filter = [own_schools_filter("section__school"), "section__term__school_year"]
    list_select_related = ["student", "section__course", "section__term__school_year"]
    search_fields = [*_student_search("student"), "section__course__code"]
    search_help_text = _("A student's name or OEN, or a course code.")
    autocomplete_fields = ["student", "section"]

    @admin.display(description=_("term"), ordering="section__term__start_date")
    def section_term(self, enrolment: models.SectionEnrolment):
        return enrolment.section.term


class CourseCodeField(forms.ModelChoiceField):
    """A course typed by its code, as it is written on the transcript (mth1w → MTH1W)."""

    def to_python(self, value):
        return super().to_python(value.strip().upper() if isinstance(value, str) else value)


class CourseResultForm(forms.ModelForm):
    course = CourseCodeField(
        queryset=models.Course.objects.all(), to_field_name="code", label=_("course code"),
        widget=forms.TextInput(attrs={"size": 8}),
        error_messages={"invalid_choice": _("No course has the code %(value)s: check the "
                                            "code, or add the course first.")},
    )

    class Meta:
        model = models.CourseResult
        fields = ["student", "course", "kind", "school", "school_year", "completion_date",
                  "mark", "credit_earned", "withdrawn", "online"]


@admin.register(models.CourseResult)
class CourseResultAdmin(NisoSearchMixin, SchoolDataAdmin):
    # The results a school granted, and the whole transcript of its current students.
    school_scope = ("school", "student__school")
    niso_lookup = "student__niso"
    form = CourseResultForm
    list_display = ["student", "course", "kind", "school", "school_year", "mark",
                    "credit_earned", "withdrawn", "online"]
    list_filter = [own_schools_filter("school"), "school_year", "kind", "withdrawn", "online"]
    list_select_related = ["student", "course", "school", "school_year"]
    search_fields = [*_student_search("student"), "course__code"]
    search_help_text = _("A student's name or OEN, or a course code.")
    autocomplete_fields = ["student", "school"]


@admin.register(models.TimetablePublication)
class TimetablePublicationAdmin(SchoolDataAdmin):
    school_scope = "school"
    list_display = ["school", "school_year", "published_on"]
    list_filter = [own_schools_filter("school"), "school_year"]
    list_select_related = ["school", "school_year"]
    search_fields = ["school__name", "school__code"]
    autocomplete_fields = ["school"]


# --- Parent forms -----------------------------------------------------------------------

@admin.register(models.ParentForm)
class ParentFormAdmin(SchoolOrBoardAdmin):
    # A school's own forms, and the board's forms, which schools read and the board edits.
    list_display = ["title_fr", "kind", "school", "grade", "school_year", "is_open"]
    list_filter = ["kind", "is_open", "school_year", own_schools_filter("school")]
    list_select_related = ["school", "school_year"]
    search_fields = ["title_fr", "title_en"]
    autocomplete_fields = ["school"]
    fieldsets = [
        (None, {"fields": ["title_fr", "title_en", "kind", "is_open"]}),
        (_("Text"), {"fields": ["body_fr", "body_en"]}),
        (_("Who answers"), {"fields": ["school_year", "school", "grade"]}),
    ]


def _spreadsheet_text(value: str) -> str:
    """A cell a spreadsheet shows as typed: a parent's signature such as "=HYPERLINK(…)"
    would otherwise run as a formula on the secretary's computer."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@admin.register(models.ParentFormResponse)
class ParentFormResponseAdmin(NisoSearchMixin, ReadOnlyAdmin):
    school_scope = "student__school"
    niso_lookup = "student__niso"
    list_display = ["form", "student", "accepted", "signature", "signed_at"]
    list_filter = ["accepted", own_schools_filter("student__school"), "form__school_year"]
    list_select_related = ["form", "student"]
    search_fields = [*_student_search("student"), "form__title_fr"]
    search_help_text = _("A student's name or OEN, or a form's title.")
    actions = ["export_csv"]

    @admin.action(description=_("Export the selected answers (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="reponses-formulaires.csv"'
        writer = csv.writer(response)
        writer.writerow([_("form"), _("student"), _("school"), _("grade"),
                         _("consent given"), _("signature (full name)"), _("login ID"),
                         _("signed at")])
        rows = queryset.select_related("form", "student__school", "answered_by")
        for answer in rows.order_by("form__title_fr", "student__legal_last_name"):
            writer.writerow([_spreadsheet_text(str(cell)) for cell in [
                answer.form.title_fr, str(answer.student), answer.student.school.name,
                answer.student.get_grade_display(), _("yes") if answer.accepted else _("no"),
                answer.signature, answer.answered_by.username,
                timezone.localtime(answer.signed_at).strftime("%Y-%m-%d %H:%M"),
            ]])
        return response
