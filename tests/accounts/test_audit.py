"""Every staff change through the admin is an AuditEvent (who, when, what, before, after),
written in the same transaction; board-level staff read the trail, nobody edits it."""

import ast
import datetime
import importlib
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from accounts.audit import ACTION_LABELS
from accounts.models import AuditEvent, User
from accounts.scoping import ADMIN_ADD, ADMIN_CHANGE, ADMIN_DELETE
from students import models
from tests import factories
from tests.pages import french, html_of
from tests.staff import BOARD_ADMINISTRATION, HELP_DESK, make_staff, staff_group, staff_login
from tests.students.test_admin import form_data, new_student_data
from tests.test_admin_scoping import school_rows

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def events(obj, action: str | None = None):
    found = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return list(found.filter(action=action) if action else found)


@pytest.fixture
def superuser_client(client, db):
    root = factories.UserFactory(username="racine", is_staff=True, is_superuser=True)
    return staff_login(client, root)


# --- Changes are recorded -------------------------------------------------------------------

def test_changing_a_student_records_who_what_before_and_after(secretary_client, secretary,
                                                              family):
    child = family.children[0]
    change = url(models.Student, "change", child.pk)
    data = form_data(secretary_client.get(change), "student_form")
    data["legal_first_name"] = "Éloïse"

    assert secretary_client.post(change, data).status_code == 302

    [event] = events(child)
    assert (event.actor, event.action, event.object_repr) == (
        secretary, ADMIN_CHANGE, "Tremblay, Éloïse")
    assert event.before["legal_first_name"] == child.legal_first_name
    assert event.after["legal_first_name"] == "Éloïse"
    assert event.after["niso"] == child.niso


def test_an_unchanged_page_records_nothing(secretary_client, family):
    child = family.children[0]
    change = url(models.Student, "change", child.pk)

    secretary_client.post(change, form_data(secretary_client.get(change), "student_form"))

    assert AuditEvent.objects.count() == 0


def test_a_new_student_and_their_link_are_recorded(secretary_client, family):
    school = family.children[0].school
    add = url(models.Student, "add")
    data = new_student_data(secretary_client, school, family.guardian)

    assert secretary_client.post(add, data).status_code == 302

    student = models.Student.objects.get(niso="999777001")
    [added] = events(student, ADMIN_ADD)
    assert added.before == {} and added.after["legal_last_name"] == "Nouvelle"
    [link] = events(student.guardian_links.get(), ADMIN_ADD)
    assert link.after["guardian"] == family.guardian.pk


def test_turning_portal_access_off_and_unlinking_are_recorded(secretary_client, family):
    child = family.children[0]
    link = child.guardian_links.get()
    change = url(models.Student, "change", child.pk)
    data = form_data(secretary_client.get(change), "student_form")
    data.pop("guardian_links-0-portal_access")
    data["guardian_links-0-portal_access_off_reason"] = "Ordonnance du tribunal"

    assert secretary_client.post(change, data).status_code == 302
    [off] = events(link, ADMIN_CHANGE)
    assert (off.before["portal_access"], off.after["portal_access"]) == (True, False)
    assert off.after["portal_access_off_reason"] == "Ordonnance du tribunal"

    data = form_data(secretary_client.get(change), "student_form")
    data["guardian_links-0-DELETE"] = "on"
    assert secretary_client.post(change, data).status_code == 302
    assert not models.StudentGuardian.objects.filter(pk=link.pk).exists()
    [deleted] = AuditEvent.objects.filter(action=ADMIN_DELETE, object_id=str(link.pk),
                                          object_type="students.studentguardian")
    assert deleted.before["guardian"] == family.guardian.pk and deleted.after == {}


def test_attendance_changed_on_the_student_page_is_recorded(secretary_client, family):
    child = family.children[0]
    record = factories.AttendanceRecordFactory(student=child)
    change = url(models.Student, "change", child.pk)
    data = form_data(secretary_client.get(change), "student_form")
    data["attendance-0-reason"] = "Tempête de verglas"

    assert secretary_client.post(change, data).status_code == 302

    [event] = events(record, ADMIN_CHANGE)
    assert (event.before["reason"], event.after["reason"]) == ("Rendez-vous médical",
                                                               "Tempête de verglas")


