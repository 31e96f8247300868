"""Each member of staff sees only their schools in the admin.

The matrix: for every model registered in the admin, a secretary of school A (group
*Personnel scolaire*, staff profile listing A) meets school B's row on the list, the
search, the change, delete and history pages, the autocomplete and every action offered:
nothing shows it, every direct URL is a 404 that names nothing, nothing changes it. The
same secretary does see school A's row, so that "nothing" is not an empty admin.
"""

import datetime
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from absences.models import AbsenceReport, DayOff, Reason, SafeArrivalCheck, SchoolDay
from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from diplomas.models import Category, DiplomaRecord, Programme, SubjectGroup
from documents.models import BoardForm, LearningSkill, ReportCard, ReportingPeriod
from notifications.models import Announcement
from notifications.models import Group as SchoolGroup
from outbox.models import OutboundEmail
from students import models
from tests import factories
from tests.pages import french, html_of
from tests.staff import SCHOOL_STAFF, make_staff, staff_group, staff_login
from tests.students.famille_factories import (
    ParentFormFactory,
    ParentFormResponseFactory,
    TimetablePublicationFactory,
)
from tests.students.test_admin import form_data

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
# Rows no school owns: every school reads them, only the board changes them.
BOARD_WIDE = {models.SchoolYear, models.AttendanceCode, models.Course, LearningSkill,
              Programme, Category, SubjectGroup, Reason}
# Rows only board-level staff see, whichever school they concern.
BOARD_ONLY = {Authenticator, Group, OutboundEmail, AuditEvent}
HIDDEN_NAME = "Zyxwar"  # every name of school B's rows


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def school_rows(school: models.School, name: str) -> dict:
    """One row of every school-owned model, for this school, named after `name`."""
    student = factories.StudentFactory(school=school, legal_last_name=name,
                                       legal_first_name=f"{name}ine")
    parent = factories.UserFactory(username=f"{name.lower()}.parent", first_name="Parent",
                                   last_name=name)
    guardian = factories.GuardianFactory(last_name=name, first_name="Gardien", user=parent,
                                         email=parent.email)
    term = factories.TermFactory(school=school, name=f"Semestre {name}")
    section = factories.SectionFactory(term=term, school=school, teacher_name=f"M. {name}")
    parent_form = ParentFormFactory(school=school, title_fr=f"Sortie {name}",
                                    title_en=f"Trip {name}")
    school_group = SchoolGroup.objects.create(name=f"Groupe {name}", kind="school",
                                              school=school)
    return {
        SchoolGroup: school_group,
        Announcement: Announcement.objects.create(group=school_group, title=f"Annonce {name}"),
        models.School: school,
        models.Student: student,
        models.Guardian: guardian,
        models.StudentGuardian: factories.StudentGuardianFactory(student=student,
                                                                 guardian=guardian),
        models.Term: term,
        models.Section: section,
        models.SectionEnrolment: models.SectionEnrolment.objects.create(student=student,
                                                                        section=section),
        models.Enrolment: factories.EnrolmentFactory(student=student,
                                                     entry_reason=f"Arrivée {name}"),
        models.AttendanceRecord: factories.AttendanceRecordFactory(student=student,
                                                                   reason=f"Absence {name}"),
        models.CourseResult: factories.CourseResultFactory(student=student),
        DiplomaRecord: DiplomaRecord.objects.create(student=student, community_hours=12),
        models.TimetablePublication: TimetablePublicationFactory(school=school),
        models.ParentForm: parent_form,
        models.ParentFormResponse: ParentFormResponseFactory(
            form=parent_form, student=student, answered_by=parent,
            signature=f"Parent {name}"),
        User: parent,
        EmailAddress: EmailAddress.objects.get(user=parent),
        Authenticator: TOTP.activate(parent, generate_totp_secret()).instance,
        Group: Group.objects.create(name=f"Bénévoles {name}"),
        OutboundEmail: OutboundEmail.objects.create(
            idempotency_key=f"test:{name}", recipient=parent.email,
            template="account/login_id", language="fr"),
        AuditEvent: audit_record(actor=None, action="admin.change", instance=student),
        **documents_rows(school, student, name),
        **absences_rows(school, student, parent, name),
    }


def absences_rows(school: models.School, student: models.Student, parent: User,
                  name: str) -> dict:
    today = timezone.localdate()  # the reports' and checks' lists open on today's rows
    return {
        AbsenceReport: AbsenceReport.objects.create(
            student=student, reported_by=parent, kind="days", start_date=today,
            end_date=today, reason=factories.absence_reasons()["illness"], note=f"Fièvre {name}"),
        SafeArrivalCheck: SafeArrivalCheck.objects.create(student=student, date=today),
        SchoolDay: SchoolDay.objects.create(school=school),
        DayOff: DayOff.objects.create(date=today, school=school, kind=DayOff.Kind.PA_DAY,
                                      label=f"Journée {name}"),
    }


