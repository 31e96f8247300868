"""`manage.py seed_demo`: a valid demo board, the same for the same seed, safe to re-run."""

import datetime
import hashlib
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from absences.models import AbsenceReport, DayOff
from accounts.models import User
from demo.seed import COURT_ORDER, DEMO_LOGINS, NO_RIGHTS, PARENT, PASSWORD
from diplomas.selectors import student_record
from documents.models import ReportCard
from documents.selectors import report_card_entries
from notifications.models import Announcement
from notifications.selectors import groups_of_parent
from students import models
from students.selectors import (
    current_school_year,
    parent_forms_for,
    school_timetable,
    students_visible_to,
)

pytestmark = pytest.mark.django_db

STUDENTS = 20
TODAY = datetime.date(2026, 11, 29)
DEMO_CHILDREN = {"999000001", "999000002", "999000003"}  # Léa, Thomas, Chloé Gagnon

# Every table the command fills, for the counts before and after a second run.
MODELS = (
    User, EmailAddress, models.School, models.SchoolYear, models.Term, models.Student,
    models.Guardian, models.StudentGuardian, models.Enrolment, models.AttendanceCode,
    models.AttendanceRecord, models.Course, models.Section, models.Meeting,
    models.SectionEnrolment, models.CourseResult, models.TimetablePublication,
    models.ParentForm,
)


@pytest.fixture(autouse=True)
def _debug_on(settings):
    # pytest-django turns DEBUG off, and the command refuses to run then without --force.
    settings.DEBUG = True


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--students", str(STUDENTS), *args, stdout=out)
    return out.getvalue()


def digest() -> str:
    """A fingerprint of what the demo stores: people, histories, attendance, timetables."""
    tables = (
        models.Student.objects.order_by("niso").values_list(
            "niso", "public_id", "legal_first_name", "preferred_first_name", "legal_last_name",
            "date_of_birth", "gender", "grade", "school__code", "homeroom", "street",
            "postal_code"),
        models.Guardian.objects.order_by("email").values_list(
            "email", "first_name", "last_name", "primary_phone", "cell_phone",
            "postal_code", "user__username"),
        models.StudentGuardian.objects.order_by("student__niso", "guardian__email").values_list(
            "student__niso", "guardian__email", "relationship", "has_custody",
            "has_access_rights", "lives_with", "contact_order", "portal_access"),
        models.Enrolment.objects.order_by("student__niso", "entry_date").values_list(
            "student__niso", "school__code", "grade", "entry_date", "entry_reason",
            "withdrawal_date", "withdrawal_reason"),
        models.AttendanceRecord.objects.order_by("student__niso", "date", "period").values_list(
            "student__niso", "date", "period", "code__code", "reason", "minutes_late"),
        models.CourseResult.objects.order_by(
            "student__niso", "school_year__name", "course__code").values_list(
            "student__niso", "school_year__name", "course__code", "mark", "credit_earned",
            "withdrawn", "completion_date"),
        models.SectionEnrolment.objects.order_by(
            "student__niso", "section__term__code", "section__course__code").values_list(
            "student__niso", "section__term__code", "section__course__code",
            "section__section_number", "section__teacher_name", "section__room"),
        models.Meeting.objects.order_by(
            "section__school__code", "section__term__code", "section__course__code",
            "section__section_number", "day", "period").values_list(
            "section__school__code", "section__course__code", "section__section_number", "day",
            "period", "start_time", "end_time"),
    )
    fingerprint = hashlib.sha256()
    for rows in tables:
        fingerprint.update(repr(list(rows)).encode())
    return fingerprint.hexdigest()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_same_seed_gives_the_same_board():
    seed()
    first = digest()
    seed("--reset")
    assert models.Student.objects.count() == STUDENTS + 4  # plus the two demo families
    assert digest() == first


def test_another_seed_gives_another_board():
    seed()
    first, nisos = digest(), set(models.Student.objects.values_list("niso", flat=True))
    seed("--reset", "--seed", "7")
    assert digest() != first
    assert set(models.Student.objects.values_list("niso", flat=True)) != nisos


