"""The admin side of students/privacy.py: the "withdraw" action on the students' list.

StudentAdmin lists it in `actions`; the queryset is already limited to the staff
member's schools by the admin.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portail.submissions import SubmittedOnceForm
from students import privacy


class WithdrawalForm(SubmittedOnceForm):
    date = forms.DateField(label=_("Withdrawal date"),
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Withdrawal reason"), max_length=200)


@admin.action(description=_("Withdraw the selected students"), permissions=["change"])
def withdraw_students(modeladmin, request, queryset):
    """A page asks the date and reason; then all the students are withdrawn, or none."""
    students = list(queryset)
    form = WithdrawalForm(request.POST if "apply" in request.POST else None,
                          initial={"date": timezone.localdate()})
    if form.is_bound and form.is_valid() and not form.first_submission():
        # A double click, or Back and send again: the students left once.
        modeladmin.message_user(request, _("This form was already sent: nothing was done "
                                           "again."), messages.WARNING)
        return None
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():
                closed = [user for student in students for user in privacy.student_withdraw(
                    student=student, actor=request.user, date=form.cleaned_data["date"],
                    reason=form.cleaned_data["reason"])]
        except ValidationError as error:
            form.add_error("date", error)
        else:
            modeladmin.message_user(request, _(
                "Students withdrawn: %(students)d. Guardian accounts deactivated (no other "
                "active child): %(accounts)d.") % {"students": len(students),
                                                   "accounts": len(closed)},
                messages.SUCCESS)
            return None
    return render(request, "admin/students/withdraw_students.html", {
        **modeladmin.admin_site.each_context(request),
        "title": _("Withdraw students"),
        "opts": modeladmin.model._meta,
        "students": students,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    })