def test_linking_an_account_to_a_guardian_is_recorded(secretary_client, family, charlie):
    guardian = factories.GuardianFactory(first_name="Charlie", last_name="Tremblay")
    factories.StudentGuardianFactory(student=family.children[0], guardian=guardian,
                                     relationship="father")
    change = url(models.Guardian, "change", guardian.pk)
    data = form_data(secretary_client.get(change), "guardian_form")
    data["user"] = str(charlie.pk)

    assert secretary_client.post(change, data).status_code == 302

    [event] = events(guardian)
    assert (event.before["user"], event.after["user"]) == (None, charlie.pk)


@pytest.mark.parametrize("model", [
    models.Student, models.Guardian, models.StudentGuardian, models.Enrolment,
    models.AttendanceRecord, models.Section, models.SectionEnrolment, models.CourseResult,
    models.TimetablePublication, models.ParentForm, models.ParentFormResponse, models.Term,
    models.School, User,
], ids=lambda model: model._meta.label)
def test_a_delete_is_recorded_exactly_when_it_happens(superuser_client, model):
    row = school_rows(factories.SchoolFactory(), "Effacé")[model]
    before = {name: value for name, value in vars(row).items() if not name.startswith("_")}

    superuser_client.post(url(model, "delete", row.pk), {"post": "yes"})

    gone = not model._default_manager.filter(pk=row.pk).exists()
    # Protected rows (a school with students, a parent who signed a form) stay.
    assert gone == (model not in {models.School, models.Term, User})
    recorded = AuditEvent.objects.filter(action=ADMIN_DELETE, object_id=str(row.pk),
                                         object_type=model._meta.label_lower)
    assert recorded.count() == (1 if gone else 0)
    if gone:
        assert recorded.get().before["id"] == before["id"]


def test_a_bulk_delete_records_each_row(superuser_client, family):
    enrolments = [factories.EnrolmentFactory(student=child) for child in family.children]

    superuser_client.post(url(models.Enrolment, "changelist"), {
        "action": "delete_selected", "_selected_action": [e.pk for e in enrolments],
        "post": "yes"})

    assert not models.Enrolment.objects.exists()
    assert {event.object_id for event in AuditEvent.objects.filter(action=ADMIN_DELETE)} == {
        str(e.pk) for e in enrolments}


def test_group_changes_of_a_staff_account_are_recorded(superuser_client, secretary):
    change = url(User, "change", secretary.pk)
    data = form_data(superuser_client.get(change), "user_form")
    help_desk = staff_group(HELP_DESK)
    data["groups"] = [str(help_desk.pk)]

    assert superuser_client.post(change, data).status_code == 302

    [event] = events(secretary, ADMIN_CHANGE)
    assert event.before["groups"] != event.after["groups"] == [help_desk.pk]
    assert "password" not in event.before and "password" not in event.after


def test_a_password_set_by_staff_is_recorded_without_the_hash(superuser_client, family):
    user = family.user
    new_password = "Un-nouveau-mot-de-passe-2026"
    response = superuser_client.post(reverse("admin:auth_user_password_change", args=[user.pk]), {
        "usable_password": "true", "password1": new_password, "password2": new_password})

    assert response.status_code == 302
    [event] = events(user, "account.password_set")
    user.refresh_from_db()
    assert user.password not in str(event.before) + str(event.after)


def test_the_trail_is_written_in_the_same_transaction(secretary_client, family, monkeypatch):
    child = family.children[0]
    change = url(models.Student, "change", child.pk)
    data = form_data(secretary_client.get(change), "student_form")
    data["legal_first_name"] = "Éloïse"

    def broken(**kwargs):
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr("accounts.scoping.audit_record", broken)
    with pytest.raises(RuntimeError):
        secretary_client.post(change, data)

    child.refresh_from_db()
    assert child.legal_first_name != "Éloïse"  # no change without its audit row


# --- Reading the trail ----------------------------------------------------------------------

@pytest.fixture
def trail(family, secretary):
    from accounts.audit import audit_record

    old = audit_record(actor=secretary, action=ADMIN_CHANGE, instance=family.children[0])
    old.at = old.at - datetime.timedelta(days=40)
    old.save()
    return [old, audit_record(actor=None, action="access_code.issue", instance=family.guardian)]


