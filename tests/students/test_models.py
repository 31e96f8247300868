"""What must never be wrong is refused by the database itself, and shown in admin forms.

Each rule is checked twice: writes that skip validation (`create`, `bulk_create`,
`update`, raw SQL) hit a database constraint, and `full_clean()` (what the admin forms
call) gives the user the field's message for the same input.
"""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import translation

from students import models
from tests import factories

NISO_MESSAGE = "The OEN must have exactly 9 digits, for example 123-456-789."
POSTAL_MESSAGE = "Enter a Canadian postal code, for example K1G 6C3."
PHONE_MESSAGE = "Enter a 10-digit phone number, for example 613 555-0123."
DATES_MESSAGE = "The end date must come after the start date."

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    # Compare with the msgids, whatever the French catalogue says.
    with translation.override("en"):
        yield


# (factory, bad values, key of the error in full_clean(), message shown)
INVALID = {
    "niso-8-digits": (factories.StudentFactory, {"niso": "12345678"}, "niso", NISO_MESSAGE),
    "niso-letter": (factories.StudentFactory, {"niso": "12345678A"}, "niso", NISO_MESSAGE),
    "niso-inner-space": (factories.StudentFactory, {"niso": "1234 5678"}, "niso", NISO_MESSAGE),
    "postal-code-bad-letter": (
        factories.StudentFactory, {"postal_code": "K1D 6C3"}, "postal_code", POSTAL_MESSAGE,
    ),
    "postal-code-w-first": (
        factories.GuardianFactory, {"postal_code": "W1G 6C3"}, "postal_code", POSTAL_MESSAGE,
    ),
    "postal-code-o-for-zero": (
        factories.SchoolFactory, {"postal_code": "K1G 6CO"}, "postal_code", POSTAL_MESSAGE,
    ),
    "guardian-phone-9-digits": (
        factories.GuardianFactory, {"primary_phone": "613555012"}, "primary_phone",
        PHONE_MESSAGE,
    ),
    "guardian-cell-exchange-1": (
        factories.GuardianFactory, {"cell_phone": "6131550123"}, "cell_phone", PHONE_MESSAGE,
    ),
    "school-phone-area-0": (
        factories.SchoolFactory, {"phone": "0137428960"}, "phone", PHONE_MESSAGE,
    ),
    "enrolment-withdrawal-before-entry": (
        factories.EnrolmentFactory, {"withdrawal_date": datetime.date(2026, 9, 1)},
        NON_FIELD_ERRORS, "The withdrawal date cannot come before the entry date.",
    ),
    "term-ends-before-start": (
        factories.TermFactory, {"end_date": datetime.date(2026, 9, 1)}, NON_FIELD_ERRORS,
        DATES_MESSAGE,
    ),
    "school-year-ends-before-start": (
        factories.SchoolYearFactory, {"end_date": datetime.date(2026, 8, 31)}, NON_FIELD_ERRORS,
        DATES_MESSAGE,
    ),
    "school-year-ends-the-day-it-starts": (
        factories.SchoolYearFactory, {"end_date": datetime.date(2026, 9, 2)}, NON_FIELD_ERRORS,
        DATES_MESSAGE,
    ),
    "meeting-ends-before-start": (
        factories.MeetingFactory, {"end_time": datetime.time(8, 0)}, NON_FIELD_ERRORS,
        "The end time must come after the start time.",
    ),
    "portal-access-off-without-reason": (
        factories.StudentGuardianFactory, {"portal_access": False}, NON_FIELD_ERRORS,
        "Give the reason portal access is turned off.",
    ),
    "withdrawn-course-with-credit": (
        factories.CourseResultFactory, {"withdrawn": True}, NON_FIELD_ERRORS,
        "A withdrawn course earns no credit.",
    ),
    "mark-101": (
        factories.CourseResultFactory, {"mark": 101}, NON_FIELD_ERRORS,
        "A mark is between 0 and 100.",
    ),
}

# Typed shapes with one canonical form. The model fields normalise them on every ORM write,
# so only raw SQL (an import script, a manual fix) can try to store them as typed.
NOT_CANONICAL = {
    "postal-code-lower-case": (factories.StudentFactory, "postal_code", "k1c 2n4", "K1C 2N4"),
    "postal-code-no-space": (factories.GuardianFactory, "postal_code", "K1C2N4", "K1C 2N4"),
    "postal-code-lower-no-space": (factories.SchoolFactory, "postal_code", "k1g6c3", "K1G 6C3"),
    "niso-with-hyphens": (factories.StudentFactory, "niso", "123-456-789", "123456789"),
    "niso-with-spaces": (factories.StudentFactory, "niso", " 123 456 789", "123456789"),
    "phone-with-separators": (factories.SchoolFactory, "phone", "(613) 742-8960", "6137428960"),
    "phone-with-country-code": (
        factories.GuardianFactory, "work_phone", "+1 613 555 0123", "6135550123",
    ),
}

DATABASE_CASES = {name: (factory, values) for name, (factory, values, *_) in INVALID.items()}


def _model(factory) -> type:
    return factory._meta.model


@pytest.mark.parametrize(("factory", "values"), DATABASE_CASES.values(), ids=DATABASE_CASES)
def test_database_refuses_create(factory, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**values)