def documents_rows(school: models.School, student: models.Student, name: str) -> dict:
    period = ReportingPeriod.objects.create(
        school=school, school_year=factories.SchoolYearFactory(), name=f"Bulletin {name}",
        kind=ReportingPeriod.Kind.ELEMENTARY_PROVINCIAL, start_date=datetime.date(2026, 9, 2),
        end_date=datetime.date(2027, 1, 29), publication_date=datetime.date(2027, 2, 15))
    return {
        ReportingPeriod: period,
        ReportCard: ReportCard.objects.create(period=period, student=student, grade=6,
                                              teacher_name=f"M. {name}",
                                              principal_name=f"Mme {name}"),
        # The file itself is never opened by these pages.
        BoardForm: BoardForm.objects.create(title_fr=f"Formulaire {name}",
                                            title_en=f"Form {name}", school=school,
                                            file=f"forms/{name}.pdf"),
    }


@dataclass
class Schools:
    a: dict
    b: dict


@pytest.fixture
def schools(db) -> Schools:
    school_a = factories.SchoolFactory(name="École élémentaire publique Alphand")
    school_b = factories.SchoolFactory(name=f"École secondaire publique {HIDDEN_NAME}")
    return Schools(a=school_rows(school_a, "Alphand"), b=school_rows(school_b, HIDDEN_NAME))


@pytest.fixture
def secretary(schools) -> User:
    return make_staff("secretariat.a", first_name="Sophie", schools=[schools.a[models.School]])


@pytest.fixture
def secretary_client(client, secretary):
    return staff_login(client, secretary)


def assert_hidden(response, obj) -> None:
    html = response.content.decode()
    assert HIDDEN_NAME not in html
    assert escape(str(obj)) not in html


def listed_pks(response) -> set:
    return {row.pk for row in response.context["cl"].result_list}


