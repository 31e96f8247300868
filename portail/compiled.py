"""A queryset the ORM compiles once, run again with another value (students.selectors'
access query: every parent page runs the same SQL, only the user's id changes).

Django builds a queryset's filters and compiles them to SQL each time it runs it: for the
access query that was most of its CPU (bench/README.md, report-card day). Here the ORM
still writes the SQL, from the queryset (the rule stays written in one place): it compiles
it once per key, with MARKER in place of the value, and each call puts the value in the
marker's place, runs the SQL and makes the objects as the queryset would. Only the SQL
text is kept: the rows are read on every call.

Django's part: the query's compiler (as_sql() and get_converters(), internal, not
documented, stable for years), the cursor's column names (DB-API) and Model.from_db()
(documented). The converters are what the backend and the fields apply to raw values (on
SQLite, for `make run`: UUIDs stored as text, aware datetimes). The column check in rows()
fails loudly if a Django upgrade selects other columns, and
tests/students/test_visible_children.py compares the rows with the queryset's.
"""

from collections.abc import Callable
from functools import lru_cache

from django.db import connections
from django.db.models import Model, QuerySet

# Stands for the value while compiling: an id no row has (ids are positive).
MARKER = -73_160_016


class CompiledQuery:
    """build(value, *key): a queryset whose only filter on `value` is one id, and whose key
    arguments (hashable) give the rest; `related`: non-null foreign keys to select with
    it (select_related). rows(value, *key) is list(queryset(value, *key)), compiled once
    per key (the last `keys` keys are kept)."""

    def __init__(self, build: Callable[..., QuerySet], *, related: tuple[str, ...] = (),
                 keys: int = 8):
        self.build = build
        self.related = related
        self._compiled = lru_cache(maxsize=keys)(self._compile)

    def queryset(self, value, *key) -> QuerySet:
        return self.build(value, *key).select_related(*self.related)

    def _compile(self, *key):
        queryset = self.queryset(MARKER, *key)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        # (index, functions, expression) of the columns whose raw values need converting.
        converters = [(index, functions, expression) for index, (functions, expression)
                      in compiler.get_converters([col for col, _sql, _alias
                                                  in compiler.select]).items()]
        at = [i for i, param in enumerate(params) if type(param) is int and param == MARKER]
        if len(at) != 1:
            raise ValueError(f"the value is {len(at)} parameters of {sql!r}, not one")
        model = queryset.model
        models = [(None, model)]
        for name in self.related:
            field = model._meta.get_field(name)
            if field.null or not field.many_to_one:
                raise ValueError(f"{name}: not a non-null foreign key")
            models.append((name, field.related_model))
        parts, columns = [], []  # each model's columns in the row: (name, model, attnames, slice)
        for name, part in models:
            fields = part._meta.concrete_fields
            parts.append((name, part, [field.attname for field in fields],
                          slice(len(columns), len(columns) + len(fields))))
            columns += [field.column for field in fields]
        return sql, params, at[0], queryset.db, parts, columns, converters

    def rows(self, value, *key) -> list[Model]:
        sql, params, at, db, parts, columns, converters = self._compiled(*key)
        params = [*params[:at], value, *params[at + 1:]]
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if [column[0] for column in cursor.description] != columns:
                raise RuntimeError(f"{sql!r} does not select the columns expected: {columns}")
            rows = cursor.fetchall()
        if converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for index, functions, expression in converters:
                    for convert in functions:
                        row[index] = convert(row[index], expression, connection)
        (_name, model, attnames, own), *related = parts
        objects = []
        for row in rows:
            instance = model.from_db(db, attnames, row[own])
            for name, part, part_attnames, columns_of_part in related:
                setattr(instance, name, part.from_db(db, part_attnames, row[columns_of_part]))
            objects.append(instance)
        return objects
