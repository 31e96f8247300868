"""The start-of-year import: CSV files → a preview of every row → confirmed, all or nothing.

The files are in tests/students/import_files/. Here the job's task runs in the test's
process, on the test's transaction (what the Celery task calls); test_import_jobs.py runs
it in real workers.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse

from accounts.models import AuditEvent, StaffProfile, User
from students import models
from students.imports import MAX_FILE_BYTES, MAX_ROWS, import_job_run
from tests import factories
from tests.pages import french, html_of
from tests.staff_session import admin_login

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "import_files"
UPLOAD = "imports:upload"


def staff(username: str, *, schools=(), board_level: bool = False,
          models_: tuple[str, ...] = ("student", "guardian", "studentguardian", "enrolment",
                                      "section", "school", "course")) -> User:
    user = factories.UserFactory(username=username, is_staff=True)
    profile = StaffProfile.objects.create(user=user, board_level=board_level)
    profile.schools.set(schools)
    user.user_permissions.set(Permission.objects.filter(
        content_type__app_label="students", codename__regex=r"^(add|change)_",
        content_type__model__in=models_))
    return user


@pytest.fixture
def secretary(schools) -> User:
    """A secretary of Gabrielle-Roy only."""
    return staff("secretaire.gro", schools=[schools["GRO"]])


@pytest.fixture
def board(db) -> User:
    return staff("conseil", board_level=True)


def logged_in(user: User) -> Client:
    client = Client()
    admin_login(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


def run_job(client: Client, response):
    """What the Celery task does for the job the response redirects to; then its page."""
    assert response.status_code == 302, response.status_code
    import_job_run(job_id=resolve(response.url).kwargs["pk"])
    return client.get(response.url)


def upload(client: Client, kind: str, name: str, content: bytes | None = None):
    """The job's page once checked, or the upload page when the file was refused."""
    content = (FILES / name).read_bytes() if content is None else content
    response = client.post(reverse(UPLOAD), {
        "kind": kind, "file": SimpleUploadedFile(name, content, "text/csv")})
    return response if response.status_code == 200 else run_job(client, response)


def offers_confirmation(preview) -> bool:
    return french("Confirm the import") in html_of(preview)


def confirm(client: Client, preview):
    assert offers_confirmation(preview), "the preview offers no confirmation"
    job = preview.context["job"]
    return run_job(client, client.post(reverse("imports:job", args=[job.pk]),
                                       {"sha256": job.sha256}))


def rows(preview) -> dict[int, tuple[str, list[str]]]:
    """Line number → (result, problems) as the preview lists them."""
    return {line: (status, errors)
            for line, status, _label, _summary, errors in preview.context["rows"]}


# --- Who may import what --------------------------------------------------------------

def test_a_secretary_imports_only_school_level_files(secretary):
    response = logged_in(secretary).get(reverse(UPLOAD))
    assert response.status_code == 200
    choices = dict(response.context["form"].fields["kind"].choices)
    assert set(choices) == {"students", "guardians", "enrolments", "sections"}


def test_board_level_staff_also_import_schools_and_courses(board):
    response = logged_in(board).get(reverse(UPLOAD))
    assert set(dict(response.context["form"].fields["kind"].choices)) == {
        "schools", "students", "guardians", "enrolments", "courses", "sections"}


def test_staff_without_the_permissions_are_refused(db):
    assert logged_in(staff("sans.droits", models_=())).get(reverse(UPLOAD)).status_code == 403


def test_a_kind_beyond_ones_permissions_is_refused(secretary):
    response = upload(logged_in(secretary), "schools", "schools.csv")
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert not models.School.objects.filter(code="SLM", ministry_number="912346").exists()


def test_the_page_documents_the_columns(secretary):
    html = html_of(logged_in(secretary).get(reverse(UPLOAD)))
    for column in ["niso", "prenom_legal", "date_naissance", "prenom_parent", "date_entree",
                   "annee_scolaire", "etape", "signaler_absences"]:
        assert f"<code>{column}</code>" in html
    assert "numero_ministere" not in html  # the schools' file is not the secretary's
    # Only the files she may import, in their order; examples of real-looking codes.
    order = html[html.index('<ol class="import-order"'):]
    order = order[:order.index("</ol>")]
    assert [french(label) for label in ("Students", "Guardians and their links to students",
                                        "Enrolments", "Sections")] == \
        re.findall(r"<li>(.*?)</li>", order)
    assert "E001" not in html
    assert french("The school's short code, for example EEPTB.") in html
    assert french("oui or non; empty: non. For a guardian without custody: may report the "
                  "student's absences on the portal.") in html


