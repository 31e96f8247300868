"""Start-of-year import: CSV files of schools, students, guardians and their links,
enrolments, courses and sections, checked and imported by a Celery task (ImportJob).

Our own small importer rather than django-import-export. The library's value is its
per-row machinery (a Resource loads, cleans, validates and saves one row at a time, with a
query or more per step) and its admin flow (in the web request, the file in temporary
storage). A whole board's file needs the opposite: every existing record and reference
read in a few queries, rows validated in memory, written with bulk_create/bulk_update in
one transaction, and the work in a task. Bending the library to that means overriding its
instance loader, validation, saving and admin views — more code than the importer below,
which reads the CSV with the standard library and keeps only what the portal needs.

A file (UTF-8 with or without a BOM, or Windows-1252 as Excel writes it; commas or
semicolons; a header row) is checked as a whole in the request (columns, size), then row by
row in a task: the preview lists what each row will do (new, update) or why it cannot be
imported. Confirming imports exactly that file (its SHA-256), in one transaction: one bad
row and nothing is written. A school's staff import only for their own schools.
"""

import csv
import decimal
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.db.models import CheckConstraint, F, Model, Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import snapshot
from accounts.models import AuditEvent, User
from accounts.scoping import is_board_level, staff_school_ids
from portail.formats import Province, normalize_niso, normalize_phone, normalize_postal_code
from portail.text import without_accents
from students import models
from students.privacy import student_withdraw

MAX_FILE_BYTES = 20 * 1024 * 1024
# A whole board: 20,000 students have about 35,000 guardian links. Checked in a task, in
# bulk, so the limit only guards the worker's memory.
MAX_ROWS = 100_000
# Rows listed on the preview page: all of a small file, else those with problems.
PREVIEW_ROWS = 1000


class ImportFileError(Exception):
    """The file as a whole cannot be read: the message says why, in the user's language."""


def fold(text: str) -> str:
    """Case, accents and spacing do not matter in codes: "Élémentaire" is "elementaire"."""
    bare = without_accents(str(text).strip().casefold())
    return "_".join(bare.replace("-", " ").replace("'", " ").replace("’", " ").split())


# Left out of a header, so that "Date de naissance" is the column date_naissance.
HEADER_SMALL_WORDS = {"d", "de", "des", "du", "l", "la", "le"}


def header_name(text: str) -> str:
    """A header as people write it, to the column's name: "Prénom légal" is prenom_legal."""
    return "_".join(word for word in fold(text).split("_") if word not in HEADER_SMALL_WORDS)


# --- Cells: a cell's text (never empty here) to a value, or ValueError in French --------

class Text:
    def __init__(self, normalize: Callable[[str], str] = str):
        self.normalize = normalize

    def __call__(self, text: str):
        return self.normalize(text)


class Choice:
    """A code or its label in French or English, whatever the case and accents."""

    def __init__(self, choices):
        self.choices = choices
        self._accepted: dict[str, object] = {}

    def __call__(self, text: str):
        if not self._accepted:
            for value, label in self.choices:
                self._accepted[fold(str(value))] = value
                for language in ("fr", "en"):
                    with translation.override(language):
                        self._accepted[fold(str(label))] = value
        if fold(text) not in self._accepted:
            raise ValueError(_("“%(value)s” is not one of: %(choices)s.") % {
                "value": text, "choices": ", ".join(str(code) for code, _l in self.choices)})
        return self._accepted[fold(text)]


class Boolean:
    TRUE = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
    FALSE = {"non", "n", "no", "faux", "false", "0"}

    def __call__(self, text: str) -> bool:
        if fold(text) in self.TRUE | self.FALSE:
            return fold(text) in self.TRUE
        raise ValueError(_("Write “oui” or “non”."))