def test_every_stored_row_passes_the_model_checks():
    seed()
    for model in MODELS:
        rows = list(model.objects.order_by("pk")[:10])
        assert rows, model
        for row in rows:
            row.full_clean()
    # Obviously fake: demo data is never taken for a real student's number.
    assert all(niso.startswith("999")
               for niso in models.Student.objects.values_list("niso", flat=True))
    assert all(code.startswith("K")
               for code in models.Student.objects.values_list("postal_code", flat=True))
    assert all(phone[:3] in {"613", "343"} and phone[3:8] == "55501"
               for phone in models.Guardian.objects.values_list("primary_phone", flat=True))


def test_the_board_has_what_the_portal_shows():
    seed()
    secondary = models.Student.objects.get(niso="999000001")
    assert secondary.first_name == "Léa"
    assert [(e.school.level, e.withdrawal_reason) for e in secondary.enrolments.order_by(
        "entry_date")] == [("elementary", "Fin des études élémentaires"), ("secondary", "")]
    results = secondary.results.all()
    assert {r.school_year.name for r in results} == {"2024-2025", "2025-2026"}
    assert [r.course.code for r in results if r.withdrawn] and all(
        r.credit_earned == 0 for r in results if r.withdrawn)
    assert secondary.attendance.count() == 6
    assert {s.term.code for s in secondary.sections.all()} == {"S1", "S2"}
    assert models.Meeting.objects.filter(section__students=secondary).count() == 40  # 8 × 5
    assert models.Course.objects.get(code="GLC2O").credit_value == 0.5
    assert models.Term.objects.filter(school__code="EEPER", code="AN").count() == 2


@pytest.mark.usefixtures("programmes")
def test_the_grade_11_student_counts_her_maths_by_grade():
    """Léa (DESO from 2024): MTH1W and the retaken MPM2D fill the Grade 9 and 10 slots,
    MCR3U in progress the Grade 11 or 12 one."""
    seed()
    with time_machine.travel(datetime.datetime(2026, 11, 29, 12, tzinfo=ZoneInfo(
            "America/Toronto"))):
        progress = student_record(models.Student.objects.get(niso="999000001")).progress
    maths = next(c for c in progress.categories if c.rule.key.name_fr == "Mathématiques")
    assert (maths.earned, maths.in_progress, maths.remaining_if_passed) == (2, 1, 0)
    assert sorted(x.code for x in maths.courses) == ["MPM2D", "MTH1W"]
    assert [x.code for x in maths.forecast_courses] == ["MCR3U"]


def test_the_schools_show_timetables_and_forms():
    seed()
    year = current_school_year(today=TODAY)
    assert year.name == "2026-2027"
    lea, thomas = (models.Student.objects.get(niso=niso) for niso in ("999000001", "999000002"))
    assert school_timetable(lea, today=TODAY).is_published(TODAY)
    assert [form.title_en for form in parent_forms_for(thomas, year)] == [
        "Permission to take photos and videos",
        "Field trip to the Canadian Museum of Nature (Grade 5)",
    ]
    assert [form.title_en for form in parent_forms_for(lea, year)] == [
        "School code of conduct"]


def test_leas_report_cards_list_the_courses_of_her_timetable():
    seed()
    lea = models.Student.objects.get(niso="999000001")
    cards = ReportCard.objects.filter(student=lea).select_related("period")
    assert cards
    for card in cards:
        taken = set(models.Section.objects.filter(
            students=lea, term__start_date__lte=card.period.end_date,
            term__end_date__gte=card.period.start_date).values_list("course__code", flat=True))
        assert taken and set(card.lines.values_list("course__code", flat=True)) == taken


def test_leas_report_cards_name_her_teachers_and_comment_each_course_on_its_own():
    seed()
    lea = models.Student.objects.get(niso="999000001")
    for card in ReportCard.objects.filter(student=lea).select_related("period"):
        teachers = dict(models.Section.objects.filter(
            students=lea, term__start_date__lte=card.period.end_date,
            term__end_date__gte=card.period.start_date)
            .values_list("course__code", "teacher_name"))
        lines = list(card.lines.select_related("course"))
        assert {line.course.code: line.teacher_name for line in lines} == teachers
        assert card.teacher_name in teachers.values()
        assert len({line.comment for line in lines}) > len(lines) // 2
        assert all(lea.first_name in line.comment for line in lines)


def test_the_demo_parent_sees_their_three_children_in_two_schools():
    seed()
    children = students_visible_to(User.objects.get(username=PARENT.username), today=TODAY)
    assert {child.niso for child in children} == DEMO_CHILDREN
    assert {child.school.level for child in children} == {"elementary", "secondary"}