def test_the_board_is_told_to_import_schools_and_courses_first(board):
    html = html_of(logged_in(board).get(reverse(UPLOAD)))
    order = html[html.index('<ol class="import-order"'):]
    assert re.findall(r"<li>(.*?)</li>", order[:order.index("</ol>")])[:3] == [
        french("Schools"), french("Courses"), french("Students")]


def test_an_empty_custody_cell_gives_no_custody(secretary, students):
    content = b"niso,prenom_parent,nom_parent,lien,garde\n999100001,Paul,Roy,stepparent,\n"
    client = logged_in(secretary)
    confirm(client, upload(client, "guardians", "liens.csv", content))
    link = models.StudentGuardian.objects.get(guardian__first_name="Paul")
    assert (link.has_custody, link.has_access_rights, link.may_report_absences) == (
        False, False, False)


def test_a_bad_absence_reporting_cell_is_a_row_error(secretary, students):
    content = (b"niso,prenom_parent,nom_parent,lien,signaler_absences\n"
               b"999100001,Paul,Roy,stepparent,peut-etre\n")
    preview = upload(logged_in(secretary), "guardians", "liens.csv", content)
    [(status, errors)] = rows(preview).values()
    assert status == "error"
    [error] = errors
    assert error.startswith("signaler_absences") and french("Write “oui” or “non”.") in error
    assert not models.StudentGuardian.objects.exists()


# --- A good file -------------------------------------------------------------------------

def test_good_file_preview_then_import(secretary, schools):
    client = logged_in(secretary)

    preview = upload(client, "students", "students.csv")

    assert preview.status_code == 200
    assert rows(preview) == {2: ("new", []), 3: ("new", [])}
    html = html_of(preview)
    assert "Tremblay Léa" in html and "Gagnon Noah" in html
    assert french("Confirm the import") in html
    assert not models.Student.objects.exists()  # a dry run

    done = confirm(client, preview)

    assert french("Import done: %(new)d new, %(updated)d updated.") % {
        "new": 2, "updated": 0} in html_of(done)
    lea, noah = models.Student.objects.order_by("niso")
    assert (lea.niso, lea.school, lea.grade, lea.postal_code) == (
        "999100001", schools["GRO"], 6, "K1C 2N4")
    assert (noah.preferred_first_name, noah.language, noah.status) == ("Noé", "fr", "active")
    assert AuditEvent.objects.filter(action="csv_import", actor=secretary,
                                     object_type="students.student").count() == 2

    again = upload(client, "students", "students.csv")
    assert rows(again) == {2: ("update", []), 3: ("update", [])}
    confirm(client, again)
    # Imported again unchanged: nothing more in the audit trail.
    assert AuditEvent.objects.filter(action="csv_import").count() == 2


def test_semicolons_a_byte_order_mark_and_french_headers_are_read(secretary, schools):
    content = ("\ufeffNISO;Prénom légal;Nom légal;Date de naissance;Genre;École;Année\n"
               "999100001;Léa;Tremblay;2015-03-14;F;GRO;6\n").encode()
    preview = upload(logged_in(secretary), "students", "eleves.csv", content)
    assert rows(preview) == {2: ("new", [])}


# --- A bad file: every bad row with its reason, nothing imported -------------------------

def test_every_bad_row_is_listed_with_its_reason_and_nothing_is_imported(secretary, schools):
    factories.StudentFactory(niso="999100099", date_of_birth=datetime.date(2011, 1, 1),
                             school=schools["GRO"])
    client = logged_in(secretary)

    preview = upload(client, "students", "students_bad.csv")

    listed = rows(preview)
    assert listed[2] == ("new", [])
    reasons = {line: " ".join(errors) for line, (_status, errors) in listed.items()}
    assert french("The OEN must have exactly 9 digits, for example 123-456-789.") in reasons[3]
    assert french("Unknown school, or not one of yours: %(value)s.") % {
        "value": "XYZ"} in reasons[4]
    assert french("Same %(columns)s as line %(line)d: a record appears once per file.") % {
        "columns": "niso", "line": 2} in reasons[5]
    assert french("This row has %(cells)d cells where the header has %(columns)d columns.") % {
        "cells": 6, "columns": 7} in reasons[6]
    assert french("Write the date as YYYY-MM-DD, for example 2011-05-02.") in reasons[7]
    assert french("This OEN is already another student's in the portal (the date of birth "
                  "differs): check the OEN.") in reasons[8]
    assert all(reasons[line] for line in range(3, 9))
    # The column is named with each reason.
    assert reasons[4].startswith("ecole")
    html = html_of(preview)
    for line in range(2, 9):
        assert f'<th scope="row">{line}</th>' in html
    assert not offers_confirmation(preview)
    assert models.Student.objects.count() == 1


