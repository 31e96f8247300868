"""Start-of-year import: CSV files of schools, students, guardians and their links,
enrolments, courses and sections, through django-import-export's resources.

A file (UTF-8, a header row, commas or semicolons) is read and its columns checked, then
imported in one transaction: a dry run for the preview, the real run once confirmed. Every
row is validated as the admin would (`full_clean`); one bad row and nothing is imported.
A school's staff import only for their own schools (their staff profile).
"""

import csv
import decimal
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources, widgets
from import_export.fields import Field
from import_export.results import RowResult

from accounts.audit import audit_record, snapshot
from accounts.models import User
from accounts.scoping import is_board_level, staff_school_ids
from portail.formats import Province, normalize_niso, normalize_phone, normalize_postal_code
from portail.text import without_accents
from students import models
from students.privacy import student_withdraw

MAX_FILE_BYTES = 5 * 1024 * 1024
# Each row is checked like a form, in the preview and again at confirmation: 1,500 rows
# took 9 s each way on PostgreSQL here. 3,000 rows (more than the largest school has
# students) keep a web request under half a minute; a board-wide file is split by school.
MAX_ROWS = 3000
GUARDIAN_KEY = "_guardian"  # the guardian a links row resolves to (not a column of the file)


class ImportFileError(Exception):
    """The file as a whole cannot be read: the message says why, in the user's language."""


def fold(text: str) -> str:
    """Case, accents and spacing do not matter in codes: "Élémentaire" is "elementaire"."""
    bare = without_accents(force_str(text).strip().casefold())
    return "_".join(bare.replace("-", " ").replace("'", " ").replace("’", " ").split())


# Left out of a header, so that "Date de naissance" is the column date_naissance.
HEADER_SMALL_WORDS = {"d", "de", "des", "du", "l", "la", "le"}


def header_name(text: str) -> str:
    """A header as people write it, to the column's name: "Prénom légal" is prenom_legal."""
    return "_".join(word for word in fold(text).split("_") if word not in HEADER_SMALL_WORDS)


# --- Widgets: a cell's text to a value, with a French message when it cannot be --------

class Text(widgets.Widget):
    def __init__(self, normalize: Callable[[str], str] = str):
        super().__init__()
        self.normalize = normalize

    def clean(self, value, row=None, **kwargs) -> str:
        return self.normalize(force_str(value if value is not None else "").strip())


class Choice(widgets.Widget):
    """A code or its label in French or English, whatever the case and accents."""

    def __init__(self, choices):
        super().__init__()
        self.choices = choices

    def accepted(self) -> dict[str, object]:
        accepted = {}
        for value, label in self.choices:
            accepted[fold(str(value))] = value
            for language in ("fr", "en"):
                with translation.override(language):
                    accepted[fold(str(label))] = value
        return accepted

    def clean(self, value, row=None, **kwargs):
        text = fold(value or "")
        if not text:
            return None
        accepted = self.accepted()
        if text not in accepted:
            raise ValueError(_("“%(value)s” is not one of: %(choices)s.") % {
                "value": value, "choices": ", ".join(str(code) for code, _l in self.choices)})
        return accepted[text]


class Boolean(widgets.Widget):
    TRUE = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
    FALSE = {"non", "n", "no", "faux", "false", "0"}

    def clean(self, value, row=None, **kwargs):
        text = fold(value or "")
        if not text:
            return None
        if text in self.TRUE | self.FALSE:
            return text in self.TRUE
        raise ValueError(_("Write “oui” or “non”."))