@pytest.mark.parametrize("login", [NO_RIGHTS, COURT_ORDER])
def test_the_parents_without_access_see_no_child(login):
    seed()
    user = User.objects.get(username=login.username)
    assert user.guardian.student_links.exists()
    assert not students_visible_to(user, today=TODAY).exists()


def test_the_demo_parent_finds_report_cards_and_school_news(
        client, in_process_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # rendered after commit
        seed()
    parent = User.objects.get(username=PARENT.username)
    children = list(students_visible_to(parent))
    for child in children:
        assert report_card_entries(child), child.first_name
    schools = {child.school_id for child in children}
    groups = groups_of_parent(parent)
    assert {group.school_id for group in groups} >= schools | {None}  # and the board's
    client.force_login(parent)
    home = client.get(reverse("home")).content.decode()
    assert Announcement.objects.filter(group__in=groups).first().title in home


def test_the_court_order_is_the_reason_access_is_off():
    seed()
    link = models.StudentGuardian.objects.get(guardian__user__username=COURT_ORDER.username)
    assert (link.portal_access, link.portal_access_off_reason) == (
        False, "Ordonnance du tribunal")


def test_the_printed_logins_work(client):
    out = seed()
    for login in DEMO_LOGINS:
        assert login.username in out
        assert login.email in out
    assert PASSWORD in out
    response = client.post(reverse("account_login"),
                           {"login": PARENT.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="parent.demo").pk)


def test_a_second_run_changes_nothing_and_prints_the_logins_again():
    seed()
    before = counts()
    out = seed("--students", "10", "--seed", "3")
    assert counts() == before
    assert PARENT.username in out and PASSWORD in out


def test_reset_works_after_a_parent_signed_a_form_and_keeps_the_admin():
    seed()
    models.ParentFormResponse.objects.create(
        form=models.ParentForm.objects.get(grade=5),
        student=models.Student.objects.get(niso="999000002"),
        answered_by=User.objects.get(username=PARENT.username),
        accepted=True, signature="Julie Tremblay",
    )
    admin = User.objects.get(username="admin")
    seed("--reset")
    assert User.objects.get(username="admin").pk == admin.pk
    assert not models.ParentFormResponse.objects.exists()
    assert models.Student.objects.count() == STUDENTS + 4


def test_an_existing_admin_keeps_its_password():
    User.objects.create_superuser("admin", "moi@example.com", "Mon-propre-mot-de-passe-1")
    seed()
    admin = User.objects.get(username="admin")
    assert admin.check_password("Mon-propre-mot-de-passe-1")
    assert models.School.objects.count() == 18


def test_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not models.School.objects.exists()
    seed("--force")
    assert models.Student.objects.count() == STUDENTS + 4


def test_refuses_a_negative_number_of_students():
    with pytest.raises(CommandError):
        seed("--students", "-1")


def test_the_demo_has_absence_reports_and_an_unexplained_absence(reasons):
    with time_machine.travel(datetime.datetime(2026, 11, 30, 7, 0,
                                               tzinfo=ZoneInfo("America/Toronto"))):
        call_command("seed_demo", "--students", "200", stdout=io.StringIO())
    parent = User.objects.get(username=PARENT.username)
    past, late = AbsenceReport.objects.filter(reported_by=parent).order_by("start_date")
    assert past.recorded_at is not None
    # The late arrival counts from when the school saw the child arrive: 9:20, not 9:00.
    assert (late.at_time, late.arrived_at) == (datetime.time(9, 0), datetime.time(9, 20))
    assert models.AttendanceRecord.objects.get(
        student=late.student, date=late.start_date).minutes_late == 80
    assert models.AttendanceRecord.objects.filter(student=past.student, date=past.start_date,
                                                  code__code="ABS").exists()
    monday = datetime.date(2026, 11, 30)
    today = AbsenceReport.objects.filter(start_date=monday)
    assert today.count() == 4
    assert list(today.filter(late=True).values_list("note", flat=True)) == [
        "Gastro depuis cette nuit."]
    school = past.student.school
    absent = models.AttendanceRecord.objects.filter(date=monday, student__school=school)
    assert absent.count() == 1
    assert not today.filter(student=absent.get().student).exists()
    assert DayOff.objects.filter(date=datetime.date(2026, 12, 4)).exists()