def test_a_confirmation_sent_twice_imports_once(secretary, schools):
    client = logged_in(secretary)
    preview = upload(client, "students", "students.csv")
    job = preview.context["job"]
    page = reverse("imports:job", args=[job.pk])

    first = client.post(page, {"sha256": job.sha256})
    again = client.post(page, {"sha256": job.sha256}, follow=True)

    assert again.redirect_chain == [(page, 302)]
    assert french("This preview has expired: upload the file again.") not in html_of(again)
    run_job(client, first)
    assert AuditEvent.objects.filter(action="csv_import").count() == \
        models.Student.objects.count() > 0


def test_a_confirmation_of_another_file_imports_nothing(secretary, schools):
    client = logged_in(secretary)
    preview = upload(client, "students", "students.csv")
    job = preview.context["job"]
    forged = job.sha256.replace(job.sha256[0], "0" if job.sha256[0] != "0" else "1")

    response = client.post(reverse("imports:job", args=[job.pk]), {"sha256": forged},
                           follow=True)

    assert french("This preview has expired: upload the file again.") in html_of(response)
    job.refresh_from_db()
    assert (job.status, job.confirmed) == ("checked", False)
    assert not models.Student.objects.exists()


def test_a_changed_file_is_not_imported_under_its_preview(secretary, schools):
    client = logged_in(secretary)
    preview = upload(client, "students", "students.csv")
    job = preview.context["job"]
    models.ImportJob.objects.filter(pk=job.pk).update(content=job.content + "999100003,Éva,"
                                                      "Roy,2015-01-01,F,GRO,6\n")

    done = confirm(client, preview)

    assert french("This preview has expired: upload the file again.") in html_of(done)
    assert not models.Student.objects.exists()


def test_another_staff_members_import_is_not_found(secretary, schools):
    client = logged_in(secretary)
    preview = upload(client, "students", "students.csv")
    job = preview.context["job"]
    other = logged_in(staff("autre.secretaire", schools=[schools["GRO"]]))
    page = reverse("imports:job", args=[job.pk])

    assert other.get(page).status_code == 404
    assert other.post(page, {"sha256": job.sha256}).status_code == 404
    assert not models.ImportJob.objects.filter(confirmed=True).exists()
    assert not models.Student.objects.exists()


def test_rows_that_became_invalid_since_the_preview_import_nothing(secretary, schools):
    client = logged_in(secretary)
    preview = upload(client, "students", "students.csv")
    factories.StudentFactory(niso="999100002", date_of_birth=datetime.date(2010, 1, 1),
                             school=schools["SLM"])

    response = confirm(client, preview)

    assert french("Nothing was imported: some rows are no longer valid.") in html_of(response)
    assert models.Student.objects.count() == 1


# --- Scope: a secretary imports for their schools only ---------------------------------

def test_a_secretary_cannot_import_into_or_over_another_school(secretary, schools):
    factories.StudentFactory(niso="999100002", school=schools["SLM"],
                             date_of_birth=datetime.date(2017, 8, 21))
    content = ("niso,prenom_legal,nom_legal,date_naissance,genre,ecole,annee\n"
               "999100001,Léa,Tremblay,2015-03-14,F,SLM,6\n"
               "999100002,Noah,Gagnon,2017-08-21,M,GRO,4\n").encode()

    preview = upload(logged_in(secretary), "students", "eleves.csv", content)

    reasons = {line: " ".join(errors) for line, (_s, errors) in rows(preview).items()}
    assert french("Unknown school, or not one of yours: %(value)s.") % {
        "value": "SLM"} in reasons[2]
    assert french("This OEN is a student of another school: ask the board to transfer the "
                  "student.") in reasons[3]


# --- Files that are not what they should be ---------------------------------------------

@pytest.mark.parametrize(("name", "content", "message"), [
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is not a CSV file in "
     "UTF-8. In Excel, save it as “CSV UTF-8 (délimité par des virgules)”."),
    ("eleves.xlsx", b"PK\x03\x04", "Choose a .csv file (the name ends with .csv)."),
    ("vide.csv", b"\n\n", "The file is empty."),
    ("entete.csv", b"niso,prenom_legal\n", None),
])
def test_a_file_that_is_not_a_usable_csv_gets_a_clear_message(secretary, schools, name,
                                                              content, message):
    response = upload(logged_in(secretary), "students", name, content)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    if message:
        assert french(message) in errors
    else:
        assert errors
    assert not models.Student.objects.exists()