def test_board_level_staff_read_and_filter_the_trail(client, trail, secretary):
    staff_login(client, make_staff("conseil", board_level=True, group=BOARD_ADMINISTRATION))
    changelist = url(AuditEvent, "changelist")

    def listed(**filters):
        return list(client.get(changelist, filters).context["cl"].result_list)

    assert set(listed()) == set(trail)
    assert listed(action="access_code.issue") == [trail[1]]
    assert listed(object_type="students.student") == [trail[0]]
    assert listed(actor__id__exact=secretary.pk) == [trail[0]]
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    assert listed(at__gte=midnight.isoformat()) == [trail[1]]
    page = client.get(url(AuditEvent, "change", trail[0].pk))
    assert page.status_code == 200
    assert trail[0].object_repr in page.content.decode()


def test_the_trail_names_actions_and_record_types_in_the_readers_language(client, trail):
    staff_login(client, make_staff("conseil", board_level=True, group=BOARD_ADMINISTRATION))

    response = client.get(url(AuditEvent, "changelist"))

    cells = [[str(cell) for cell in row] for row in response.context["results"]]
    page = html_of(response)
    for label in [french("Changed in the admin"), french("Access code issued"),
                  capfirst(french("student")), capfirst(french("guardian"))]:
        assert label in page
    filters = {spec.title: [choice["display"] for choice in spec.choices(response.context["cl"])]
               for spec in response.context["cl"].filter_specs}
    assert filters[french("action")][1:] == [french("Access code issued"),
                                             french("Changed in the admin")]
    assert set(filters[french("record type")][1:]) == {capfirst(french("student")),
                                                       capfirst(french("guardian"))}
    for code in ["admin.change", "access_code.issue", "students.student", "students.guardian"]:
        assert not any(code in cell for row in cells for cell in row)
        assert not any(code == display for displays in filters.values() for display in displays)
    page = html_of(client.get(url(AuditEvent, "change", trail[0].pk)))
    assert french("Changed in the admin") in page


def test_every_action_the_portal_records_has_a_name():
    """The codes given to audit_record, audit_event, AuditEvent and an admin's self.audit,
    found in the source: a new one needs its label (accounts.audit.register_action_labels)."""
    codes = set()
    for path in sorted(ROOT.glob("*/*.py")):
        if path.parts[len(ROOT.parts)] in {"tests", "bench", ".venv"}:
            continue
        tree = ast.parse(path.read_text())
        if not any(isinstance(node, ast.Name | ast.Attribute) and "audit" in ast.unparse(node)
                   for node in ast.walk(tree)):
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            given = [keyword.value for keyword in node.keywords if keyword.arg == "action"]
            if name == "audit" and len(node.args) > 1:
                given.append(node.args[1])
            elif name not in {"audit_record", "audit_event", "AuditEvent"}:
                continue
            for expression in given:
                branches = ([expression.body, expression.orelse]
                            if isinstance(expression, ast.IfExp) else [expression])
                for branch in branches:
                    if isinstance(branch, ast.Name) and branch.id not in vars(module):
                        continue  # a parameter passed on (audit_record's own action)
                    codes.add(str(eval(ast.unparse(branch), vars(module))))  # noqa: S307

    assert {"admin.change", "csv_import", "helpdesk_merge", "report_cards_publish"} <= codes
    assert codes - set(ACTION_LABELS) == set()


@pytest.mark.parametrize("who", ["school", "help desk without a board profile"])
def test_school_staff_do_not_read_the_trail(client, trail, who, family):
    if who == "school":
        user = make_staff("autre", schools=[family.children[0].school])
    else:
        user = make_staff("aide", group=HELP_DESK)  # the group, but not board-level
    staff_login(client, user)

    assert client.get(url(AuditEvent, "changelist")).status_code == 403
    assert client.get(url(AuditEvent, "change", trail[0].pk)).status_code == 404


def test_nobody_adds_changes_or_deletes_a_row_even_a_superuser(superuser_client, trail):
    event = trail[0]
    model_admin = admin.site._registry[AuditEvent]

    assert superuser_client.get(url(AuditEvent, "add")).status_code == 403
    assert superuser_client.post(url(AuditEvent, "change", event.pk),
                                 {"action": "rien"}).status_code == 403
    assert superuser_client.post(url(AuditEvent, "delete", event.pk),
                                 {"post": "yes"}).status_code == 403
    page = superuser_client.get(url(AuditEvent, "changelist"))
    assert page.context["action_form"] is None  # no "delete selected"
    event.refresh_from_db()
    assert event.action == ADMIN_CHANGE
    assert not model_admin.has_change_permission(page.wsgi_request, event)