class Integer(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = force_str(value or "").strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise ValueError(_("Write a whole number.")) from None


class Date(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, date):
            return value
        text = force_str(value or "").strip()
        if not text:
            return None
        try:
            return datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            raise ValueError(_("Write the date as YYYY-MM-DD, for example 2011-05-02.")) \
                from None


class Decimal(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = force_str(value or "").strip().replace(",", ".")
        if not text:
            return None
        try:
            return decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise ValueError(_("Write a number, for example 1 or 0,5.")) from None


class Ref(widgets.Widget):
    """A row the file refers to by its code, among those the importer may use."""

    message = ""

    def __init__(self):
        super().__init__()
        self.resource: ImportResource | None = None
        self.found: dict = {}

    def find(self, value: str, row: dict):
        raise NotImplementedError

    def cache_key(self, value: str, row: dict):
        return value

    def clean(self, value, row=None, **kwargs):
        text = force_str(value or "").strip()
        if not text:
            return None
        key = self.cache_key(text, row or {})
        if key not in self.found:
            self.found[key] = self.find(text, row or {})
        if self.found[key] is None:
            raise ValueError(self.message % {"value": text})
        return self.found[key]


class SchoolRef(Ref):
    message = gettext_lazy("Unknown school, or not one of yours: %(value)s.")

    def find(self, value, row):
        return self.resource.schools.filter(code__iexact=value).first()


class StudentRef(Ref):
    message = gettext_lazy("Unknown student, or not at one of your schools: OEN %(value)s.")

    def find(self, value, row):
        return models.Student.objects.filter(
            niso=normalize_niso(value), school__in=self.resource.schools).first()


class CourseRef(Ref):
    message = gettext_lazy("Unknown course: %(value)s. Import it first.")

    def find(self, value, row):
        return models.Course.objects.filter(code=value.upper()).first()


class TermRef(Ref):
    message = gettext_lazy("Unknown term %(value)s for this school and school year.")

    def cache_key(self, value, row):
        return value, row.get("ecole", ""), row.get("annee_scolaire", "")

    def find(self, value, row):
        return models.Term.objects.filter(
            school__in=self.resource.schools, school__code__iexact=row.get("ecole", "").strip(),
            school_year__name=row.get("annee_scolaire", "").strip(), code__iexact=value,
        ).first()


class GuardianRef(Ref):
    def clean(self, value, row=None, **kwargs):
        return models.Guardian.objects.filter(pk=value).first() if value else None


# --- Resources -----------------------------------------------------------------------

def column(attribute: str, name: str, widget: widgets.Widget | None = None,
           **kwargs) -> Field:
    return Field(attribute=attribute, column_name=name, widget=widget or Text(), **kwargs)


class ImportResource(resources.ModelResource):
    """What every import shares: scope, duplicates in the file, audit, French errors.

    Subclasses name their columns (`column(...)`), which of them are required, those that
    identify a row (Meta.import_id_fields) and those that describe it in the preview.
    """

    required_columns: tuple[str, ...] = ()
    summary_columns: tuple[str, ...] = ()
    # Columns read by the resource itself rather than a field.
    extra_columns: tuple[str, ...] = ()

    def __init__(self, *, user: User, schools: QuerySet, lines: list[int] | None = None,
                 file_name: str = ""):
        super().__init__()
        self.user, self.schools, self.file_name = user, schools, file_name
        self.school_ids = set(schools.values_list("pk", flat=True))
        self.lines = lines or []
        self.seen: dict[tuple, int] = {}
        self.line = 0
        self.before: dict = {}
        for resource_field in self.fields.values():
            if isinstance(resource_field.widget, Ref):
                resource_field.widget.resource = self

    class Meta:
        clean_model_instances = True
        skip_diff = True
        store_instance = True
        use_transactions = True

    @classmethod
    def columns(cls) -> list[str]:
        """The file's columns, in the order of Meta.fields, then those read directly."""
        named = [cls.fields[name].column_name for name in cls._meta.fields]
        return [name for name in [*named, *cls.extra_columns] if name != GUARDIAN_KEY]

    def column_for(self, attribute: str) -> str:
        for resource_field in self.fields.values():
            if resource_field.attribute == attribute:
                return resource_field.column_name
        return attribute

    def before_import_row(self, row, **kwargs):
        row_number = kwargs["row_number"]
        self.line = self.lines[row_number - 1] if self.lines else row_number + 1

    def get_instance(self, instance_loader, row):
        """The row's record by its key columns; a key seen on an earlier line is refused."""
        lookup, errors = {}, {}
        for name in self.get_import_id_fields():
            key_field = self.fields[name]
            try:
                lookup[key_field.attribute] = key_field.clean(row)
            except ValueError as error:
                errors[key_field.attribute] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)
        if any(value in (None, "") for value in lookup.values()):
            return None  # full_clean says which is missing
        key = tuple(getattr(value, "pk", value) for value in lookup.values())
        if key in self.seen:
            first = self.fields[self.get_import_id_fields()[0]]
            raise ValidationError({first.attribute: ValidationError(
                _("Same %(columns)s as line %(line)d: a record appears once per file.") % {
                    "columns": ", ".join(self.fields[n].column_name
                                         for n in self.get_import_id_fields()),
                    "line": self.seen[key]}, code="duplicate")})
        self.seen[key] = self.line
        return self.get_queryset().filter(**lookup).first()

    def after_init_instance(self, instance, new, row, **kwargs):
        self.before = {} if new else snapshot(instance)

    def row_errors(self, instance) -> dict[str, str]:
        """Checks beyond the model's own; keyed by attribute."""
        return {}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        for attribute, message in self.row_errors(instance).items():
            errors.setdefault(attribute, []).append(ValidationError(message))
        super().validate_instance(instance, errors, validate_unique)

    def after_save_instance(self, instance, row, **kwargs):
        self.audit(instance, before=self.before)

    def audit(self, instance, *, before: dict) -> None:
        """Record a row's change; a row imported again unchanged records nothing."""
        after = snapshot(instance)
        if after != before:
            audit_record(actor=self.user, action="csv_import", instance=instance,
                         before=before, after=after, reason=self.file_name[:300])

    @classmethod
    def summary(cls, row: dict) -> str:
        return " ".join(str(row.get(name, "")).strip() for name in cls.summary_columns
                        if str(row.get(name, "")).strip())

    def error_messages(self, error: ValidationError) -> list[str]:
        """"colonne : message" for each error of a row."""
        lines = []
        for attribute, messages in error.message_dict.items():
            for message in messages:
                if attribute == NON_FIELD_ERRORS:
                    lines.append(message)
                else:
                    lines.append(_("%(column)s: %(message)s") % {
                        "column": self.column_for(attribute), "message": message})
        return lines


class SchoolResource(ImportResource):
    ministry_number = column("ministry_number", "numero_ministere")
    code = column("code", "code", Text(str.upper))
    name = column("name", "nom")
    level = column("level", "palier", Choice(models.Level.choices))
    street = column("street", "adresse")
    city = column("city", "ville")
    province = column("province", "province", Choice(Province.choices), default=Province.ON)
    postal_code = column("postal_code", "code_postal", Text(normalize_postal_code))
    phone = column("phone", "telephone", Text(normalize_phone))
    principal_name = column("principal_name", "direction")

    required_columns = ("numero_ministere", "code", "nom", "palier")
    summary_columns = ("code", "nom")

    class Meta(ImportResource.Meta):
        model = models.School
        fields = ("ministry_number", "code", "name", "level", "street", "city", "province",
                  "postal_code", "phone", "principal_name")
        import_id_fields = ("ministry_number",)


class StudentResource(ImportResource):
    niso = column("niso", "niso", Text(normalize_niso))
    legal_first_name = column("legal_first_name", "prenom_legal")
    legal_last_name = column("legal_last_name", "nom_legal")
    preferred_first_name = column("preferred_first_name", "prenom_usuel")
    preferred_last_name = column("preferred_last_name", "nom_usuel")
    date_of_birth = column("date_of_birth", "date_naissance", Date())
    gender = column("gender", "genre", Choice(models.Student.Gender.choices))
    language = column("language", "langue", Choice(models.Student.Language.choices),
                      default=models.Student.Language.FRENCH)
    school = column("school", "ecole", SchoolRef())
    grade = column("grade", "annee", Integer())
    homeroom = column("homeroom", "classe_titulaire")
    status = column("status", "statut", Choice(models.Student.Status.choices),
                    default=models.Student.Status.ACTIVE)
    street = column("street", "adresse")
    city = column("city", "ville")
    province = column("province", "province", Choice(Province.choices), default=Province.ON)
    postal_code = column("postal_code", "code_postal", Text(normalize_postal_code))

    required_columns = ("niso", "prenom_legal", "nom_legal", "date_naissance", "genre",
                        "ecole", "annee")
    summary_columns = ("nom_legal", "prenom_legal")

    class Meta(ImportResource.Meta):
        model = models.Student
        fields = ("niso", "legal_first_name", "legal_last_name", "preferred_first_name",
                  "preferred_last_name", "date_of_birth", "gender", "language", "school",
                  "grade", "homeroom", "status", "street", "city", "province", "postal_code")
        import_id_fields = ("niso",)

    def row_errors(self, instance) -> dict[str, str]:
        """An OEN already in the portal must be the same student, at one of the schools."""
        if not self.before:
            return {}
        if self.before["school"] not in self.school_ids:
            return {"niso": _("This OEN is a student of another school: ask the board to "
                              "transfer the student.")}
        born = instance.date_of_birth
        if isinstance(born, date) and self.before["date_of_birth"] != born.isoformat():
            return {"niso": _("This OEN is already another student's in the portal (the date "
                              "of birth differs): check the OEN.")}
        return {}

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        withdrawn = models.Student.Status.WITHDRAWN
        if self.before and instance.status == withdrawn and self.before["status"] != withdrawn:
            # The same rule as in the admin: guardians with no other active child.
            student_withdraw(student=instance, date=timezone.localdate(),
                             reason=self.file_name, actor=self.user)


class GuardianLinkResource(ImportResource):
    """One row per guardian and child: the guardian contact is found or created, then
    linked. A guardian is the same person when the names match and the contact is already
    linked to this child, or has the same email or main phone number."""

    student = column("student", "niso", StudentRef())
    guardian = column("guardian", GUARDIAN_KEY, GuardianRef())
    relationship = column("relationship", "lien",
                          Choice(models.StudentGuardian.Relationship.choices))
    has_custody = column("has_custody", "garde", Boolean(), default=True)
    has_access_rights = column("has_access_rights", "droit_acces", Boolean(), default=False)
    lives_with = column("lives_with", "habite_avec", Boolean(), default=True)
    emergency_contact = column("emergency_contact", "contact_urgence", Boolean(),
                               default=False)
    contact_order = column("contact_order", "ordre_contact", Integer(), default=1)
    portal_access = column("portal_access", "acces_portail", Boolean(), default=True)
    portal_access_off_reason = column("portal_access_off_reason", "motif_acces_ferme")

    # The guardian contact's columns: column → (Guardian attribute, widget).
    GUARDIAN_COLUMNS = {
        "prenom_parent": ("first_name", Text()),
        "nom_parent": ("last_name", Text()),
        "courriel": ("email", Text()),
        "telephone_principal": ("primary_phone", Text(normalize_phone)),
        "cellulaire": ("cell_phone", Text(normalize_phone)),
        "telephone_travail": ("work_phone", Text(normalize_phone)),
        "langue_parent": ("preferred_language", Choice(settings.LANGUAGES)),
        "adresse": ("street", Text()),
        "ville": ("city", Text()),
        "province": ("province", Choice(Province.choices)),
        "code_postal": ("postal_code", Text(normalize_postal_code)),
    }
    extra_columns = tuple(GUARDIAN_COLUMNS)
    required_columns = ("niso", "prenom_parent", "nom_parent", "lien")
    summary_columns = ("nom_parent", "prenom_parent", "niso")

    class Meta(ImportResource.Meta):
        model = models.StudentGuardian
        fields = ("student", "guardian", "relationship", "has_custody", "has_access_rights",
                  "lives_with", "emergency_contact", "contact_order", "portal_access",
                  "portal_access_off_reason")
        import_id_fields = ("student", "guardian")

    def before_import(self, dataset, **kwargs):
        dataset.append_col([""] * dataset.height, header=GUARDIAN_KEY)

    def column_for(self, attribute: str) -> str:
        for name, (guardian_attribute, _widget) in self.GUARDIAN_COLUMNS.items():
            if guardian_attribute == attribute:
                return name
        return super().column_for(attribute)

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        row[GUARDIAN_KEY] = ""
        try:
            student = self.fields["student"].clean(row)
        except ValueError:
            return  # reported with the row's other errors
        if student is None:
            return
        values, errors = {}, {}
        for name, (attribute, widget) in self.GUARDIAN_COLUMNS.items():
            try:
                value = widget.clean(row.get(name))
            except ValueError as error:
                errors[attribute] = [str(error)]
                continue
            if value not in (None, ""):
                values[attribute] = value
        guardian = self.guardian_for(student, values)
        before = snapshot(guardian) if guardian.pk else {}
        for attribute, value in values.items():
            setattr(guardian, attribute, value)
        try:
            guardian.full_clean(exclude=list(errors))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        guardian.save()
        self.audit(guardian, before=before)
        row[GUARDIAN_KEY] = guardian.pk

    @staticmethod
    def guardian_for(student: models.Student, values: dict) -> models.Guardian:
        same_name = models.Guardian.objects.filter(
            first_name__iexact=values.get("first_name", ""),
            last_name__iexact=values.get("last_name", ""))
        same_person = same_name.filter(student_links__student=student).first()
        if same_person is None and values.get("email"):
            same_person = same_name.filter(email__iexact=values["email"]).first()
        if same_person is None and values.get("primary_phone"):
            same_person = same_name.filter(primary_phone=values["primary_phone"]).first()
        return same_person or models.Guardian()


class EnrolmentResource(ImportResource):
    student = column("student", "niso", StudentRef())
    school = column("school", "ecole", SchoolRef())
    grade = column("grade", "annee", Integer())
    entry_date = column("entry_date", "date_entree", Date())
    entry_reason = column("entry_reason", "motif_entree")
    withdrawal_date = column("withdrawal_date", "date_sortie", Date())
    withdrawal_reason = column("withdrawal_reason", "motif_sortie")

    required_columns = ("niso", "ecole", "annee", "date_entree")
    summary_columns = ("niso", "ecole", "date_entree")

    class Meta(ImportResource.Meta):
        model = models.Enrolment
        fields = ("student", "school", "grade", "entry_date", "entry_reason",
                  "withdrawal_date", "withdrawal_reason")
        import_id_fields = ("student", "school", "entry_date")


class CourseResource(ImportResource):
    code = column("code", "code", Text(str.upper))
    title_fr = column("title_fr", "titre_fr")
    title_en = column("title_en", "titre_en")
    credit_value = column("credit_value", "credits", Decimal(), default=1)

    required_columns = ("code", "titre_fr", "titre_en")
    summary_columns = ("code", "titre_fr")

    class Meta(ImportResource.Meta):
        model = models.Course
        fields = ("code", "title_fr", "title_en", "credit_value")
        import_id_fields = ("code",)


class SectionResource(ImportResource):
    course = column("course", "cours", CourseRef())
    school = column("school", "ecole", SchoolRef())
    term = column("term", "etape", TermRef())
    section_number = column("section_number", "section")
    teacher_name = column("teacher_name", "enseignant")
    room = column("room", "salle")

    extra_columns = ("annee_scolaire",)
    required_columns = ("cours", "ecole", "annee_scolaire", "etape", "section")
    summary_columns = ("cours", "section", "ecole")

    class Meta(ImportResource.Meta):
        model = models.Section
        fields = ("course", "school", "term", "section_number", "teacher_name", "room")
        import_id_fields = ("course", "term", "section_number")


# --- The kinds of file, and who may import them ------------------------------------------

@dataclass(frozen=True)
class ImportKind:
    label: str
    resource: type[ImportResource]
    permissions: tuple[str, ...]
    # Schools and courses are the board's: a school's staff cannot create them.
    board_only: bool = False


KINDS = {
    "schools": ImportKind(gettext_lazy("Schools"), SchoolResource,
                          ("students.add_school", "students.change_school"), board_only=True),
    "students": ImportKind(gettext_lazy("Students"), StudentResource,
                           ("students.add_student", "students.change_student")),
    "guardians": ImportKind(gettext_lazy("Guardians and their links to students"),
                            GuardianLinkResource,
                            ("students.add_guardian", "students.change_guardian",
                             "students.add_studentguardian", "students.change_studentguardian")),
    "enrolments": ImportKind(gettext_lazy("Enrolments"), EnrolmentResource,
                             ("students.add_enrolment", "students.change_enrolment")),
    "courses": ImportKind(gettext_lazy("Courses"), CourseResource,
                          ("students.add_course", "students.change_course"), board_only=True),
    "sections": ImportKind(gettext_lazy("Sections"), SectionResource,
                           ("students.add_section", "students.change_section")),
}


def importer_schools(user: User) -> QuerySet[models.School]:
    """The schools this member of staff imports for: theirs, or all for board-level staff."""
    school_ids = staff_school_ids(user)
    if school_ids is None:
        return models.School.objects.all()
    return models.School.objects.filter(pk__in=school_ids)


def kinds_for(user: User) -> dict[str, ImportKind]:
    board = is_board_level(user)
    return {name: kind for name, kind in KINDS.items()
            if user.has_perms(kind.permissions) and (board or not kind.board_only)}


# --- Reading a file and running an import ---------------------------------------------

@dataclass
class RowReport:
    line: int
    status: str
    summary: str
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowReport]
    imported: bool

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.rows if row.status == "new")

    @property
    def update_count(self) -> int:
        return sum(1 for row in self.rows if row.status == "update")