def test_an_oversized_file_gets_a_clear_message(secretary, schools):
    header = b"niso,prenom_legal,nom_legal,date_naissance,genre,ecole,annee\n"
    content = header + b"999100001,L,T,2015-03-14,F,GRO,6\n" * (MAX_FILE_BYTES // 30)
    response = upload(logged_in(secretary), "students", "gros.csv", content)
    assert french("The file is too large (over %(size)d MB): split it, for example one file "
                  "per school.") % {"size": MAX_FILE_BYTES // 2**20} in response.context[
        "form"].errors["file"]


def test_a_file_of_too_many_rows_gets_a_clear_message(secretary, schools):
    header = b"niso,prenom_legal,nom_legal,date_naissance,genre,ecole,annee\n"
    content = header + b"999100001,L,T,2015-03-14,F,GRO,6\n" * (MAX_ROWS + 1)
    response = upload(logged_in(secretary), "students", "conseil.csv", content)
    [error] = response.context["form"].errors["file"]
    assert error == french("The file has %(rows)s rows, more than the %(limit)s a file may "
                           "have: split it, for example one file per school.") % {
        "rows": "100\u00a0001", "limit": "100\u00a0000"}  # French grouping
    assert not models.Student.objects.exists()


def test_wrong_or_missing_columns_are_named(secretary, schools):
    content = ("nisso,prenom_legal,nom_legal,date_naissance,genre,ecole,annee,couleur\n"
               "999100001,Léa,Tremblay,2015-03-14,F,GRO,6,bleu\n").encode()
    response = upload(logged_in(secretary), "students", "eleves.csv", content)
    [error] = response.context["form"].errors["file"]
    assert french("Unknown columns: %(columns)s.") % {"columns": "nisso, couleur"} in error
    assert french("Missing columns: %(columns)s.") % {"columns": "niso"} in error
    assert not models.Student.objects.exists()


# --- The other kinds of file -------------------------------------------------------------

def test_schools_by_board_level_staff(board):
    client = logged_in(board)
    preview = upload(client, "schools", "schools.csv")
    assert rows(preview) == {2: ("new", []), 3: ("new", [])}
    confirm(client, preview)
    gro, slm = models.School.objects.order_by("code")
    assert (gro.ministry_number, gro.level, gro.postal_code, gro.phone) == (
        "912345", "elementary", "K1G 6C3", "6137428960")
    assert (slm.level, slm.province) == ("secondary", "ON")


def test_codes_may_be_written_as_their_french_labels(board):
    content = ("numero_ministere,code,nom,palier\n"
               f"912347,ABC,École Trille,{french('Elementary').upper()}\n").encode()
    client = logged_in(board)
    confirm(client, upload(client, "schools", "ecoles.csv", content))
    assert models.School.objects.get(code="ABC").level == models.Level.ELEMENTARY


@pytest.fixture
def students(secretary, schools) -> list[models.Student]:
    return [factories.StudentFactory(niso="999100001", school=schools["GRO"],
                                     legal_first_name="Léa"),
            factories.StudentFactory(niso="999100002", school=schools["GRO"],
                                     legal_first_name="Noah")]


def test_guardians_and_links(secretary, students):
    client = logged_in(secretary)
    preview = upload(client, "guardians", "guardians.csv")
    assert rows(preview) == {2: ("new", []), 3: ("new", []), 4: ("new", [])}
    assert not models.Guardian.objects.exists()

    confirm(client, preview)

    alice = models.Guardian.objects.get(first_name="Alice")
    assert (alice.email.lower(), alice.primary_phone, alice.postal_code) == (
        "alice@example.com", "6135550123", "K1C 2N4")
    assert sorted(alice.students.values_list("niso", flat=True)) == ["999100001", "999100002"]
    marc = models.StudentGuardian.objects.get(guardian__first_name="Marc")
    assert (marc.relationship, marc.has_custody, marc.may_report_absences, marc.portal_access,
            marc.portal_access_off_reason, marc.guardian.preferred_language) == (
        "father", False, True, False, "Ordonnance du tribunal", "en")
    assert not alice.student_links.filter(may_report_absences=True).exists()
    assert AuditEvent.objects.filter(action="csv_import",
                                     object_type="students.guardian").count() == 3

    again = upload(client, "guardians", "guardians.csv")
    assert rows(again) == {2: ("update", []), 3: ("update", []), 4: ("update", [])}


def test_a_link_without_access_needs_a_reason(secretary, students):
    content = (b"niso,prenom_parent,nom_parent,lien,acces_portail\n"
               b"999100001,Marc,Tremblay,father,non\n"
               b"999999999,Marc,Tremblay,father,oui\n")
    preview = upload(logged_in(secretary), "guardians", "liens.csv", content)
    reasons = {line: " ".join(errors) for line, (_s, errors) in rows(preview).items()}
    assert french("Give the reason portal access is turned off.") in reasons[2]
    assert french("Unknown student, or not at one of your schools: OEN %(value)s.") % {
        "value": "999999999"} in reasons[3]


def test_enrolments(secretary, students, schools):
    client = logged_in(secretary)
    confirm(client, upload(client, "enrolments", "enrolments.csv"))
    assert sorted(models.Enrolment.objects.values_list("student__niso", "school__code",
                                                       "entry_date")) == [
        ("999100001", "GRO", datetime.date(2026, 9, 2)),
        ("999100002", "GRO", datetime.date(2026, 9, 2))]


def test_courses_then_sections(board, schools):
    client = logged_in(board)
    confirm(client, upload(client, "courses", "courses.csv"))
    assert dict(models.Course.objects.values_list("code", "credit_value")) == {
        "MTH1W": 1, "FRA1D": 0.5}

    factories.TermFactory(school=schools["SLM"], code="S1")
    preview = upload(client, "sections", "sections.csv")
    reasons = {line: " ".join(errors) for line, (_s, errors) in rows(preview).items()}
    assert reasons[2] == ""
    assert french("Unknown term %(value)s for this school and school year.") % {
        "value": "S9"} in reasons[3]
    assert not models.Section.objects.exists()


def test_a_student_withdrawn_by_import_closes_the_accounts_left_without_a_child(
        secretary, schools, other_family):
    child = other_family.children[0]
    models.Student.objects.filter(pk=child.pk).update(school=schools["GRO"])
    content = ("niso,prenom_legal,nom_legal,date_naissance,genre,ecole,annee,statut\n"
               f"{child.niso},{child.legal_first_name},{child.legal_last_name},"
               f"{child.date_of_birth},F,GRO,{child.grade},withdrawn\n").encode()
    client = logged_in(secretary)
    confirm(client, upload(client, "students", "retraits.csv", content))
    other_family.user.refresh_from_db()
    assert not other_family.user.is_active


def test_every_error_of_a_row_is_shown_at_once(secretary, students):
    """A bad OEN, email and phone and a missing reason: one upload lists the four."""
    content = (b"niso,prenom_parent,nom_parent,courriel,telephone_principal,lien,garde,"
               b"acces_portail,motif_acces_ferme\n"
               b"12345,Marc,Tremblay,marc@,555-01,father,oui,non,\n")

    preview = upload(logged_in(secretary), "guardians", "liens.csv", content)

    [(status, errors)] = rows(preview).values()
    assert status == "error"
    shown = " ".join(errors)
    for column in ("niso", "courriel", "telephone_principal"):
        assert any(error.startswith(column) for error in errors), (column, errors)
    assert french("Give the reason portal access is turned off.") in shown
    assert len(errors) == 4, errors
    assert not models.Guardian.objects.exists()


def test_every_error_of_a_students_row_is_shown_at_once(secretary, schools):
    content = ("niso,prenom_legal,nom_legal,date_naissance,genre,ecole,annee\n"
               "12345,Zoé,Lavoie,14/03/2015,Z,XYZ,treize\n").encode()

    preview = upload(logged_in(secretary), "students", "eleves.csv", content)

    [(status, errors)] = rows(preview).values()
    assert status == "error"
    assert [error.split(":")[0].strip() for error in errors] == [
        "niso", "date_naissance", "genre", "ecole", "annee"], errors


def test_a_date_that_does_not_exist_is_named_so(secretary, schools):
    content = ("niso,prenom_legal,nom_legal,date_naissance,genre,ecole,annee\n"
               "999100001,Léa,Tremblay,2017-02-30,F,GRO,6\n"
               "999100002,Noah,Tremblay,30/02/2017,M,GRO,6\n").encode()

    preview = upload(logged_in(secretary), "students", "eleves.csv", content)

    reasons = {line: " ".join(errors) for line, (_s, errors) in rows(preview).items()}
    assert french("The date %(value)s does not exist.") % {"value": "2017-02-30"} \
        in reasons[2]
    assert french("Write the date as YYYY-MM-DD, for example 2011-05-02.") not in reasons[2]
    assert french("Write the date as YYYY-MM-DD, for example 2011-05-02.") in reasons[3]
