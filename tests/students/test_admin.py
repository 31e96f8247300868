"""The admin as a school secretary uses it: find a student, read and correct the record."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from portail.formats import format_niso, validate_niso, validate_phone, validate_postal_code
from portail.text import AccentInsensitiveSearchMixin
from students import models
from students.admin import ReadOnlyAdmin
from tests import factories
from tests.pages import french, french_plural, html_of
from tests.staff import make_staff, staff_login

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


class _FormFields(HTMLParser):
    """What a browser would submit from the form with this id, as it was shown."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""
        self.data: dict[str, list[str]] = {}

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.add(name, attrs.get("value") or "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.add(self.textarea, self.text.lstrip("\n"))
            self.textarea = None


def form_data(response, form_id: str) -> dict[str, list[str]]:
    """The POST data of an admin form as shown, to change a field or two and resubmit."""
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    assert parser.data, f"no form #{form_id} in the page"
    return parser.data


def new_student_data(client, school, guardian) -> dict:
    """The add-student form as shown, filled with a new student linked to a guardian."""
    data = form_data(client.get(url(models.Student, "add")), "student_form")
    data.update({
        "niso": "999-777-001", "legal_first_name": "Maëlle", "legal_last_name": "Nouvelle",
        "date_of_birth": "2016-04-01", "gender": "F", "school": str(school.pk), "grade": "5",
        "guardian_links-TOTAL_FORMS": "1", "guardian_links-0-guardian": str(guardian.pk),
        "guardian_links-0-relationship": "mother", "guardian_links-0-has_custody": "on",
        "guardian_links-0-portal_access": "on", "guardian_links-0-contact_order": "1",
    })
    return data


def message_of(validator, value) -> str:
    """The French message a validator gives (the English msgid until the catalogue exists)."""
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        validator(value)
    return error.value.messages[0]


def constraint_message(model, name: str) -> str:
    constraint = next(c for c in model._meta.constraints if c.name == name)
    with translation.override("fr"):
        return str(constraint.get_violation_error_message())


@pytest.fixture
def secretary(db):
    return factories.UserFactory(username="secretariat", first_name="Sophie", is_staff=True,
                                 is_superuser=True)


@pytest.fixture
def staff_client(client, secretary):
    return staff_login(client, secretary)


@pytest.fixture
def school_data(family, other_family):
    """One row of every model, so that list and change pages render real data."""
    child = family.children[0]
    section = factories.SectionFactory(school=child.school, term__school=child.school)
    factories.MeetingFactory(section=section)
    models.SectionEnrolment.objects.create(student=child, section=section)
    factories.EnrolmentFactory(student=child, entry_reason="Arrivée de Gatineau")
    factories.AttendanceRecordFactory(student=child)
    factories.AttendanceRecordFactory(student=child, date=datetime.date(2026, 10, 6), period=3)
    factories.CourseResultFactory(student=family.children[1])
    return family


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_list_add_and_change_page_opens(staff_client, secretary, school_data, model,
                                              rf):
    request = rf.get("/")
    request.user = secretary
    assert staff_client.get(url(model, "changelist")).status_code == 200
    if admin.site._registry[model].has_add_permission(request):
        assert staff_client.get(url(model, "add")).status_code == 200
    instance = model._default_manager.first()
    if instance is not None:
        assert staff_client.get(url(model, "change", instance.pk)).status_code == 200


def test_every_student_model_is_registered():
    student_models = {model for model in REGISTERED if model._meta.app_label == "students"}
    # Class meetings are edited on their section's page.
    assert student_models == {getattr(models, name) for name in [
        "School", "SchoolYear", "Term", "Student", "Guardian", "StudentGuardian", "Enrolment",
        "AttendanceCode", "AttendanceRecord", "Course", "Section", "SectionEnrolment",
        "CourseResult", "TimetablePublication", "ParentForm", "ParentFormResponse",
    ]}
    assert models.Meeting in {type(inline).model for inline in
                              admin.site._registry[models.Section].get_inline_instances(None)}


def test_links_to_big_tables_are_searched_not_loaded_in_a_select():
    """A select of 20,000 students (or of every account) would make each page crawl."""
    big = {models.Student, models.Guardian, models.School, get_user_model()}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "students":
            continue
        # An inline's link to the page's own object is not a field of its form; a read-only
        # record shows its links as text.
        owners = [(model_admin, None), *((inline(model, admin.site), model)
                                         for inline in model_admin.inlines)]
        for owner, parent in owners:
            if isinstance(owner, ReadOnlyAdmin):
                continue
            for field in owner.model._meta.fields:
                if (field.editable and field.related_model in big - {parent}
                        and field.name not in owner.readonly_fields):
                    assert field.name in owner.autocomplete_fields, (owner, field.name)


# --- Finding a student --------------------------------------------------------------------

def listed(response) -> list:
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize("typed", ["{hyphens}", "{spaces}", "{digits}", "  {hyphens} "])
def test_search_finds_a_student_by_niso_however_typed(staff_client, family, other_family,
                                                      typed):
    child = family.children[0]
    digits = child.niso
    term = typed.format(hyphens=format_niso(digits), digits=digits,
                        spaces=f"{digits[:3]} {digits[3:6]} {digits[6:]}")
    response = staff_client.get(url(models.Student, "changelist"), {"q": term})
    assert listed(response) == [child]
    assert format_niso(digits) in response.content.decode()
    assert format_niso(other_family.children[0].niso) not in response.content.decode()


def test_search_by_niso_is_exact(staff_client, family):
    child = family.children[0]
    taken = set(models.Student.objects.values_list("niso", flat=True))
    near = next(child.niso[:-1] + digit for digit in "0123456789"
                if child.niso[:-1] + digit not in taken)  # one digit off, nobody's
    response = staff_client.get(url(models.Student, "changelist"), {"q": near})
    assert listed(response) == []


def test_search_by_part_of_a_name(staff_client, family, other_family):
    first, second = family.children
    second.preferred_first_name = "Lili"
    second.save()
    changelist = url(models.Student, "changelist")

    assert set(listed(staff_client.get(changelist, {"q": "trem"}))) == {first, second}
    assert listed(staff_client.get(changelist, {"q": "lil"})) == [second]
    assert listed(staff_client.get(changelist, {"q": f"{first.legal_first_name} trem"})) == [first]
    assert listed(staff_client.get(changelist, {"q": "Gagn"})) == other_family.children


def test_search_ignores_accents_both_ways(staff_client, family, other_family):
    first, second = family.children
    models.Student.objects.filter(pk=first.pk).update(legal_last_name="Lévesque")
    models.Student.objects.filter(pk=second.pk).update(preferred_first_name="Eloise")
    models.Guardian.objects.filter(pk=family.guardian.pk).update(last_name="Bérubé")
    students = url(models.Student, "changelist")

    for typed in ["Levesque", "LÉVESQUE", "lévesque"]:
        assert listed(staff_client.get(students, {"q": typed})) == [first], typed
    assert listed(staff_client.get(students, {"q": "Éloïse"})) == [second]
    assert listed(staff_client.get(url(models.Guardian, "changelist"), {"q": "berube"})) == [
        family.guardian]
    # The autocomplete of a student field searches the same way.
    response = staff_client.get(reverse("admin:autocomplete"), {
        "app_label": "students", "model_name": "enrolment", "field_name": "student",
        "term": "levesque",
    })
    assert [result["id"] for result in response.json()["results"]] == [str(first.pk)]


def test_prefixed_search_fields_ignore_accents_too(rf, family, other_family):
    first = family.children[0]
    models.Student.objects.filter(pk=first.pk).update(legal_last_name="Lévesque",
                                                      legal_first_name="Éloïse")

    class PrefixedSearch(AccentInsensitiveSearchMixin, admin.ModelAdmin):
        search_fields = ["=legal_last_name", "^legal_first_name"]

    model_admin = PrefixedSearch(models.Student, admin.site)
    request = rf.get("/")

    def searched(term: str) -> list:
        return list(model_admin.get_search_results(
            request, models.Student.objects.all(), term)[0])

    assert searched("LEVESQUE") == [first]  # = : the whole name
    assert searched("levesq") == []
    assert searched("elo") == [first]  # ^ : the start of the name
    assert searched("loise") == []


def test_filters_by_school_and_grade(staff_client, family, other_family):
    elementary, secondary = family.children
    changelist = url(models.Student, "changelist")

    by_school = staff_client.get(changelist, {"school__id__exact": secondary.school_id})
    assert listed(by_school) == [secondary]
    by_grade = staff_client.get(changelist, {"grade__exact": elementary.grade})
    assert set(listed(by_grade)) == {elementary, other_family.children[0]}


def test_enrolments_filter_by_the_school_year_they_overlap(staff_client, family):
    child = family.children[0]
    current = factories.EnrolmentFactory(student=child)  # entered 2026-09-02, still there
    earlier = factories.EnrolmentFactory(student=child, entry_date=datetime.date(2024, 9, 3),
                                         withdrawal_date=datetime.date(2025, 6, 27))
    throughout = factories.EnrolmentFactory(student=child, entry_date=datetime.date(2023, 9, 5))
    last_year = factories.SchoolYearFactory(name="2025-2026",
                                            start_date=datetime.date(2025, 9, 2),
                                            end_date=datetime.date(2026, 6, 26))
    this_year = factories.SchoolYearFactory()
    changelist = url(models.Enrolment, "changelist")

    assert listed(staff_client.get(changelist, {"school_year": last_year.pk})) == [throughout]
    assert set(listed(staff_client.get(changelist, {"school_year": this_year.pk}))) == {
        current, throughout}
    assert earlier in listed(staff_client.get(changelist))


def test_an_enrolment_filter_by_a_year_that_is_no_number_lists_nothing(staff_client, family):
    """A link typed or cut short (?school_year=2025-2026): an empty list, not a 500."""
    factories.EnrolmentFactory(student=family.children[0])
    factories.SchoolYearFactory()  # the filter shows only with a year to choose
    changelist = url(models.Enrolment, "changelist")
    for value in ("2025-2026", "abc", "99999999999999999999999", "2²"):
        response = staff_client.get(changelist, {"school_year": value})
        assert response.status_code == 200
        assert listed(response) == []


def test_sections_filter_by_term_code(staff_client, db):
    first = factories.SectionFactory()
    second = factories.SectionFactory(term__school=first.school, term__code="S2",
                                      term__name="Semestre 2")
    changelist = url(models.Section, "changelist")

    assert listed(staff_client.get(changelist, {"term_code": "S2"})) == [second]
    assert listed(staff_client.get(changelist, {"q": "mth1"})) == [first, second]


def test_the_student_list_shows_the_niso_formatted_and_the_school(staff_client, family):
    child = family.children[0]
    html = html_of(staff_client.get(url(models.Student, "changelist")))
    assert format_niso(child.niso) in html
    assert child.school.name in html


def test_autocomplete_finds_a_student_by_niso(staff_client, family, other_family):
    child = family.children[0]
    response = staff_client.get(reverse("admin:autocomplete"), {
        "app_label": "students", "model_name": "enrolment", "field_name": "student",
        "term": format_niso(child.niso),
    })
    assert [result["id"] for result in response.json()["results"]] == [str(child.pk)]


def test_guardian_search_by_phone_however_typed(staff_client, family, other_family):
    alice, bob = family.guardian, other_family.guardian
    bob.primary_phone = "3435550199"
    bob.save()
    changelist = url(models.Guardian, "changelist")

    for typed in ["613 555-0123", "(613) 555.0123", "+1 613-555-0123", "555-0123"]:
        assert listed(staff_client.get(changelist, {"q": typed})) == [alice], typed
    assert listed(staff_client.get(changelist, {"q": "bob"})) == [bob]
    assert listed(staff_client.get(changelist, {"q": alice.email})) == [alice]


def test_guardians_are_filtered_by_account_and_by_portal_access_at_the_readers_school(
        client, family):
    here, elsewhere = family.links
    elsewhere.portal_access = False  # at the other school: nothing to this one
    elsewhere.portal_access_off_reason = "Ordonnance du tribunal"
    elsewhere.save()
    no_account = factories.GuardianFactory(first_name="Zoé", last_name="Sanscompte")
    factories.StudentGuardianFactory(student=here.student, guardian=no_account,
                                     portal_access=False,
                                     portal_access_off_reason="Ordonnance du tribunal")
    staff_login(client, make_staff("secretariat.ici", schools=[here.student.school]))
    changelist = url(models.Guardian, "changelist")

    html = html_of(client.get(changelist))
    assert french("portal account") in html and french("portal access") in html
    assert listed(client.get(changelist, {"compte": "no"})) == [no_account]
    assert listed(client.get(changelist, {"compte": "yes"})) == [family.guardian]
    assert listed(client.get(changelist, {"acces": "no"})) == [no_account]
    assert listed(client.get(changelist, {"acces": "yes"})) == [family.guardian]


# --- The student's page ---------------------------------------------------------------------

def test_student_page_shows_this_students_guardians_enrolments_and_attendance(
        staff_client, school_data, other_family):
    child = school_data.children[0]
    other = other_family.children[0]
    factories.EnrolmentFactory(student=other, entry_reason="Retour de Kingston")
    factories.AttendanceRecordFactory(student=other, reason="Tournoi de hockey")

    response = staff_client.get(url(models.Student, "change", child.pk))
    html = html_of(response)

    assert str(school_data.guardian) in html
    assert "Arrivée de Gatineau" in html
    assert "Rendez-vous médical" in html
    assert "MTH1W" in html
    assert "Gagnon" not in html
    assert "Retour de Kingston" not in html
    assert "Tournoi de hockey" not in html
    formsets = {inline.formset.prefix: inline.formset for inline in
                response.context["inline_admin_formsets"]}
    attendance = [form.instance for form in formsets["attendance"].initial_forms]
    assert [record.date for record in attendance] == [datetime.date(2026, 10, 6),
                                                      datetime.date(2026, 10, 5)]
    assert all(record.student == child for record in attendance)
    assert format_niso(child.niso) in html  # the OEN field shows it as people write it
    # A school is not edited, let alone deleted, from a student's page.
    assert 'id="view_id_school"' in html
    assert 'id="change_id_school"' not in html
    assert 'id="delete_id_school"' not in html


def test_attendance_on_the_student_page_is_the_latest_with_a_link_to_all(staff_client, family,
                                                                          other_family):
    child = family.children[0]
    start = datetime.date(2026, 9, 3)
    for day in range(40):
        factories.AttendanceRecordFactory(student=child, date=start + datetime.timedelta(day))
    factories.AttendanceRecordFactory(student=other_family.children[0])

    response = staff_client.get(url(models.Student, "change", child.pk))
    attendance = next(inline.formset for inline in response.context["inline_admin_formsets"]
                      if inline.formset.prefix == "attendance")
    dates = [form.instance.date for form in attendance.initial_forms]
    assert len(dates) == 30
    assert dates[0] == start + datetime.timedelta(39)
    assert dates == sorted(dates, reverse=True)

    link = re.search(r'href="([^"]*attendancerecord/\?student__id__exact=\d+)"',
                     response.content.decode())
    assert link
    everything = staff_client.get(link.group(1).replace("&amp;", "&"))
    records = listed(everything)
    assert len(records) == 40
    assert {record.student for record in records} == {child}


def test_attendance_list_says_full_day_when_there_is_no_period(staff_client, school_data,
                                                                other_family):
    other_school = other_family.children[0].school
    factories.AttendanceRecordFactory(student=other_family.children[0])
    changelist = url(models.AttendanceRecord, "changelist")

    html = html_of(staff_client.get(changelist))
    assert french("Full day") in html
    by_school = staff_client.get(changelist, {"student__school__id__exact": other_school.pk})
    assert [record.student for record in listed(by_school)] == other_family.children


def test_a_niso_typed_with_hyphens_is_saved_as_digits(staff_client, family):
    child = family.children[0]
    change = url(models.Student, "change", child.pk)
    data = form_data(staff_client.get(change), "student_form")
    data["niso"] = "999-123-456"

    response = staff_client.post(change, data)

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.niso == "999123456"


def test_resubmitting_an_unchanged_student_records_no_change(staff_client, school_data):
    child = school_data.children[0]
    change = url(models.Student, "change", child.pk)

    response = staff_client.post(change, form_data(staff_client.get(change), "student_form"))

    assert response.status_code == 302
    entry = admin.models.LogEntry.objects.get(object_id=str(child.pk))
    assert entry.get_change_message() == french("No fields changed.")


# --- Mistakes are refused, with the message, and nothing is saved ---------------------------

def errors_page(response) -> str:
    html = html_of(response)
    correct = french_plural("Please correct the error below.",
                            "Please correct the errors below.", 1)
    assert correct in html  # Django's own catalogue: the page is in French
    return html


@pytest.mark.parametrize(("field", "typed", "validator"), [
    ("niso", "12345", validate_niso),
    ("postal_code", "ABC 123", validate_postal_code),
])
def test_a_malformed_student_field_is_refused(staff_client, school_data, field, typed,
                                              validator):
    child = school_data.children[0]
    before = {"niso": child.niso, "postal_code": child.postal_code,
              "legal_first_name": child.legal_first_name}
    change = url(models.Student, "change", child.pk)
    data = form_data(staff_client.get(change), "student_form")
    data[field] = typed
    data["legal_first_name"] = "Changé"

    response = staff_client.post(change, data)

    html = errors_page(response)
    form = response.context["adminform"].form
    assert list(form.errors) == [field]
    assert message_of(validator, typed) in html
    child.refresh_from_db()
    assert {key: getattr(child, key) for key in before} == before


def test_a_bad_guardian_phone_is_refused(staff_client, family):
    guardian = family.guardian
    change = url(models.Guardian, "change", guardian.pk)
    data = form_data(staff_client.get(change), "guardian_form")
    data["cell_phone"] = "555-12"
    data["first_name"] = "Changé"

    response = staff_client.post(change, data)

    html = errors_page(response)
    assert list(response.context["adminform"].form.errors) == ["cell_phone"]
    assert message_of(validate_phone, "555-12") in html
    guardian.refresh_from_db()
    assert (guardian.first_name, guardian.cell_phone) == ("Alice", "")


def test_a_guardian_phone_typed_with_separators_is_saved_as_digits(staff_client, family):
    guardian = family.guardian
    change = url(models.Guardian, "change", guardian.pk)
    data = form_data(staff_client.get(change), "guardian_form")
    data["cell_phone"] = "+1 (343) 555-0188"

    assert staff_client.post(change, data).status_code == 302
    guardian.refresh_from_db()
    assert guardian.cell_phone == "3435550188"


def test_an_inverted_enrolment_is_refused_and_nothing_is_saved(staff_client, school_data):
    child = school_data.children[0]
    enrolment = child.enrolments.get()
    change = url(models.Student, "change", child.pk)
    data = form_data(staff_client.get(change), "student_form")
    data["legal_first_name"] = "Changé"
    data["enrolments-0-withdrawal_date"] = "2026-09-01"  # the day before the entry

    response = staff_client.post(change, data)

    html = errors_page(response)
    enrolments = next(inline.formset for inline in response.context["inline_admin_formsets"]
                      if inline.formset.prefix == "enrolments")
    message = constraint_message(models.Enrolment, "enrolment_dates_in_order")
    assert enrolments.errors[0]["__all__"] == [message]
    assert message in html
    child.refresh_from_db()
    enrolment.refresh_from_db()
    assert child.legal_first_name != "Changé"
    assert enrolment.withdrawal_date is None


def test_a_new_student_with_a_bad_inline_is_not_created(staff_client, family):
    school = family.children[0].school
    add = url(models.Student, "add")
    data = new_student_data(staff_client, school, family.guardian)
    data.update({
        "enrolments-TOTAL_FORMS": "1", "enrolments-0-school": str(school.pk),
        "enrolments-0-grade": "5", "enrolments-0-entry_date": "2026-09-02",
        "enrolments-0-withdrawal_date": "2026-06-30",
    })

    response = staff_client.post(add, data)

    errors_page(response)
    assert not models.Student.objects.filter(niso="999777001").exists()
    assert not models.StudentGuardian.objects.filter(student__niso="999777001").exists()

    data["enrolments-0-withdrawal_date"] = ""
    assert staff_client.post(add, data).status_code == 302
    created = models.Student.objects.get(niso="999777001")
    assert created.guardians.get() == family.guardian
    assert created.enrolments.get().entry_date == datetime.date(2026, 9, 2)


def test_portal_access_off_needs_a_reason(staff_client, family):
    child = family.children[0]
    change = url(models.Student, "change", child.pk)
    data = form_data(staff_client.get(change), "student_form")
    data.pop("guardian_links-0-portal_access")

    response = staff_client.post(change, data)

    html = errors_page(response)
    message = constraint_message(models.StudentGuardian, "studentguardian_access_off_has_reason")
    assert message in html
    assert models.StudentGuardian.objects.get(student=child).portal_access


def test_leave_to_report_absences_needs_custody_or_access_rights(staff_client, family):
    link = family.links[0]
    change = url(models.StudentGuardian, "change", link.pk)
    data = form_data(staff_client.get(change), "studentguardian_form")
    data.pop("has_custody", None)
    data.pop("has_access_rights", None)
    data["may_report_absences"] = "on"

    html = errors_page(staff_client.post(change, data))

    assert french("Tick custody or access rights first: without either, the guardian does not "
                  "see the student and cannot report absences.") in html
    link.refresh_from_db()
    assert link.has_custody and not link.may_report_absences

    data["has_access_rights"] = "on"
    assert staff_client.post(change, data).status_code == 302
    link.refresh_from_db()
    assert link.has_access_rights and link.may_report_absences


# --- Fast pages, strict CSP ---------------------------------------------------------------

def count_queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_student_list_queries_do_not_grow_with_the_students(staff_client,
                                                            django_assert_max_num_queries):
    changelist = url(models.Student, "changelist")
    factories.StudentFactory.create_batch(3)  # each in a school of its own
    count_queries(staff_client, changelist)  # warm up the session and caches
    few = count_queries(staff_client, changelist)

    factories.StudentFactory.create_batch(27)
    with django_assert_max_num_queries(few):
        response = staff_client.get(changelist)
    assert len(listed(response)) == 30


def test_student_page_queries_do_not_grow_with_attendance(staff_client, family,
                                                          django_assert_max_num_queries):
    child = family.children[0]
    change = url(models.Student, "change", child.pk)
    start = datetime.date(2026, 9, 3)
    for day in range(3):
        factories.AttendanceRecordFactory(student=child, date=start + datetime.timedelta(day))
    count_queries(staff_client, change)
    few = count_queries(staff_client, change)

    for day in range(3, 60):
        factories.AttendanceRecordFactory(student=child, date=start + datetime.timedelta(day))
    with django_assert_max_num_queries(few):
        staff_client.get(change)


@pytest.mark.parametrize("model", [models.Student, models.Section])
def test_change_pages_need_no_inline_script_or_style(staff_client, school_data, model):
    response = staff_client.get(url(model, "change", model.objects.first().pk))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html)