@dataclass
class CsvFile:
    dataset: tablib.Dataset
    lines: list[int]
    bad_rows: list[RowReport]


def csv_decode(content: bytes) -> str:
    """The text of an uploaded file, or why it is not a UTF-8 CSV file."""
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is too large (over %(size)d MB): split it, for "
                                "example one file per school.") % {
                                    "size": MAX_FILE_BYTES // (1024 * 1024)})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV file in UTF-8. In Excel, save it as “CSV "
                                "UTF-8 (délimité par des virgules)”."))
    return text


def csv_read(text: str, resource: type[ImportResource]) -> CsvFile:
    """Rows of the file with their line numbers; rows with the wrong number of cells are
    reported rather than imported."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = [(reader.line_num, cells) for cells in reader
                   if any(cell.strip() for cell in cells)]
    except csv.Error:
        raise ImportFileError(_("The file cannot be read as CSV near line %(line)d: check "
                                "its quotes.") % {"line": reader.line_num}) from None
    if not records:
        raise ImportFileError(_("The file is empty."))
    (_line, header_cells), *rows = records
    headers = [header_name(cell) for cell in header_cells]
    _check_headers(headers, resource)
    if not rows:
        raise ImportFileError(_("The file has a header row but no rows under it."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)s rows, more than the %(limit)s a file may have: split "
              "it, for example one file per school.")
            % {"rows": number_format(len(rows), force_grouping=True),
               "limit": number_format(MAX_ROWS, force_grouping=True)})
    dataset = tablib.Dataset(headers=headers)
    lines, bad_rows = [], []
    for line, cells in rows:
        if len(cells) != len(headers):
            # What the cells say of the record, as far as they go.
            summary = resource.summary(dict(zip(headers, cells, strict=False)))
            bad_rows.append(RowReport(line=line, status="error", summary=summary, errors=[
                _("This row has %(cells)d cells where the header has %(columns)d columns.")
                % {"cells": len(cells), "columns": len(headers)}]))
            continue
        dataset.append([cell.strip() for cell in cells])
        lines.append(line)
    return CsvFile(dataset=dataset, lines=lines, bad_rows=bad_rows)


def _check_headers(headers: list[str], resource: type[ImportResource]) -> None:
    known = resource.columns()
    problems = []
    duplicates = sorted({name for name in headers if headers.count(name) > 1})
    if duplicates:
        problems.append(_("Columns given twice: %(columns)s.") % {
            "columns": ", ".join(duplicates)})
    unknown = [name for name in headers if name not in known]
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    missing = [name for name in resource.required_columns if name not in headers]
    if missing:
        problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if problems:
        problems.append(_("The columns of this kind of file are: %(columns)s.") % {
            "columns": ", ".join(known)})
        raise ImportFileError(" ".join(problems))


STATUS = {RowResult.IMPORT_TYPE_NEW: "new", RowResult.IMPORT_TYPE_UPDATE: "update"}


def import_run(*, kind: str, text: str, file_name: str, user: User,
               dry_run: bool) -> ImportReport:
    """Validate every row, and import them all (unless `dry_run`) only if all are good.

    Raises ImportFileError when the file as a whole is unusable.
    """
    resource_class = KINDS[kind].resource
    parsed = csv_read(text, resource_class)
    resource = resource_class(user=user, schools=importer_schools(user), lines=parsed.lines,
                              file_name=file_name)
    result = resource.import_data(
        parsed.dataset, dry_run=dry_run or bool(parsed.bad_rows), use_transactions=True,
        rollback_on_validation_errors=True,
    )
    if result.base_errors:
        raise ImportFileError(_("The import failed: %(error)s") % {
            "error": result.base_errors[0].error})
    rows = list(parsed.bad_rows)
    for line, row, row_result in zip(parsed.lines, parsed.dataset.dict, result.rows,
                                     strict=True):
        errors = []
        if row_result.validation_error is not None:
            errors = resource.error_messages(row_result.validation_error)
        errors += [_("Unexpected error: %(error)s") % {"error": error.error}
                   for error in row_result.errors]
        rows.append(RowReport(line=line, status="error" if errors else
                              STATUS.get(row_result.import_type, "update"),
                              summary=resource.summary(row), errors=errors))
    rows.sort(key=lambda report: report.line)
    imported = not dry_run and not any(report.errors for report in rows)
    return ImportReport(rows=rows, imported=imported)
