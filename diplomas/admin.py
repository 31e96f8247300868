"""The board's programmes (read by every school, changed by the board) and each student's
diploma record (their school's staff): community hours, the OSSLT, the online opt-out,
financial literacy, waived credits. A programme is refused, with the reason, when one of
its categories can be satisfied by no course of the catalogue, when its categories do not
add up to its credits, when a category's grade slots are malformed or are not one per
credit, or when one of its caps applies to no category or no course."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope, ScopedInlineMixin
from diplomas.models import (
    Category,
    CategoryCap,
    DiplomaRecord,
    Programme,
    SubjectGroup,
    Waiver,
    patterns_regex,
    split_grade_slots,
    split_patterns,
)
from students.admin import STUDENT_NAME_SEARCH, NisoSearchMixin, SchoolDataAdmin, SchoolDataInline
from students.models import Course


@admin.register(SubjectGroup)
class SubjectGroupAdmin(SchoolDataAdmin):
    school_scope = Scope.BOARD_WIDE
    list_display = ["name_fr", "code", "patterns"]
    search_fields = ["name_fr", "name_en", "code"]


def in_catalogue(patterns: list[str]) -> bool:
    return bool(patterns) and Course.objects.filter(code__regex=patterns_regex(patterns)).exists()


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["order", "name_fr", "name_en", "credits", "patterns", "groups", "any_course",
                  "grade_slots"]

    def clean_grade_slots(self) -> str:
        return ",".join("".join(sorted(slot))
                        for slot in split_grade_slots(self.cleaned_data["grade_slots"]))

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE") or cleaned.get("any_course"):
            return cleaned
        patterns = split_patterns(cleaned.get("patterns", ""))
        for group in cleaned.get("groups") or []:
            patterns += split_patterns(group.patterns)
        if not in_catalogue(patterns):
            raise ValidationError(
                _("No course of the catalogue satisfies this category: give course codes or "
                  "code beginnings, or subject groups, that match courses."),
                code="unsatisfiable")
        return cleaned


class CategoryFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors) or not hasattr(self.instance, "total_credits"):
            return
        kept = [form.cleaned_data for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        total = sum((data["credits"] for data in kept), Decimal(0))
        if self.instance.total_credits is not None and total != self.instance.total_credits:
            raise ValidationError(
                _("The categories add up to %(sum)s credits, the programme requires "
                  "%(total)s: they must be equal."),
                params={"sum": total, "total": self.instance.total_credits}, code="sum")


class CategoryInline(ScopedInlineMixin, admin.StackedInline):
    school_scope = Scope.BOARD_WIDE  # like its programme: schools read, the board edits
    model = Category
    form = CategoryForm
    formset = CategoryFormSet
    extra = 0
    filter_horizontal = ["groups"]


class CategoryCapForm(forms.ModelForm):
    class Meta:
        model = CategoryCap
        fields = ["name_fr", "name_en", "patterns", "credits", "categories"]
        widgets = {"categories": forms.CheckboxSelectMultiple}

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE"):
            return cleaned
        if not cleaned.get("categories") or not in_catalogue(
                split_patterns(cleaned.get("patterns", ""))):
            raise ValidationError(
                _("This limit applies to nothing: choose the categories it limits, and course "
                  "codes or code beginnings that match courses of the catalogue."),
                code="limits_nothing")
        return cleaned


class CategoryCapInline(ScopedInlineMixin, admin.StackedInline):
    school_scope = Scope.BOARD_WIDE
    model = CategoryCap
    form = CategoryCapForm
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Categories of this programme only (a new programme's, once it is saved).
        formset.form.base_fields["categories"].queryset = Category.objects.filter(
            programme=obj) if obj is not None else Category.objects.none()
        return formset


@admin.register(Programme)
class ProgrammeAdmin(SchoolDataAdmin):
    school_scope = Scope.BOARD_WIDE
    list_display = ["name_fr", "kind", "first_cohort", "last_cohort", "is_default",
                    "total_credits"]
    search_fields = ["name_fr", "name_en", "code"]
    inlines = [CategoryInline, CategoryCapInline]
    fieldsets = [
        (None, {"fields": ["code", "name_fr", "name_en", "kind", "total_credits"]}),
        (_("Who follows it"), {"fields": ["first_cohort", "last_cohort", "is_default"]}),
        (_("Other requirements"), {"fields": ["community_hours", "literacy_required",
                                              "literacy_courses", "online_credits",
                                              "financial_literacy_required"]}),
    ]


class WaiverInline(SchoolDataInline):
    model = Waiver
    fields = ["category", "credits", "reason"]
    extra = 0
    autocomplete_fields = ["category"]


@admin.register(Category)
class CategoryAdmin(SchoolDataAdmin):
    """For the waivers' category search; categories are edited with their programme."""

    school_scope = Scope.BOARD_WIDE
    search_fields = ["name_fr", "name_en", "programme__name_fr"]
    list_display = ["name_fr", "programme", "credits"]
    list_select_related = ["programme"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DiplomaRecord)
class DiplomaRecordAdmin(NisoSearchMixin, SchoolDataAdmin):
    school_scope = "student__school"
    niso_lookup = "student__niso"
    list_display = ["student", "programme", "community_hours", "literacy_test_passed_on",
                    "online_opt_out", "financial_literacy_met"]
    list_select_related = ["student", "programme"]
    list_filter = ["programme", "online_opt_out", "financial_literacy_met"]
    search_fields = [f"student__{field}" for field in STUDENT_NAME_SEARCH]
    search_help_text = _("A student's name or OEN.")
    autocomplete_fields = ["student"]
    inlines = [WaiverInline]
