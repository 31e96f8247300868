"""The admin's forms of reporting periods and report cards: what fits together is checked
where staff type it, with the rules publishing uses (documents.selectors)."""

from collections.abc import Iterable

from django import forms
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents import selectors
from documents.models import (
    LearningSkill,
    LearningSkillRating,
    ReportCard,
    ReportCardLine,
    ReportingPeriod,
)
from portail.formats import long_date
from portail.text import in_reader_language
from students.models import Grade


class ReportingPeriodForm(forms.ModelForm):
    class Meta:
        model = ReportingPeriod
        fields = ["school", "school_year", "kind", "name", "start_date", "end_date",
                  "publication_date"]

    def clean(self):
        cleaned = super().clean()
        school, kind = cleaned.get("school"), cleaned.get("kind")
        if school and kind and kind not in selectors.kinds_for_level(school.level):
            kinds = [str(ReportingPeriod.Kind(each).label)
                     for each in selectors.kinds_for_level(school.level)]
            self.add_error("kind", _(
                "This kind of report card is not for this school's grades. For a school of "
                "the %(level)s level, choose %(kinds)s.") % {
                "level": school.get_level_display().lower(),
                "kinds": get_text_list(kinds, _("or"))})
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        publication = cleaned.get("publication_date")
        if end and publication and publication < end:
            self.add_error("publication_date",
                           _("The publication date cannot come before the end date."))
        if year := cleaned.get("school_year"):
            for field, day in (("start_date", start), ("end_date", end)):
                if day and not year.start_date <= day <= year.end_date:
                    self.add_error(field, _(
                        "The school year %(year)s runs from %(start)s to %(end)s: this date "
                        "is outside it.") % {"year": year, "start": long_date(year.start_date),
                                            "end": long_date(year.end_date)})
        return cleaned


class ReportCardForm(forms.ModelForm):
    """The grade is the student's unless staff choose another that the period's kind of
    report card is for (a card of last year keeps last year's grade)."""

    class Meta:
        model = ReportCard
        fields = ["period", "student", "grade", "teacher_name", "principal_name", "comments"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grade = self.fields.get("grade")
        if grade is None:
            return  # the admin's read-only form (the help desk reads cards), without fields
        grade.required = False
        grade.choices = [("", gettext_lazy("The student's grade")), *Grade.choices]
        principal = self.fields["principal_name"]
        principal.required = False
        principal.help_text = gettext_lazy("Leave empty for the principal the school's page "
                                           "names.")

    def clean(self):
        cleaned = super().clean()
        period, student = cleaned.get("period"), cleaned.get("student")
        if not cleaned.get("principal_name") and "principal_name" not in self.errors:
            cleaned["principal_name"] = period.school.principal_name if period else ""
            if period and not cleaned["principal_name"]:
                self.add_error("principal_name", _("This school's page names no principal: "
                                                   "type the name here."))
        defaulted = student is not None and cleaned.get("grade") in (None, "")
        if defaulted:
            cleaned["grade"] = student.grade
        grade = cleaned.get("grade")
        if period and grade not in (None, "") and grade not in selectors.kind_grades(
                period.kind):
            grades = selectors.kind_grades(period.kind)
            message = _("The report cards of this period (%(kind)s) are for %(first)s to "
                        "%(last)s only.") % {
                "kind": period.get_kind_display(), "first": Grade(grades[0]).label,
                "last": Grade(grades[-1]).label}
            if defaulted:
                message += " " + _("%(student)s is in %(grade)s.") % {
                    "student": student, "grade": Grade(grade).label}
            self.add_error("grade", message)
        return cleaned


class ReportCardLineForm(forms.ModelForm):
    """A line's marks are those its card's kind and grade use (selectors.line_marks):
    another mark would be dropped from the PDF without a word. On a secondary card, the
    course's learning skills too (`skills`: the board's, given by the admin's formset): a
    rating per skill, saved with the line; one left blank is what publishing reports."""

    class Meta:
        model = ReportCardLine
        fields = ["order", "course", "subject", *selectors.MARK_FIELDS, "comment"]

    def __init__(self, *args, skills: Iterable[LearningSkill] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.skills = list(skills)
        if subject := self.fields.get("subject"):
            subject.required = False  # a course's line takes the course's title (clean)
        rated = {rating.skill_id: rating.rating for rating in self.instance.skills.all()
                 } if self.instance.pk and self.skills else {}
        rating_field = LearningSkillRating._meta.get_field("rating")
        for skill in self.skills:
            self.fields[self.skill_field(skill)] = rating_field.formfield(
                required=False, label=in_reader_language(skill.name_fr, skill.name_en),
                initial=rated.get(skill.pk, ""))

    @staticmethod
    def skill_field(skill: LearningSkill) -> str:
        return f"skill_{skill.code}"

    def _save_m2m(self):
        # Called once the line is saved, whether the form saved it or its caller did.
        super()._save_m2m()
        line = self.instance
        for skill in self.skills:
            name = self.skill_field(skill)
            if name not in self.changed_data:
                continue
            if rating := self.cleaned_data[name]:
                LearningSkillRating.objects.update_or_create(
                    line=line, skill=skill, defaults={"card": line.card, "rating": rating})
            else:
                LearningSkillRating.objects.filter(line=line, skill=skill).delete()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("subject") and "subject" not in self.errors:
            course = cleaned.get("course")
            if course is not None:
                cleaned["subject"] = course.title_fr  # report cards are written in French
            else:
                self.add_error("subject", forms.Field.default_error_messages["required"])
        card = cleaned.get("card")  # the inline's parent, as its form has it so far
        if card is None or card.period_id is None or not isinstance(card.grade, int):
            return cleaned  # the card's own errors come first
        line = ReportCardLine(**{field: cleaned.get(field) for field in selectors.MARK_FIELDS})
        marks = selectors.line_marks(card.period.kind, card.grade)
        for field, message in selectors.wrong_marks(line, marks).items():
            self.add_error(field, message)
        return cleaned
