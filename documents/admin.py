"""The admin of report cards and forms: staff enter or import marks, preview one student's
report card, publish a period and follow the rendering. Scoped to the staff member's
schools (accounts/scoping.py) like every admin."""

import io

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope
from documents import selectors, services
from documents.forms import ReportCardForm, ReportCardLineForm, ReportingPeriodForm
from documents.models import (
    BoardForm,
    LearningSkill,
    LearningSkillRating,
    ReportCard,
    ReportCardFile,
    ReportCardLine,
    ReportingPeriod,
)
from portail.admin_display import file_size
from students.admin import (
    STUDENT_NAME_SEARCH,
    LabelledRowsFormSet,
    NisoSearchMixin,
    ParentFormAdmin,
    ReadOnlyInlineMixin,
    SchoolDataAdmin,
    SchoolDataInline,
    own_schools_filter,
)


def _pdf_response(content, filename: str, *, attachment: bool = False) -> FileResponse:
    response = FileResponse(content, content_type="application/pdf", as_attachment=attachment,
                            filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@admin.action(description=_("Publish the selected periods"), permissions=["change"])
def publish_periods(modeladmin, request, queryset):
    """Like Django's delete action, a page first says what publishing will do, and it is
    done only on its confirmation: nothing undoes it (a published card is the family's)."""
    if request.POST.get("post") != "yes":
        return TemplateResponse(request, "admin/documents/publish_confirmation.html", {
            **modeladmin.admin_site.each_context(request),
            "title": _("Publish these periods?"),
            "opts": modeladmin.opts,
            "checks": [selectors.publication_check(period)
                       for period in queryset.select_related("school", "school_year")],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })
    for period in queryset:
        result = services.period_publish(period=period, actor=request.user)
        level = (messages.WARNING if result.incomplete or result.without_card
                 else messages.SUCCESS)
        progress = reverse("admin:documents_reportingperiod_progress", args=[period.pk])
        modeladmin.message_user(request, format_html(
            '{} {} <a href="{}">{}</a>',
            _("%(period)s: %(summary)s") % {"period": period, "summary": result.summary()},
            selectors.parents_see_from(period), progress, _("See the progress")), level)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SchoolDataAdmin):
    school_scope = "school"
    form = ReportingPeriodForm
    list_display = ["name", "school", "school_year", "kind", "publication_date", "published_at",
                    "progress_link"]
    list_filter = [own_schools_filter("school"), "school_year", "kind"]
    list_select_related = ["school", "school_year"]
    search_fields = ["name", "school__name", "school__code"]
    autocomplete_fields = ["school"]
    readonly_fields = ["published_at"]
    actions = [publish_periods]

    def get_urls(self):
        return [path("<path:object_id>/progress/",
                     self.admin_site.admin_view(self.progress_view),
                     name="documents_reportingperiod_progress"), *super().get_urls()]

    @admin.display(description=_("publication"))
    def progress_link(self, period: ReportingPeriod) -> str:
        if period.published_at is None:
            return "—"
        url = reverse("admin:documents_reportingperiod_progress", args=[period.pk])
        return format_html('<a href="{}">{}</a>', url, _("Publication progress"))

    def progress_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Rendered, failed (with the reason), remaining, and who misses marks."""
        period = self.get_object(request, unquote(object_id))
        response = TemplateResponse(request, "admin/documents/progress.html", {
            **self.admin_site.each_context(request),
            "title": _("Publication of %(period)s") % {"period": period},
            "opts": self.opts, "original": period,
            "progress": selectors.publication_progress(period),
            "parents_see": selectors.parents_see_from(period),
        })
        add_never_cache_headers(response)
        return response


def _rated_per_course(card: ReportCard | None) -> bool:
    """A secondary card's learning skills are rated per course; another card's, for the
    whole card."""
    return card is not None and card.period_id is not None and card.period.is_secondary


class ReportCardLineFormSet(LabelledRowsFormSet):
    """On a secondary card, each line's form rates the course's learning skills."""

    def get_form_kwargs(self, index):
        if not _rated_per_course(self.instance):
            return super().get_form_kwargs(index)
        return {**super().get_form_kwargs(index), "skills": self.skills}

    @cached_property
    def skills(self) -> list[LearningSkill]:
        return list(LearningSkill.objects.all())


class ReportCardLineInline(SchoolDataInline):
    model = ReportCardLine
    form = ReportCardLineForm
    formset = ReportCardLineFormSet
    fields = ["order", "course", "subject", "progress", "letter_grade", "percentage",
              "course_median", "credit_earned", "comment", "classes_missed", "times_late",
              "teacher_name"]
    # Counted from attendance and the timetable when published.
    readonly_fields = ["classes_missed", "times_late", "teacher_name"]
    autocomplete_fields = ["course"]
    extra = 0
    formfield_overrides = {
        # A comment of several lines, not a full-size text box on each row.
        ReportCardLine._meta.get_field("comment").__class__: {
            "widget": forms.Textarea(attrs={"rows": 3, "cols": 40})},
    }

    def get_queryset(self, request):
        return (super().get_queryset(request).select_related("card", "course")
                .prefetch_related("skills"))

    def get_fields(self, request, obj=None):
        # The form's rating per learning skill (a secondary card's), after the marks.
        fields = super().get_fields(request, obj)
        if not _rated_per_course(obj):
            return fields
        return [*fields, *(ReportCardLineForm.skill_field(skill)
                           for skill in LearningSkill.objects.all())]

    def get_formset(self, request, obj=None, **kwargs):
        # The model's fields: the ratings' are the form's own (ReportCardLineForm).
        return super().get_formset(request, obj, fields=self.fields, **kwargs)


class LearningSkillRatingInline(SchoolDataInline):
    """The ratings of an elementary card. A secondary card rates each course (its lines'
    forms): the ratings it may have for the whole card, from before, are only listed, to
    be deleted (publishing asks for it)."""

    model = LearningSkillRating
    fields = ["skill", "rating"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).filter(line=None)

    def has_add_permission(self, request, obj):
        return not _rated_per_course(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _rated_per_course(obj) and super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "skill":
            field.choices = list(field.choices)  # the seven skills, read once per formset
        return field


class ReportCardFileInline(ReadOnlyInlineMixin, SchoolDataInline):
    """Every rendering, the corrected ones and those they replaced: staff keep them all."""

    model = ReportCardFile
    fields = ["version", "created_at", file_size, "download"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, stored: ReportCardFile) -> str:
        return format_html('<a href="{}">{}</a>', reverse(
            "admin:documents_reportcard_file", args=[stored.card_id, stored.version]),
            _("Download"))


class PeriodFilter(admin.RelatedOnlyFieldListFilter):
    """The listed cards' periods, read with their years and schools: one query, not two a
    period (ReportingPeriod.__str__ names both)."""

    def field_choices(self, field, request, model_admin):
        listed = model_admin.get_queryset(request).values("period")
        return [(period.pk, str(period)) for period in ReportingPeriod.objects.filter(
            pk__in=listed).select_related("school", "school_year")]


@admin.register(ReportCard)
class ReportCardAdmin(NisoSearchMixin, SchoolDataAdmin):
    school_scope = "period__school"
    niso_lookup = "student__niso"
    form = ReportCardForm
    list_display = ["student", "period", "grade", "status", "status_reason"]
    # A school's day: one period's cards (two of a kind in a year: February's and June's),
    # one grade's.
    list_filter = ["status", own_schools_filter("period__school"), "period__school_year",
                   "period__kind", ("period", PeriodFilter), "grade"]
    list_select_related = ["student", "period__school", "period__school_year"]
    search_fields = [f"student__{field}" for field in STUDENT_NAME_SEARCH]
    search_help_text = _("A student's name or OEN.")
    autocomplete_fields = ["student", "period"]
    readonly_fields = ["publication_status", "status_reason", "days_absent", "times_late",
                       "preview"]
    inlines = [ReportCardLineInline, LearningSkillRatingInline, ReportCardFileInline]
    fieldsets = [
        (None, {"fields": ["period", "student", "grade", "teacher_name", "principal_name",
                           "comments"]}),
        (_("Publication"), {"fields": ["publication_status", "status_reason", "days_absent",
                                       "times_late", "preview"]}),
        (_("Graduation requirements (secondary final report)"), {
            "fields": ["credits_earned_total", "community_hours", "literacy_requirement_met"],
            "classes": ["collapse"]}),
    ]

    def audit_state(self, obj):
        # A course's learning skills are rated on its line's form: its state in the trail.
        state = super().audit_state(obj)
        if isinstance(obj, ReportCardLine):
            state["learning_skills"] = dict(LearningSkillRating.objects.filter(line=obj)
                                            .values_list("skill__code", "rating"))
        return state

    def has_delete_permission(self, request, obj=None):
        # A published card is the family's archive: a correction replaces it, nothing removes
        # it. Django's bulk delete (and a period's, a student's) asks this of each card too.
        if obj is not None and obj.files.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_urls(self):
        return [
            path("<path:object_id>/preview/", self.admin_site.admin_view(self.preview_view),
                 name="documents_reportcard_preview"),
            path("<path:object_id>/file/<int:version>/",
                 self.admin_site.admin_view(self.file_view), name="documents_reportcard_file"),
            *super().get_urls(),
        ]

    @admin.display(description=_("status"))
    def publication_status(self, card: ReportCard) -> str:
        return selectors.report_card_status_for_staff(card) if card.pk else "—"

    @admin.display(description=_("preview"))
    def preview(self, card: ReportCard) -> str:
        if card.pk is None:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', reverse(
            "admin:documents_reportcard_preview", args=[card.pk]),
            _("Preview this report card (PDF)"))

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """This student's report card as it would be published, rendered now, not kept."""
        card = self.get_object(request, unquote(object_id))
        pdf = selectors.report_card_preview_pdf(card.pk)
        return _pdf_response(io.BytesIO(pdf), selectors.report_card_filename(card))

    def file_view(self, request: HttpRequest, object_id: str, version: int) -> FileResponse:
        card = self.get_object(request, unquote(object_id))
        stored = card.files.filter(version=version).first()
        if stored is None:
            raise Http404
        return _pdf_response(stored.file.open("rb"),
                             selectors.report_card_version_filename(card, stored.version),
                             attachment=True)


@admin.register(LearningSkill)
class LearningSkillAdmin(SchoolDataAdmin):
    school_scope = Scope.BOARD_WIDE
    list_display = ["name_fr", "name_en", "order", "french_language_only"]


class BoardFormForm(forms.ModelForm):
    class Meta:
        model = BoardForm
        fields = ["title_fr", "title_en", "school", "file", "is_shown"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            services.pdf_upload_check(upload)
        return upload

    def save(self, commit=True):
        if self.instance.file:
            self.instance.size = self.instance.file.size
        return super().save(commit)


@admin.register(BoardForm)
class BoardFormAdmin(ParentFormAdmin):
    """Like a parent form: a school's own, or the board's, which schools read and only the
    board edits (ParentFormAdmin's scope and permissions)."""

    form = BoardFormForm
    list_display = ["title_fr", "school", file_size, "uploaded_at", "is_shown"]
    list_filter = ["is_shown", own_schools_filter("school")]
    list_select_related = ["school"]
    fieldsets = None
    readonly_fields = [file_size]