@pytest.mark.django_db
def test_a_student_is_picked_with_their_grade_and_oen(client):
    # Two students of one name at the school: the report card's picker tells them apart.
    school = factories.SchoolFactory()
    staff_login(client, make_staff("ecole", schools=[school]))
    older = factories.StudentFactory(school=school, legal_first_name="Léa",
                                     legal_last_name="Gagné", grade=9, niso="123456789")
    younger = factories.StudentFactory(school=school, legal_first_name="Léa",
                                       legal_last_name="Gagné", grade=8, niso="987654321")

    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "documents", "model_name": "reportcard", "field_name": "student",
        "term": "Gagné"})

    expected = {str(older.pk): "Gagné, Léa (9e année, 123-456-789)",
                str(younger.pk): "Gagné, Léa (8e année, 987-654-321)"}
    assert {row["id"]: row["text"] for row in response.json()["results"]} == expected


@pytest.mark.django_db
def test_a_new_row_starts_at_the_school_of_staff_who_work_for_one(client):
    school, other = factories.SchoolFactory(), factories.SchoolFactory()
    chosen = re.compile(rf'<option value="{school.pk}" selected>')
    staff_login(client, make_staff("une.ecole", schools=[school]))
    for add in ("admin:documents_reportingperiod_add", "admin:documents_boardform_add",
                "admin:absences_dayoff_add"):
        assert chosen.search(html_of(client.get(reverse(add)))), add

    staff_login(client, make_staff("deux.ecoles", schools=[school, other]))
    assert not chosen.search(html_of(client.get(reverse("admin:documents_reportingperiod_add"))))
