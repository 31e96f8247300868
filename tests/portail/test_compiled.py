"""portail.compiled: a queryset compiled once gives the queryset's objects, field by field,
with its select_related() models (nullable and nested, only() their columns), for one
integer or a tuple of them; and refuses a queryset whose SQL its values would change."""

import datetime

import pytest

from notifications.models import Group
from portail.compiled import CompiledQuery
from students.models import Student
from tests import factories
from tests.notifications.document_factories import published_report_card

pytestmark = pytest.mark.django_db


def values_of(instance) -> dict:
    """The loaded fields (not the deferred ones) and the related objects already loaded,
    the same way down."""
    loaded = {field.attname: getattr(instance, field.attname)
              for field in type(instance)._meta.concrete_fields
              if field.attname in instance.__dict__}
    related = {name: values_of(value) if value is not None else None
               for name, value in instance._state.fields_cache.items()}
    return {"model": type(instance), "fields": loaded, "related": related,
            "db": instance._state.db, "adding": instance._state.adding}


def assert_same_objects(compiled: CompiledQuery, value, *key) -> list:
    expected = list(compiled.queryset(value, *key))
    rows = compiled.rows(value, *key)
    assert [values_of(row) for row in rows] == [values_of(row) for row in expected]
    return rows


def test_a_tuple_of_ids_compiled_once_per_length(django_assert_num_queries):
    students = [factories.StudentFactory() for _n in range(4)]
    by_ids = CompiledQuery(lambda ids: Student.objects.filter(pk__in=ids).order_by("pk"),
                           related=("school",))
    for chosen in (students[:1], students[1:3], students, students[2:4]):
        pks = tuple(student.pk for student in chosen)
        rows = assert_same_objects(by_ids, pks)
        assert [row.pk for row in rows] == sorted(pks)
        with django_assert_num_queries(1):  # the school came with it
            assert [row.school.name for row in by_ids.rows(pks)] == [
                student.school.name for student in sorted(chosen, key=lambda s: s.pk)]
    assert by_ids._compiled.cache_info().currsize == 3  # lengths 1, 2 and 4


def test_a_value_used_more_than_once_and_a_small_integer():
    """A student's school in two conditions, and the grade (a small integer: Django leaves
    an out-of-range value out of the SQL, and psycopg sends it as Int2)."""
    alone = factories.StudentFactory(grade=4)
    factories.StudentFactory(school=alone.school, grade=5)
    same_grade = CompiledQuery(lambda values: Student.objects.filter(
        school=values[0], grade=values[1], school__in=[values[0]]))
    [row] = assert_same_objects(same_grade, (alone.school_id, 4))
    assert row.pk == alone.pk
    assert same_grade.rows((alone.school_id, 7)) == []


def test_a_nullable_foreign_key_selected_with_it():
    school = factories.SchoolFactory()
    Group.objects.create(kind=Group.Kind.BOARD, name="Conseil")
    Group.objects.create(kind=Group.Kind.SCHOOL, school=school, name="École")
    groups = CompiledQuery(lambda pk: Group.objects.filter(pk__gt=pk).order_by("name")
                           .only("name", "school__name"), related=("school",))
    board, of_school = assert_same_objects(groups, 0)
    assert board.school is None and of_school.school.name == school.name


def test_nested_related_models_with_only_their_columns(django_assert_num_queries):
    student = factories.StudentFactory()
    stored = published_report_card(student, publication_date=datetime.date(2026, 11, 1),
                                   version=2)
    from documents.models import ReportCardFile

    files = CompiledQuery(lambda card_id: ReportCardFile.objects.filter(card=card_id)
                          .select_related("card__period__school")
                          .only("version", "card__student_id", "card__period__name",
                                "card__period__school__code").order_by("-version"))
    rows = assert_same_objects(files, stored.card_id)
    with django_assert_num_queries(0):
        assert [(row.version, row.card.period.school.code) for row in rows] == [
            (2, student.school.code), (1, student.school.code)]


def test_no_related_names_select_no_related_model():
    """(select_related() without names would follow every non-null foreign key.)"""
    student = factories.StudentFactory()
    [row] = CompiledQuery(lambda pk: Student.objects.filter(pk=pk)).rows(student.pk)
    assert row._state.fields_cache == {}


@pytest.mark.parametrize("build", [
    lambda pk: Student.objects.filter(pk=1),  # the value unused
    lambda ids: Student.objects.filter(pk=ids[0]),  # one of a tuple's unused
    lambda pk: Student.objects.filter(legal_last_name__contains=pk),  # in a text
    lambda pk: Student.objects.filter(pk__gt=pk + 1),  # not the value itself
    lambda pk: Student.objects.all()[:pk],  # in the SQL's text
], ids=["unused", "one of a tuple unused", "in a text", "changed", "in the SQL"])
def test_a_value_that_is_not_its_parameters_is_refused(build):
    value = (5, 6) if "ids" in build.__code__.co_varnames else 5
    with pytest.raises(ValueError, match="not each one or more parameters"):
        CompiledQuery(build).rows(value)


def test_values_are_converted_as_the_orm_converts_them():
    """A field's own conversion (JSONField decodes its text) and the backend's (on SQLite,
    for `make run`: UUIDs and aware datetimes) apply as in a queryset."""
    from accounts.models import AuditEvent

    event = AuditEvent.objects.create(action="test", object_type="t", object_id="1",
                                      object_repr="r", after={"grade": 7, "names": ["Léa"]})
    by_id = CompiledQuery(lambda event_id: AuditEvent.objects.filter(pk=event_id))
    [compiled] = assert_same_objects(by_id, event.pk)
    assert compiled.after == {"grade": 7, "names": ["Léa"]}