def autocomplete_sources(target) -> list[tuple[str, str, str]]:
    """Every (app_label, model_name, field_name) whose autocomplete searches `target`."""
    return [
        (model._meta.app_label, model._meta.model_name, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is target
    ]


def test_the_matrix_covers_every_registered_model(schools):
    assert set(REGISTERED) == set(schools.b) | BOARD_WIDE
    assert set(schools.b) >= BOARD_ONLY


@pytest.mark.parametrize("model", sorted(set(REGISTERED) - BOARD_WIDE,
                                         key=lambda model: model._meta.label),
                         ids=lambda model: model._meta.label)
def test_another_schools_row_is_invisible_and_untouchable(secretary_client, schools, model):
    client = secretary_client
    mine, theirs = schools.a[model], schools.b[model]

    # The list and its search.
    response = client.get(url(model, "changelist"))
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert theirs.pk not in listed_pks(response)
        assert_hidden(response, theirs)
        if model not in BOARD_ONLY:
            assert mine.pk in listed_pks(response)
        searched = client.get(url(model, "changelist"), {"q": HIDDEN_NAME})
        assert theirs.pk not in listed_pks(searched)
    else:
        assert model in BOARD_ONLY or model is EmailAddress

    # Direct URLs: a 404 that names nothing, for reading and for writing.
    for view in ["change", "delete", "history"]:
        address = url(model, view, theirs.pk)
        for response in (client.get(address), client.post(address, {"post": "yes"})):
            assert response.status_code == 404, (view, response.status_code)
            assert_hidden(response, theirs)
    assert model._default_manager.filter(pk=theirs.pk).exists()

    # Autocomplete, from every field that searches this model.
    for app_label, model_name, field_name in autocomplete_sources(model):
        response = client.get(reverse("admin:autocomplete"), {
            "app_label": app_label, "model_name": model_name, "field_name": field_name,
            "term": ""})
        assert response.status_code in (200, 403, 404), (app_label, model_name, field_name)
        if response.status_code == 200:
            assert str(theirs.pk) not in {row["id"] for row in response.json()["results"]}

    # Every action offered on the list (delete, exports…), even with the row's id forged.
    page = client.get(url(model, "changelist"))
    action_form = page.context["action_form"] if page.status_code == 200 else None
    offered = [name for name, _label in action_form.fields["action"].choices] \
        if action_form else []
    actions = {name for name in offered if name} | {"delete_selected"}
    for action in sorted(actions):
        response = client.post(url(model, "changelist"), {
            "action": action, "_selected_action": [theirs.pk], "post": "yes", "index": 0})
        assert response.status_code in (200, 302, 403), action
        assert_hidden(response, theirs)
        assert model._default_manager.filter(pk=theirs.pk).exists(), action


def test_mine_open_and_theirs_do_not(secretary_client, schools):
    """The same pages open for school A's rows: the 404s above are about the school."""
    for model in [models.Student, models.Guardian, models.Enrolment, models.Section,
                  models.AttendanceRecord, models.ParentForm, User]:
        assert secretary_client.get(url(model, "change", schools.a[model].pk)).status_code \
            == 200, model


@pytest.mark.parametrize("model", sorted(BOARD_WIDE, key=lambda model: model._meta.label),
                         ids=lambda model: model._meta.label)
def test_board_reference_data_is_read_not_changed_by_a_school(secretary_client, programmes,
                                                              model):
    row = {models.SchoolYear: factories.SchoolYearFactory,
           models.AttendanceCode: factories.AttendanceCodeFactory,
           models.Course: factories.CourseFactory,
           LearningSkill: lambda: LearningSkill.objects.create(
               code="essai", name_fr="Compétence d'essai", name_en="Test skill"),
           # The programmes of the data migration.
           Programme: lambda: Programme.objects.get(code="deso-2024"),
           Category: lambda: Category.objects.filter(programme__code="ceso").first(),
           SubjectGroup: lambda: SubjectGroup.objects.get(code="stim"),
           Reason: lambda: factories.absence_reasons()["illness"]}[model]()
    change = url(model, "change", row.pk)

    assert row.pk in listed_pks(secretary_client.get(url(model, "changelist")))
    page = secretary_client.get(change)
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields  # shown, not editable
    assert secretary_client.post(change, {}).status_code == 403
    assert secretary_client.get(url(model, "add")).status_code == 403
    assert secretary_client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code \
        == 403
    assert model._default_manager.filter(pk=row.pk).exists()


def test_the_autocomplete_finds_only_my_schools_rows(secretary_client, schools):
    for source, field, model in [
        ("enrolment", "student", models.Student),
        ("studentguardian", "guardian", models.Guardian),
        ("guardian", "user", User),
        ("sectionenrolment", "section", models.Section),
        ("section", "term", models.Term),
        ("student", "school", models.School),
    ]:
        response = secretary_client.get(reverse("admin:autocomplete"), {
            "app_label": "students", "model_name": source, "field_name": field, "term": ""})
        found = {row["id"] for row in response.json()["results"]}
        assert str(schools.a[model].pk) in found, source
        assert str(schools.b[model].pk) not in found, source


def test_staff_without_a_profile_see_nothing(client, schools):
    user = factories.UserFactory(username="sans.profil", is_staff=True)
    user.groups.add(staff_group(SCHOOL_STAFF))
    staff_login(client, user)

    for model in [models.Student, models.Guardian, models.School, User]:
        assert client.get(url(model, "changelist")).status_code == 403
        assert client.get(url(model, "change", schools.a[model].pk)).status_code == 404


@pytest.mark.parametrize("who", ["board_level", "superuser"])
def test_board_level_staff_and_superusers_see_every_school(client, schools, who):
    if who == "superuser":
        user = factories.UserFactory(username="racine", is_staff=True, is_superuser=True)
    else:
        user = make_staff("conseil", board_level=True, group="Administration du conseil")
    staff_login(client, user)

    for model in [models.Student, models.Guardian, models.Enrolment, AuditEvent, User]:
        listed = listed_pks(client.get(url(model, "changelist")))
        assert {schools.a[model].pk, schools.b[model].pk} <= listed, model
        assert client.get(url(model, "change", schools.b[model].pk)).status_code == 200


# --- Choices: nothing of another school can be attached to one's own rows ----------------

def test_another_schools_student_cannot_be_chosen(secretary_client, schools):
    add = url(models.Enrolment, "add")
    data = form_data(secretary_client.get(add), "enrolment_form")
    data.update({"student": str(schools.b[models.Student].pk),
                 "school": str(schools.a[models.School].pk), "grade": "6",
                 "entry_date": "2026-09-02"})

    response = secretary_client.post(add, data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["student"]
    assert not models.Enrolment.objects.filter(entry_date=datetime.date(2026, 9, 2),
                                               student=schools.b[models.Student],
                                               school=schools.a[models.School]).exists()


def test_another_schools_guardian_cannot_be_linked(secretary_client, schools):
    student = schools.a[models.Student]
    change = url(models.Student, "change", student.pk)
    data = form_data(secretary_client.get(change), "student_form")
    data.update({"guardian_links-TOTAL_FORMS": "2",
                 "guardian_links-1-guardian": str(schools.b[models.Guardian].pk),
                 "guardian_links-1-relationship": "father",
                 "guardian_links-1-has_custody": "on", "guardian_links-1-portal_access": "on",
                 "guardian_links-1-contact_order": "2"})

    response = secretary_client.post(change, data)

    assert response.status_code == 200
    assert not student.guardian_links.filter(guardian=schools.b[models.Guardian]).exists()


def test_a_guardians_page_shows_only_my_schools_children(secretary_client, schools):
    guardian = schools.a[models.Guardian]
    other_child = schools.b[models.Student]
    factories.StudentGuardianFactory(student=other_child, guardian=guardian)
    change = url(models.Guardian, "change", guardian.pk)

    response = secretary_client.get(change)

    assert HIDDEN_NAME not in response.content.decode()
    links = next(inline.formset for inline in response.context["inline_admin_formsets"]
                 if inline.formset.model is models.StudentGuardian)
    assert [form.instance.student for form in links.initial_forms] == [
        schools.a[models.Student]]
    # Saving the page keeps the link the secretary does not see, and a guardian shared
    # with another school is not one school's to delete.
    assert secretary_client.post(change, form_data(response, "guardian_form")).status_code \
        == 302
    assert guardian.student_links.filter(student=other_child).exists()
    assert secretary_client.post(url(models.Guardian, "delete", guardian.pk),
                                 {"post": "yes"}).status_code == 403


def test_a_shared_records_history_is_the_boards_only(secretary_client, schools):
    """A guardian's history names each change to their links, another school's child's
    too: a record several schools share opens its history to board-wide staff only."""
    guardian = schools.a[models.Guardian]
    link = factories.StudentGuardianFactory(student=schools.b[models.Student],
                                            guardian=guardian, contact_order=2)
    board = make_staff("conseil", board_level=True, group="Administration du conseil")
    board_client = staff_login(Client(), board)
    change = url(models.Guardian, "change", guardian.pk)
    data = form_data(board_client.get(change), "guardian_form")
    index = next(key.split("-")[1] for key, value in data.items()
                 if key.endswith("-id") and value == [str(link.pk)])
    data[f"student_links-{index}-contact_order"] = "3"
    assert board_client.post(change, data).status_code == 302
    assert HIDDEN_NAME in board_client.get(url(models.Guardian, "history", guardian.pk)) \
        .content.decode()

    for shared in [guardian, guardian.user]:
        response = secretary_client.get(url(type(shared), "history", shared.pk), follow=True)

        assert HIDDEN_NAME not in response.content.decode()
        assert response.redirect_chain == [(url(type(shared), "change", shared.pk), 302)]
        assert french("The history of a record shared between schools is shown only to "
                      "staff who see every school.") in html_of(response)
    # A school's own record keeps its history.
    student = schools.a[models.Student]
    assert secretary_client.get(url(models.Student, "history", student.pk)).status_code == 200


def test_history_at_another_school_stays_and_the_page_still_saves(secretary_client, schools):
    """A student's earlier enrolment and a course taken at another school keep their values."""
    student = schools.a[models.Student]
    earlier = factories.EnrolmentFactory(student=student, school=schools.b[models.School],
                                         entry_date=datetime.date(2024, 9, 3),
                                         withdrawal_date=datetime.date(2026, 6, 26))
    models.SectionEnrolment.objects.create(student=student,
                                           section=schools.b[models.Section])
    change = url(models.Student, "change", student.pk)
    data = form_data(secretary_client.get(change), "student_form")
    data["homeroom"] = "204"

    response = secretary_client.post(change, data)

    assert response.status_code == 302
    student.refresh_from_db()
    earlier.refresh_from_db()
    assert student.homeroom == "204"
    assert earlier.school == schools.b[models.School]
    assert student.section_enrolments.count() == 2


def test_the_former_school_sees_its_enrolment_record_not_the_student(client, schools):
    """Enrolments: the school's own records, and the whole history of its students."""
    student = schools.a[models.Student]
    earlier = factories.EnrolmentFactory(student=student, school=schools.b[models.School],
                                         entry_date=datetime.date(2024, 9, 3),
                                         withdrawal_date=datetime.date(2026, 6, 26))
    former = make_staff("secretariat.b", schools=[schools.b[models.School]])
    staff_login(client, former)

    assert earlier.pk in listed_pks(client.get(url(models.Enrolment, "changelist")))
    assert client.get(url(models.Student, "change", student.pk)).status_code == 404


def test_a_year_too_large_for_a_date_in_a_lists_date_links_is_no_500(client, db):
    """Django's date hierarchy turns ?date__year=… into a date: a number too large for
    one raised OverflowError (500); it is now an invalid filter, as a malformed one is."""
    staff_login(client, factories.UserFactory(username="conseil", is_staff=True,
                                              is_superuser=True))
    lists = [(AuditEvent, "at"), (models.AttendanceRecord, "date"),
             (OutboundEmail, "created_at"), (DayOff, "date"), (Announcement, "publish_at")]
    for model, field in lists:
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}"
                             "_changelist")
        response = client.get(changelist, {f"{field}__year": "9" * 22})
        assert response.status_code == 302
        assert response["Location"] == f"{changelist}?e=1"