class Integer:
    def __call__(self, text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(_("Write a whole number.")) from None


class Date:
    FORM = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")

    def __call__(self, text: str) -> date:
        try:
            return datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            if self.FORM.fullmatch(text):  # well written, but no such day: 2017-02-30
                raise ValueError(_("The date %(value)s does not exist.") % {"value": text}) \
                    from None
            raise ValueError(_("Write the date as YYYY-MM-DD, for example 2011-05-02.")) \
                from None


class Decimal:
    def __call__(self, text: str) -> decimal.Decimal:
        try:
            return decimal.Decimal(text.replace(",", "."))
        except decimal.InvalidOperation:
            raise ValueError(_("Write a number, for example 1 or 0,5.")) from None


class Ref:
    """A record the file names by its code, among those the importer may use: the
    importer loads them all at once (`Importer.load_refs`) into `found`."""

    def __init__(self, name: str, message, key: Callable[[str, dict], object]):
        self.name, self.message, self.key = name, message, key


SCHOOL = Ref("school", gettext_lazy("Unknown school, or not one of yours: %(value)s."),
             lambda text, row: fold(text))
STUDENT = Ref("student",
              gettext_lazy("Unknown student, or not at one of your schools: OEN %(value)s."),
              lambda text, row: normalize_niso(text))
COURSE = Ref("course", gettext_lazy("Unknown course: %(value)s. Import it first."),
             lambda text, row: text.upper())
TERM = Ref("term", gettext_lazy("Unknown term %(value)s for this school and school year."),
           lambda text, row: (fold(row.get("ecole", "")), row.get("annee_scolaire", ""),
                              fold(text)))


@dataclass(frozen=True)
class Column:
    name: str
    attribute: str
    parse: Callable = field(default_factory=Text)
    default: object = None  # for an empty cell; None: the empty value ("" for text)


# --- Checking a record without a query per row -------------------------------------------

def _holds(condition: Q, instance: Model) -> bool | None:
    """A check constraint's condition on an unsaved record, in SQL's three-valued logic
    (None: unknown, which a CHECK accepts). Covers the lookups the portal's constraints
    use; Django's own check runs one query per record and constraint."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_holds(child, instance))
            continue
        lookup, expected = child
        name, _sep, operator = lookup.partition("__")
        value = getattr(instance, instance._meta.get_field(name).attname)
        if isinstance(expected, F):
            expected = getattr(instance, instance._meta.get_field(expected.name).attname)
        if operator == "isnull":
            results.append((value is None) == expected)
        elif value is None or expected is None:
            results.append(None)
        else:
            results.append(CONDITIONS[operator or "exact"](value, expected))
    if condition.connector == Q.AND:
        held = False if False in results else (None if None in results else True)
    else:
        held = True if True in results else (None if None in results else False)
    return held if held is None or not condition.negated else not held


CONDITIONS = {
    "exact": lambda value, expected: value == expected,
    "regex": lambda value, expected: re.search(expected, str(value)) is not None,
    "gt": lambda value, expected: value > expected,
    "gte": lambda value, expected: value >= expected,
    "lt": lambda value, expected: value < expected,
    "lte": lambda value, expected: value <= expected,
}


def record_errors(instance: Model, errors: dict[str, list]) -> dict[str, list]:
    """The model's own checks (fields, its check constraints), added to `errors`; fields
    already in error are not checked again, as in full_clean."""
    # A related record set here was found by the importer; an unset one is reported.
    found = [f.name for f in instance._meta.concrete_fields if f.is_relation
             and (getattr(instance, f.attname) is not None or f.is_cached(instance))]
    try:
        instance.clean_fields(exclude=[*errors, *found])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for constraint in instance._meta.constraints:
        if (isinstance(constraint, CheckConstraint)
                and not constraint.condition.referenced_base_fields & set(errors)
                and _holds(constraint.condition, instance) is False):
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                str(constraint.get_violation_error_message()))
    return errors


# --- Importers: one per kind of file -------------------------------------------------------

@dataclass
class RowPlan:
    line: int
    summary: str
    instance: Model | None = None
    new: bool = False
    errors: list[str] = field(default_factory=list)
    # Audit records: (record, before, after); an `after` of None is taken once written.
    audit: list[tuple[Model, dict, dict | None]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "error" if self.errors else ("new" if self.new else "update")


class Importer:
    """Plans every row of a file in bulk (`plan`), then writes them all (`write`).

    Subclasses give their columns, the attributes that identify a record (`key`), the
    columns that name it in the preview, and which are required.
    """

    model: type[Model]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: tuple[str, ...] = ()
    summary_columns: tuple[str, ...] = ()
    extra_columns: tuple[str, ...] = ()  # read by the importer, not written to a field

    def __init__(self, *, user: User, file_name: str, writing: bool):
        # The audit's before/after copies are made only for a run that writes.
        self.user, self.file_name, self.writing = user, file_name, writing
        school_ids = staff_school_ids(user)
        schools = models.School.objects.all()
        self.schools = schools if school_ids is None else schools.filter(pk__in=school_ids)
        self.found: dict[str, dict] = {}
        self.existing: dict[tuple, Model] = {}

    @classmethod
    def column_names(cls) -> list[str]:
        return [*(column.name for column in cls.columns), *cls.extra_columns]

    def column_for(self, attribute: str) -> str:
        return next((c.name for c in self.columns if c.attribute == attribute), attribute)

    @classmethod
    def summary(cls, row: dict) -> str:
        return " ".join(row[name] for name in cls.summary_columns if row.get(name))

    # Loading, in a few queries for the whole file.
    def load_refs(self, rows: list[dict]) -> None:
        cells = {column.parse.name: {row[column.name] for row in rows if row.get(column.name)}
                 for column in self.columns if isinstance(column.parse, Ref)}
        self.found["school"] = {fold(school.code): school for school in self.schools}
        self.school_ids = {school.pk for school in self.found["school"].values()}
        if "student" in cells:
            nisos = {normalize_niso(text) for text in cells["student"]}
            self.found["student"] = {student.niso: student for student in _chunked(
                models.Student.objects.filter(school__in=self.schools), "niso__in", nisos)}
        if "course" in cells:
            codes = {text.upper() for text in cells["course"]}
            self.found["course"] = {course.code: course for course in
                                    models.Course.objects.filter(code__in=codes)}
        if "term" in cells:
            years = {row["annee_scolaire"] for row in rows if row.get("annee_scolaire")}
            terms = models.Term.objects.filter(
                school__in=self.schools, school_year__name__in=years,
            ).select_related("school", "school_year")
            self.found["term"] = {(fold(term.school.code), term.school_year.name,
                                   fold(term.code)): term for term in terms}

    def load_existing(self, keys: list[tuple]) -> None:
        """Records of the file already in the portal, by key (scope aside: a key taken at
        another school is an error, not a new record)."""
        first = self.key[0]
        values = {key[0] for key in keys}
        for record in _chunked(self.model.objects.all(), f"{first}__in", values):
            self.existing[self.record_key(record)] = record

    def record_key(self, record: Model) -> tuple:
        return tuple(_key_part(getattr(record, attribute)) for attribute in self.key)

    # Planning: every row to a record, or to its errors.
    def plan(self, rows: list[tuple[int, dict]], progress: Callable[[int], None]) -> list:
        self.load_refs([row for _line, row in rows])
        parsed = [(line, row, *self.values(row)) for line, row in rows]
        self.load_existing([self.key_of(values) for _line, _row, values, errors in parsed
                            if not set(self.key) & set(errors)])
        self.load_unique([values for _line, _row, values, _errors in parsed])
        seen: dict[tuple, int] = {}
        plans = []
        for number, (line, row, values, errors) in enumerate(parsed, start=1):
            plans.append(self.plan_row(line, row, values, errors, seen))
            if number % settings.IMPORT_BATCH_SIZE == 0:
                progress(number)
        return plans

    def values(self, row: dict) -> tuple[dict, dict]:
        """The row's cells as values, by attribute, and the cells' errors."""
        values, errors = {}, {}
        for column in self.columns:
            if column.name not in row:
                continue  # a column left out of the file leaves the field as it is
            text = row[column.name]
            try:
                if not text:
                    value = "" if column.default is None and isinstance(column.parse, Text) \
                        else column.default
                elif isinstance(column.parse, Ref):
                    value = self.found[column.parse.name].get(column.parse.key(text, row))
                    if value is None:
                        raise ValueError(column.parse.message % {"value": text})
                else:
                    value = column.parse(text)
            except ValueError as error:
                errors[column.attribute] = [str(error)]
                continue
            values[column.attribute] = value
        return values, errors

    def key_of(self, values: dict) -> tuple:
        return tuple(_key_part(values.get(attribute)) for attribute in self.key)

    def plan_row(self, line: int, row: dict, values: dict, errors: dict,
                 seen: dict) -> RowPlan:
        plan = RowPlan(line=line, summary=self.summary(row))
        key = self.key_of(values)
        if not set(self.key) & set(errors) and None not in key and "" not in key:
            if key in seen:
                errors.setdefault(self.key[0], []).append(
                    _("Same %(columns)s as line %(line)d: a record appears once per file.")
                    % {"columns": ", ".join(self.column_for(a) for a in self.key),
                       "line": seen[key]})
            seen.setdefault(key, line)
        instance = self.existing.get(key)
        plan.new = instance is None
        instance = instance or self.model()
        before = {} if plan.new else snapshot(instance)
        for attribute, value in values.items():
            setattr(instance, attribute, value)
        errors = record_errors(instance, errors)
        for attribute, message in self.row_errors(instance, before).items():
            errors.setdefault(attribute, []).append(message)
        self.check_unique(instance, errors)
        plan.instance, plan.errors = instance, self.messages(errors)
        if not plan.errors and self.writing:
            after = None if plan.new else snapshot(instance)
            if after != before:
                plan.audit.append((instance, before, after))
        return plan

    def row_errors(self, instance: Model, before: dict) -> dict[str, str]:
        """Checks beyond the model's own; keyed by attribute."""
        return {}

    # Unique fields other than the key (a school's code): taken in the portal or the file.
    def load_unique(self, all_values: list[dict]) -> None:
        self.unique = {f.name: {} for f in self.model._meta.concrete_fields
                       if f.unique and not f.primary_key and f.name not in self.key
                       and any(c.attribute == f.name for c in self.columns)}
        for name, taken in self.unique.items():
            wanted = {values[name] for values in all_values if values.get(name)}
            for pk, value in _chunked(self.model.objects.values_list("pk", name),
                                      f"{name}__in", wanted):
                taken[value] = pk

    def check_unique(self, instance: Model, errors: dict) -> None:
        for name, taken in self.unique.items():
            value = getattr(instance, name)
            if name in errors or not value:
                continue
            if taken.setdefault(value, _key_part(instance)) != _key_part(instance):
                errors[name] = [instance.unique_error_message(self.model, (name,))]

    def attributes(self) -> list[str]:
        """The attributes in the order of the columns' documentation."""
        return [column.attribute for column in self.columns]

    def messages(self, errors: dict[str, list]) -> list[str]:
        """"colonne : message" for each error of a row, in the columns' order."""
        order = {attribute: index for index, attribute in enumerate(self.attributes())}
        lines = []
        for attribute, messages in sorted(errors.items(),
                                          key=lambda item: order.get(item[0], len(order))):
            for message in messages:
                text = " ".join(ValidationError(message).messages)
                lines.append(text if attribute == NON_FIELD_ERRORS else
                             _("%(column)s: %(message)s") % {
                                 "column": self.column_for(attribute), "message": text})
        return lines

    # Writing: in batches, in the caller's transaction.
    def write(self, plans: list[RowPlan], progress: Callable[[int], None]) -> None:
        self.save(self.model, [plan.instance for plan in plans if plan.new],
                  [plan.instance for plan in plans if not plan.new and plan.audit],
                  [c.attribute for c in self.columns], progress)
        self.audit([entry for plan in plans for entry in plan.audit])

    @staticmethod
    def save(model: type[Model], new: list[Model], changed: list[Model],
             attributes: list[str], progress: Callable[[int], None]) -> None:
        size = settings.IMPORT_BATCH_SIZE
        for start in range(0, len(new), size):
            model.objects.bulk_create(new[start:start + size])
            progress(start + len(new[start:start + size]))
        for start in range(0, len(changed), size):
            model.objects.bulk_update(changed[start:start + size], attributes)
            progress(len(new) + start + len(changed[start:start + size]))

    def audit(self, entries: list[tuple[Model, dict, dict | None]]) -> None:
        """One audit record per change, as audit_record writes it, in bulk."""
        events = []
        for instance, before, after in entries:
            after = snapshot(instance) if after is None else after
            for values in (before, after):
                if values.get("id", 0) is None:  # planned before the record had one
                    values["id"] = instance.pk
            events.append(AuditEvent(
                actor=self.user, action="csv_import", object_type=instance._meta.label_lower,
                object_id=str(instance.pk), object_repr=str(instance)[:200],
                before=before, after=after, reason=self.file_name[:300]))
        AuditEvent.objects.bulk_create(events, batch_size=settings.IMPORT_BATCH_SIZE)


def _key_part(value):
    """A record in a key by its id, or by itself while it has none."""
    if isinstance(value, Model):
        return value.pk or id(value)
    return value


def _chunked(queryset, lookup: str, values: set, size: int = 10_000):
    """The rows whose `lookup` is among `values`, a few thousand values per query."""
    values = sorted(values, key=str)
    for start in range(0, len(values), size):
        yield from queryset.filter(**{lookup: values[start:start + size]})


class SchoolImporter(Importer):
    model = models.School
    columns = (
        Column("numero_ministere", "ministry_number"),
        Column("code", "code", Text(str.upper)),
        Column("nom", "name"),
        Column("palier", "level", Choice(models.Level.choices)),
        Column("adresse", "street"),
        Column("ville", "city"),
        Column("province", "province", Choice(Province.choices), default=Province.ON),
        Column("code_postal", "postal_code", Text(normalize_postal_code)),
        Column("telephone", "phone", Text(normalize_phone)),
        Column("direction", "principal_name"),
    )
    key = ("ministry_number",)
    required = ("numero_ministere", "code", "nom", "palier")
    summary_columns = ("code", "nom")


class StudentImporter(Importer):
    model = models.Student
    columns = (
        Column("niso", "niso", Text(normalize_niso)),
        Column("prenom_legal", "legal_first_name"),
        Column("nom_legal", "legal_last_name"),
        Column("prenom_usuel", "preferred_first_name"),
        Column("nom_usuel", "preferred_last_name"),
        Column("date_naissance", "date_of_birth", Date()),
        Column("genre", "gender", Choice(models.Student.Gender.choices)),
        Column("langue", "language", Choice(models.Student.Language.choices),
               default=models.Student.Language.FRENCH),
        Column("ecole", "school", SCHOOL),
        Column("annee", "grade", Integer()),
        Column("classe_titulaire", "homeroom"),
        Column("statut", "status", Choice(models.Student.Status.choices),
               default=models.Student.Status.ACTIVE),
        Column("adresse", "street"),
        Column("ville", "city"),
        Column("province", "province", Choice(Province.choices), default=Province.ON),
        Column("code_postal", "postal_code", Text(normalize_postal_code)),
    )
    key = ("niso",)
    required = ("niso", "prenom_legal", "nom_legal", "date_naissance", "genre", "ecole",
                "annee")
    summary_columns = ("nom_legal", "prenom_legal")

    def row_errors(self, instance, before) -> dict[str, str]:
        """An OEN already in the portal must be the same student, at one of the schools."""
        if not before:
            return {}
        if before["school"] not in self.school_ids:
            return {"niso": _("This OEN is a student of another school: ask the board to "
                              "transfer the student.")}
        born = instance.date_of_birth
        if isinstance(born, date) and before["date_of_birth"] != born.isoformat():
            return {"niso": _("This OEN is already another student's in the portal (the date "
                              "of birth differs): check the OEN.")}
        return {}

    def write(self, plans, progress):
        withdrawn = models.Student.Status.WITHDRAWN
        leaving = [plan for plan in plans if plan.audit and plan.audit[0][1]
                   and plan.audit[0][1]["status"] != withdrawn
                   and plan.instance.status == withdrawn]
        super().write(plans, progress)
        for plan in leaving:
            # The same rule as in the admin: guardians with no other active child.
            student_withdraw(student=plan.instance, date=timezone.localdate(),
                             reason=self.file_name, actor=self.user)


class GuardianLinkImporter(Importer):
    """One row per guardian and child: the guardian contact is found or created, then
    linked. A guardian is the same person when the names match and the contact is already
    linked to this child, or has the same email or main phone number (in the portal or on
    an earlier row of the file)."""

    model = models.StudentGuardian
    columns = (
        Column("niso", "student", STUDENT),
        Column("lien", "relationship", Choice(models.StudentGuardian.Relationship.choices)),
        # Nothing that shows a child on the portal is on by default: the file says so.
        Column("garde", "has_custody", Boolean(), default=False),
        Column("droit_acces", "has_access_rights", Boolean(), default=False),
        Column("signaler_absences", "may_report_absences", Boolean(), default=False),
        Column("habite_avec", "lives_with", Boolean(), default=True),
        Column("contact_urgence", "emergency_contact", Boolean(), default=False),
        Column("ordre_contact", "contact_order", Integer(), default=1),
        Column("acces_portail", "portal_access", Boolean(), default=True),
        Column("motif_acces_ferme", "portal_access_off_reason"),
    )
    # The guardian contact's columns; an empty cell leaves the contact's value as it is.
    guardian_columns = (
        Column("prenom_parent", "first_name"),
        Column("nom_parent", "last_name"),
        Column("courriel", "email"),
        Column("telephone_principal", "primary_phone", Text(normalize_phone)),
        Column("cellulaire", "cell_phone", Text(normalize_phone)),
        Column("telephone_travail", "work_phone", Text(normalize_phone)),
        Column("langue_parent", "preferred_language", Choice(settings.LANGUAGES)),
        Column("adresse", "street"),
        Column("ville", "city"),
        Column("province", "province", Choice(Province.choices)),
        Column("code_postal", "postal_code", Text(normalize_postal_code)),
    )
    extra_columns = tuple(column.name for column in guardian_columns)
    key = ("student", "guardian")
    required = ("niso", "prenom_parent", "nom_parent", "lien")
    summary_columns = ("nom_parent", "prenom_parent", "niso")

    def column_for(self, attribute):
        return next((c.name for c in self.guardian_columns if c.attribute == attribute),
                    super().column_for(attribute))

    def attributes(self):
        return [*super().attributes(), *(c.attribute for c in self.guardian_columns)]

    def load_existing(self, keys):
        """The file's children's links, and the guardians the file may name again."""
        students = {key[0] for key in keys}
        links = _chunked(models.StudentGuardian.objects.select_related("guardian"),
                         "student_id__in", students)
        self.guardians: dict[tuple, models.Guardian] = {}
        for link in links:
            self.existing[(link.student_id, link.guardian_id)] = link
            self.remember(link.guardian, link.student_id)

    def load_refs(self, rows):
        super().load_refs(rows)
        emails = {row["courriel"].lower() for row in rows if row.get("courriel")}
        phones = {normalize_phone(row["telephone_principal"]) for row in rows
                  if row.get("telephone_principal")}
        self.contacts = [*_chunked(models.Guardian.objects.annotate(email_lower=Lower("email")),
                                   "email_lower__in", emails),
                         *_chunked(models.Guardian.objects.all(), "primary_phone__in", phones)]

    def remember(self, guardian: models.Guardian, student_id=None) -> None:
        names = (guardian.first_name.lower(), guardian.last_name.lower())
        if student_id is not None:
            self.guardians.setdefault((*names, "child", student_id), guardian)
        if guardian.email:
            self.guardians.setdefault((*names, "email", guardian.email.lower()), guardian)
        if guardian.primary_phone:
            self.guardians.setdefault((*names, "phone", guardian.primary_phone), guardian)

    def plan(self, rows, progress):
        self.load_refs([row for _line, row in rows])
        students = {self.found["student"].get(normalize_niso(row.get("niso", "")))
                    for _line, row in rows}
        self.load_existing([(student.pk,) for student in students if student])
        for guardian in sorted(self.contacts, key=lambda guardian: guardian.pk):
            self.remember(guardian)
        self.unique = {}
        self.planned: dict[int, models.Guardian] = {}  # id() → guardian, in file order
        seen: dict[tuple, int] = {}
        plans = []
        for number, (line, row) in enumerate(rows, start=1):
            values, errors = self.values(row)
            guardian_plan = self.guardian_for(row, values.get("student"), errors)
            if guardian_plan:
                values["guardian"] = guardian_plan[0]
            else:
                errors.setdefault("guardian", [])  # the student's error says enough
            plan = self.plan_row(line, row, values, errors, seen)
            if guardian_plan and not plan.errors:
                guardian, before = guardian_plan
                self.planned[id(guardian)] = guardian
                self.remember(guardian, getattr(values.get("student"), "pk", None))
                after = snapshot(guardian) if self.writing else before
                if after != before:
                    plan.audit.insert(0, (guardian, before, after))
            plans.append(plan)
            if number % settings.IMPORT_BATCH_SIZE == 0:
                progress(number)
        return plans

    def guardian_for(self, row, student, errors) -> tuple[models.Guardian, dict] | None:
        """The row's guardian with the row's values set, and its values before the row."""
        values = {}
        for column in self.guardian_columns:
            if row.get(column.name):
                try:
                    values[column.attribute] = column.parse(row[column.name])
                except ValueError as error:
                    errors[column.attribute] = [str(error)]
        names = (values.get("first_name", "").lower(), values.get("last_name", "").lower())
        guardian = student and (
            self.guardians.get((*names, "child", student.pk))
            or self.guardians.get((*names, "email", values.get("email", "").lower()))
            or self.guardians.get((*names, "phone", values.get("primary_phone", ""))))
        if guardian is None:
            # Also without a student: the contact's own errors are listed in the same pass.
            guardian = models.Guardian()
        known = guardian.pk or id(guardian) in self.planned
        before = snapshot(guardian) if known and self.writing else {}
        for attribute, value in values.items():
            setattr(guardian, attribute, value)
        for attribute, messages in record_errors(guardian, {a: [] for a in errors}).items():
            if messages:
                errors.setdefault(attribute, []).extend(messages)
        return (guardian, before) if student else None

    def write(self, plans, progress):
        guardians = list(self.planned.values())
        self.save(models.Guardian, [g for g in guardians if not g.pk],
                  [g for g in guardians if g.pk],
                  [c.attribute for c in self.guardian_columns], lambda done: None)
        super().write(plans, progress)


class EnrolmentImporter(Importer):
    model = models.Enrolment
    columns = (
        Column("niso", "student", STUDENT),
        Column("ecole", "school", SCHOOL),
        Column("annee", "grade", Integer()),
        Column("date_entree", "entry_date", Date()),
        Column("motif_entree", "entry_reason"),
        Column("date_sortie", "withdrawal_date", Date()),
        Column("motif_sortie", "withdrawal_reason"),
    )
    key = ("student", "school", "entry_date")
    required = ("niso", "ecole", "annee", "date_entree")
    summary_columns = ("niso", "ecole", "date_entree")


class CourseImporter(Importer):
    model = models.Course
    columns = (
        Column("code", "code", Text(str.upper)),
        Column("titre_fr", "title_fr"),
        Column("titre_en", "title_en"),
        Column("credits", "credit_value", Decimal(), default=1),
    )
    key = ("code",)
    required = ("code", "titre_fr", "titre_en")
    summary_columns = ("code", "titre_fr")


class SectionImporter(Importer):
    model = models.Section
    columns = (
        Column("cours", "course", COURSE),
        Column("ecole", "school", SCHOOL),
        Column("etape", "term", TERM),
        Column("section", "section_number"),
        Column("enseignant", "teacher_name"),
        Column("salle", "room"),
    )
    extra_columns = ("annee_scolaire",)
    key = ("course", "term", "section_number")
    required = ("cours", "ecole", "annee_scolaire", "etape", "section")
    summary_columns = ("cours", "section", "ecole")


# --- The kinds of file, and who may import them ------------------------------------------

@dataclass(frozen=True)
class ImportKind:
    label: str
    importer: type[Importer]
    permissions: tuple[str, ...]
    # Schools and courses are the board's: a school's staff cannot create them.
    board_only: bool = False


# In the order of import: a file may name the records of the files before it.
KINDS = {
    "schools": ImportKind(gettext_lazy("Schools"), SchoolImporter,
                          ("students.add_school", "students.change_school"), board_only=True),
    "courses": ImportKind(gettext_lazy("Courses"), CourseImporter,
                          ("students.add_course", "students.change_course"), board_only=True),
    "students": ImportKind(gettext_lazy("Students"), StudentImporter,
                           ("students.add_student", "students.change_student")),
    "guardians": ImportKind(gettext_lazy("Guardians and their links to students"),
                            GuardianLinkImporter,
                            ("students.add_guardian", "students.change_guardian",
                             "students.add_studentguardian", "students.change_studentguardian")),
    "enrolments": ImportKind(gettext_lazy("Enrolments"), EnrolmentImporter,
                             ("students.add_enrolment", "students.change_enrolment")),
    "sections": ImportKind(gettext_lazy("Sections"), SectionImporter,
                           ("students.add_section", "students.change_section")),
}


def kinds_for(user: User) -> dict[str, ImportKind]:
    board = is_board_level(user)
    return {name: kind for name, kind in KINDS.items()
            if user.has_perms(kind.permissions) and (board or not kind.board_only)}


# --- Reading a file -------------------------------------------------------------------

def csv_decode(content: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without a BOM), or Windows-1252 as
    Excel saves "CSV (séparateur : point-virgule)"; else why it is not a CSV file."""
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is too large (over %(size)d MB): split it, for "
                                "example one file per school.") % {
                                    "size": MAX_FILE_BYTES // (1024 * 1024)})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            text = "\x00"
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV file in UTF-8. In Excel, save it as “CSV "
                                "UTF-8 (délimité par des virgules)”."))
    return text


@dataclass
class CsvFile:
    rows: list[tuple[int, dict]]  # (line, cells by column)
    bad_rows: list[RowPlan]


def csv_read(text: str, importer: type[Importer]) -> CsvFile:
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
    (_line, header_cells), *records = records
    headers = [header_name(cell) for cell in header_cells]
    _check_headers(headers, importer)
    if not records:
        raise ImportFileError(_("The file has a header row but no rows under it."))
    if len(records) > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)s rows, more than the %(limit)s a file may have: split "
              "it, for example one file per school.")
            % {"rows": number_format(len(records), force_grouping=True),
               "limit": number_format(MAX_ROWS, force_grouping=True)})
    rows, bad_rows = [], []
    for line, cells in records:
        row = dict(zip(headers, (cell.strip() for cell in cells), strict=False))
        if len(cells) != len(headers):
            # What the cells say of the record, as far as they go.
            bad_rows.append(RowPlan(line=line, summary=importer.summary(row), errors=[
                _("This row has %(cells)d cells where the header has %(columns)d columns.")
                % {"cells": len(cells), "columns": len(headers)}]))
        else:
            rows.append((line, row))
    return CsvFile(rows=rows, bad_rows=bad_rows)


def _check_headers(headers: list[str], importer: type[Importer]) -> None:
    known = importer.column_names()
    problems = []
    duplicates = sorted({name for name in headers if headers.count(name) > 1})
    if duplicates:
        problems.append(_("Columns given twice: %(columns)s.") % {
            "columns": ", ".join(duplicates)})
    unknown = [name for name in headers if name not in known]
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    missing = [name for name in importer.required if name not in headers]
    if missing:
        problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if problems:
        problems.append(_("The columns of this kind of file are: %(columns)s.") % {
            "columns": ", ".join(known)})
        raise ImportFileError(" ".join(problems))


def file_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- Import jobs: created by the page, run by a task ------------------------------------

def import_job_create(*, user: User, kind: str, file_name: str, text: str) -> models.ImportJob:
    """A job for a file already read (csv_read) in the request, for the task to check."""
    return models.ImportJob.objects.create(
        created_by=user, kind=kind, file_name=file_name[:200], content=text,
        sha256=file_hash(text), language=translation.get_language() or settings.LANGUAGE_CODE)


def import_job_confirm(*, job: models.ImportJob, sha256: str) -> bool:
    """Mark a checked job's file for import (the task runs it), if the page confirmed that
    very file and nothing in it was wrong."""
    return bool(models.ImportJob.objects.filter(
        pk=job.pk, status=models.ImportJob.Status.CHECKED, error_count=0, confirmed=False,
        sha256=sha256,
    ).update(status=models.ImportJob.Status.QUEUED, confirmed=True, rows_done=0))


def import_job_interrupted(job: models.ImportJob) -> bool:
    """A worker stopped in the middle (killed, machine restarted): its transaction is
    rolled back, and the heartbeat it left is older than the lease."""
    lease = timedelta(seconds=settings.IMPORT_HEARTBEAT_LEASE)
    return (job.status == models.ImportJob.Status.RUNNING
            and (job.heartbeat is None or job.heartbeat < timezone.now() - lease))


class Progress:
    """The job's heartbeat and rows done, written on a connection of its own: the import's
    transaction must not hold them, or the page would see nothing until the end.

    SQLite (the embedded default) lets one connection write at a time: a second one would
    wait for the import's transaction, which waits for it. There they are written in the
    import's transaction, seen at its end (tasks run in the request there anyway)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.own_connection = connection.vendor != "sqlite"
        self.connection = connection.copy() if self.own_connection else connection

    def __call__(self, done: int) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("UPDATE students_importjob SET heartbeat = %s, rows_done = %s "
                           "WHERE id = %s", [timezone.now(), done, self.job_id])

    def close(self) -> None:
        if self.own_connection:
            self.connection.close()


def import_job_run(*, job_id: int) -> None:
    """Check the job's file (or, once confirmed, import it all or nothing)."""
    Status = models.ImportJob.Status
    # Claimed once: a task redelivered after a worker died finds the job RUNNING and
    # leaves it to the page, which says to start again.
    if not models.ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.RUNNING, heartbeat=timezone.now()):
        return
    job = models.ImportJob.objects.select_related("created_by").get(pk=job_id)
    progress = Progress(job_id)
    try:
        with translation.override(job.language):
            plans = _job_rows(job, progress)
    except ImportFileError as error:
        job.status, job.message = Status.FAILED, str(error)
    else:
        errors = [plan for plan in plans if plan.errors]
        if job.confirmed and errors:
            job.confirmed, job.message = False, _(
                "Nothing was imported: some rows are no longer valid.")
        job.status = Status.IMPORTED if job.confirmed else Status.CHECKED
        job.new_count = sum(1 for plan in plans if plan.status == "new")
        job.update_count = sum(1 for plan in plans if plan.status == "update")
        job.error_count = len(errors)
        job.rows_total = len(plans)
        shown = plans if len(plans) <= PREVIEW_ROWS else (errors or plans)[:PREVIEW_ROWS]
        job.rows = [[plan.line, plan.status, plan.summary, plan.errors] for plan in shown]
        if job.status == Status.IMPORTED:
            job.content = ""  # personal data is kept no longer than needed
    finally:
        progress.close()
    job.heartbeat = timezone.now()
    job.save()


def _job_rows(job: models.ImportJob, progress: Progress) -> list[RowPlan]:
    importer_class = KINDS[job.kind].importer
    if file_hash(job.content) != job.sha256:
        raise ImportFileError(_("This preview has expired: upload the file again."))
    parsed = csv_read(job.content, importer_class)
    models.ImportJob.objects.filter(pk=job.pk).update(
        rows_total=len(parsed.rows) + len(parsed.bad_rows))
    importer = importer_class(user=job.created_by, file_name=job.file_name,
                              writing=job.confirmed)
    with transaction.atomic():
        plans = importer.plan(parsed.rows, progress)
        plans = sorted([*plans, *parsed.bad_rows], key=lambda plan: plan.line)
        if job.confirmed and not any(plan.errors for plan in plans):
            try:
                # Rows written count after the rows checked: the page shows both steps.
                importer.write(plans, lambda written: progress(len(plans) + written))
            except ValidationError as error:
                # A withdrawal the file asks for that the student's enrolments refuse.
                transaction.set_rollback(True)
                plans.append(RowPlan(line=0, summary="", errors=error.messages))
    return plans