@pytest.mark.parametrize(("factory", "values"), DATABASE_CASES.values(), ids=DATABASE_CASES)
def test_database_refuses_update(factory, values):
    row = factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        _model(factory).objects.filter(pk=row.pk).update(**values)
    row.refresh_from_db()
    for field, value in values.items():
        assert getattr(row, field) != value


@pytest.mark.parametrize(
    ("factory", "values", "key", "message"), INVALID.values(), ids=INVALID
)
def test_full_clean_shows_the_error(factory, values, key, message):
    row = factory()
    for field, value in values.items():
        setattr(row, field, value)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert message in error.value.message_dict[key]


@pytest.mark.parametrize(
    ("factory", "field", "typed", "stored"), NOT_CANONICAL.values(), ids=NOT_CANONICAL
)
def test_every_write_path_stores_the_canonical_form(factory, field, typed, stored):
    # Each row is deleted once checked: the NISO is unique.
    created = factory(**{field: typed})
    created.refresh_from_db()
    assert getattr(created, field) == stored
    created.delete()

    updated = factory()
    _model(factory).objects.filter(pk=updated.pk).update(**{field: typed})
    updated.refresh_from_db()
    assert getattr(updated, field) == stored
    updated.delete()

    cleaned = factory()
    setattr(cleaned, field, typed)
    cleaned.full_clean()
    assert getattr(cleaned, field) == stored


@pytest.mark.parametrize(
    ("factory", "field", "typed", "stored"), NOT_CANONICAL.values(), ids=NOT_CANONICAL
)
def test_database_refuses_raw_sql_that_is_not_canonical(factory, field, typed, stored):
    row = factory()
    table = connection.ops.quote_name(_model(factory)._meta.db_table)
    column = connection.ops.quote_name(_model(factory)._meta.get_field(field).column)
    # PostgreSQL refuses a value longer than the column first (DataError), SQLite by the CHECK.
    with (
        pytest.raises((IntegrityError, DataError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
                       [typed, row.pk])
    row.refresh_from_db()
    assert getattr(row, field) != typed


def test_niso_longer_than_9_digits_is_refused():
    # PostgreSQL refuses it for its length (DataError) before the CHECK; SQLite by the CHECK.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        factories.StudentFactory(niso="1234567890")


def test_bulk_create_cannot_slip_a_bad_row_in():
    school = factories.SchoolFactory()
    rows = [factories.StudentFactory.build(school=school, niso=niso)
            for niso in ("999100001", "99910000X", "999100003")]
    with pytest.raises(IntegrityError), transaction.atomic():
        models.Student.objects.bulk_create(rows)
    assert not models.Student.objects.exists()


def test_duplicate_niso_is_refused():
    first = factories.StudentFactory(niso="999000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.StudentFactory(niso="999000001")

    twin = factories.StudentFactory.build(school=first.school, niso="999-000-001")
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert [e.code for e in error.value.error_dict["niso"]] == ["unique"]


class TestAttendance:
    DAY = datetime.date(2026, 10, 5)

    def test_two_full_day_records_the_same_day_are_refused(self):
        first = factories.AttendanceRecordFactory(date=self.DAY)
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.AttendanceRecordFactory(student=first.student, date=self.DAY)

        second = factories.AttendanceRecordFactory.build(
            student=first.student, date=self.DAY, code=first.code
        )
        with pytest.raises(ValidationError) as error:
            second.full_clean()
        assert NON_FIELD_ERRORS in error.value.message_dict

    def test_two_records_for_the_same_period_are_refused(self):
        first = factories.AttendanceRecordFactory(date=self.DAY, period=2)
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.AttendanceRecordFactory(student=first.student, date=self.DAY, period=2)

        second = factories.AttendanceRecordFactory.build(
            student=first.student, date=self.DAY, period=2, code=first.code
        )
        with pytest.raises(ValidationError) as error:
            second.full_clean()
        assert NON_FIELD_ERRORS in error.value.message_dict

    def test_a_full_day_and_periods_the_same_day_are_allowed(self):
        full_day = factories.AttendanceRecordFactory(date=self.DAY)
        late = factories.AttendanceCodeFactory(code="RET", kind=models.AttendanceCode.Kind.LATE)
        for period in (1, 2):
            record = factories.AttendanceRecordFactory.build(
                student=full_day.student, date=self.DAY, period=period, code=late
            )
            record.full_clean()
            record.save()
        # The same student another day, and another student the same day.
        factories.AttendanceRecordFactory(student=full_day.student,
                                          date=self.DAY + datetime.timedelta(days=1))
        factories.AttendanceRecordFactory(date=self.DAY)

        assert models.AttendanceRecord.objects.filter(
            student=full_day.student, date=self.DAY
        ).count() == 3
        assert models.AttendanceRecord.objects.count() == 5


def test_portal_access_off_with_a_reason_is_allowed():
    link = factories.StudentGuardianFactory(
        portal_access=False, portal_access_off_reason="Ordonnance du tribunal"
    )
    link.full_clean()
    assert models.StudentGuardian.objects.get(pk=link.pk).portal_access is False


@pytest.mark.parametrize("mark", [0, 100, None])
def test_marks_from_0_to_100_or_none_are_allowed(mark):
    result = factories.CourseResultFactory(mark=mark)
    result.full_clean()


def test_withdrawn_course_without_credit_is_allowed():
    result = factories.CourseResultFactory(withdrawn=True, credit_earned=0, mark=None)
    result.full_clean()
