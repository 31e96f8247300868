"""A queryset the ORM compiles once, run again with other values (students.selectors'
access query: every parent page runs the same SQL, only the user's id changes).

Django builds a queryset's filters and compiles them to SQL each time it runs it: for the
access query that was most of its CPU (bench/README.md, report-card day). Here the ORM
still writes the SQL, from the queryset (the rule stays written in one place): it compiles
it once per key, with markers in place of the values, and each call puts the values in the
markers' places, runs the SQL and makes the objects as the queryset would. Only the SQL
text is kept: the rows are read on every call.

The value is one integer (an id), or a tuple of integers (the ids of a parent's children,
say), compiled once per length: each integer of the tuple has its own marker.

Django's part: the query's compiler (as_sql(), get_converters(), and the select and
klass_info that describe the row; internal, not documented, stable for years), the
objects made as its ModelIterable makes them (Model.from_db(), documented, and the
RelatedPopulator of each select_related() model, internal). The converters are what the
backend and the fields apply to raw values (on SQLite, for `make run`: UUIDs stored as
text, aware datetimes). tests/portail/test_compiled.py and the rows' tests beside each
compiled query (tests/students/test_visible_children.py, tests/notifications) compare the
objects with the queryset's.
"""

from collections.abc import Callable
from functools import lru_cache

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# Stands for the value while compiling, and MARKER + 1 in a second compiling that finds
# the value's parameters (those that change with it); a tuple's integers stand as
# MARKER + 2 * index (+ 1). Small and positive: Django leaves a filter out of the SQL when
# its value is out of the field's range (a grade is a small integer).
MARKER = 20_011


def _markers(length: int | None, second: int) -> int | tuple[int, ...]:
    if length is None:
        return MARKER + second
    return tuple(MARKER + 2 * index + second for index in range(length))


class CompiledQuery:
    """build(value, *key): a queryset that uses `value` (one integer, or a tuple of
    integers: each of them) only as query parameters, and whose key arguments (hashable)
    give the rest; `related`: foreign keys to select with it (select_related). rows(value,
    *key) is list(queryset(value, *key)), compiled once per key and length of the tuple
    (the last `keys` are kept)."""

    def __init__(self, build: Callable[..., QuerySet], *, related: tuple[str, ...] = (),
                 keys: int = 8):
        self.build = build
        self.related = related
        self._compiled = lru_cache(maxsize=keys)(self._compile)

    def queryset(self, value, *key) -> QuerySet:
        queryset = self.build(value, *key)
        # (select_related() with no names would follow every non-null foreign key.)
        return queryset.select_related(*self.related) if self.related else queryset

    def _compile(self, length: int | None, *key):
        queryset = self.queryset(_markers(length, 0), *key)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        other = self.queryset(_markers(length, 1), *key)
        other_sql, other_params = other.query.get_compiler(other.db).as_sql()
        problem = ValueError(f"the values are not each one or more parameters of {sql!r}")
        if other_sql != sql or len(other_params) != len(params):
            raise problem
        # The value's parameters, those that change with it: (position, index of the value
        # it stands for, the type the backend gave it: psycopg's Int2 for a small integer).
        changed = [(position, param) for position, (param, other_param)
                   in enumerate(zip(params, other_params, strict=True)) if param != other_param]
        at = [(position, (param - MARKER) // 2, type(param)) for position, param in changed
              if isinstance(param, int)]
        if (len(at) != len(changed)
                or any(params[position] != MARKER + 2 * index
                       or other_params[position] != params[position] + 1
                       for position, index, _kind in at)
                or {index for _position, index, _kind in at} != set(range(length or 1))):
            raise problem
        select, klass_info = compiler.select, compiler.klass_info
        # (index, functions, expression) of the columns whose raw values need converting.
        converters = [(index, functions, expression) for index, (functions, expression)
                      in compiler.get_converters([col for col, _sql, _alias
                                                  in select[:compiler.col_count]]).items()]
        own = slice(klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1)
        attnames = [col.target.attname for col, _sql, _alias in select[own]]
        return (sql, list(params), at, queryset.db, converters, klass_info["model"], own,
                attnames, get_related_populators(klass_info, select, queryset.db),
                list(compiler.annotation_col_map.items()))

    def rows(self, value, *key) -> list[Model]:
        length = len(value) if isinstance(value, tuple) else None
        (sql, params, at, db, converters, model, own, attnames, populators,
         annotations) = self._compiled(length, *key)
        values = (value,) if length is None else value
        params = params.copy()
        for position, index, kind in at:
            params[position] = kind(values[index])
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for index, functions, expression in converters:
                    for convert in functions:
                        row[index] = convert(row[index], expression, connection)
        objects = []
        for row in rows:
            instance = model.from_db(db, attnames, row[own])
            for populator in populators:
                populator.populate(row, instance)
            for name, index in annotations:
                setattr(instance, name, row[index])
            objects.append(instance)
        return objects
