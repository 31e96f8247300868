"""Triggers that mark StoredProgress rows outdated in the transaction of any write to what
they show, whoever writes (the admin, a service, bulk_create, queryset.update, an import).

Per student: results, this year's classes, the diploma record and its waivers, the grade
(the default programme follows the cohort). For the whole board: the programmes (rare
edits by the board), and the course titles, school names, years, terms and sections the
pages name, only when those columns change. Statement-level triggers with transition
tables: a bulk insert costs one UPDATE, not one per row. PostgreSQL only; elsewhere the
pages never read stored rows (diplomas.selectors.stored_rows_trusted).
"""

from django.db import migrations

FUNCTIONS = """
CREATE FUNCTION diplomas_outdate_students() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0]: a query over the transition tables "changed" (and "previous" on
    -- UPDATE) giving the students concerned.
    EXECUTE format('UPDATE diplomas_storedprogress SET version = version + 1 '
                   'WHERE student_id IN (%s)', TG_ARGV[0]);
    RETURN NULL;
END $$;

CREATE FUNCTION diplomas_outdate_all() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    concerned boolean := true;
BEGIN
    -- TG_ARGV[0], if given: a query that finds a row whose shown columns changed.
    IF TG_NARGS > 0 THEN
        EXECUTE format('SELECT EXISTS (%s)', TG_ARGV[0]) INTO concerned;
    END IF;
    IF concerned THEN
        UPDATE diplomas_storedprogress SET version = version + 1;
    END IF;
    RETURN NULL;
END $$;
"""

# Tables whose rows name a student: the query giving the student of each row.
PER_STUDENT = {
    "students_courseresult": "SELECT student_id FROM {rows}",
    "students_sectionenrolment": "SELECT student_id FROM {rows}",
    "diplomas_diplomarecord": "SELECT student_id FROM {rows}",
    "diplomas_waiver": "SELECT r.student_id FROM {rows} w "
                       "JOIN diplomas_diplomarecord r ON r.id = w.record_id",
}
# Tables the pages show columns of, for every student: the columns.
SHOWN_COLUMNS = {
    "students_course": "code, title_fr, title_en, credit_value",
    "students_school": "name",
    "students_schoolyear": "name, start_date",
    "students_term": "name, start_date, school_year_id",
    "students_section": "course_id, term_id, school_id",
}
PROGRAMME_TABLES = ["diplomas_programme", "diplomas_category", "diplomas_subjectgroup",
                    "diplomas_category_groups"]


def _trigger(table: str, event: str, function: str, argument: str | None = None) -> str:
    name = f"{table}_outdates_progress_{event.split()[0].lower()}"
    referencing = {"INSERT": "REFERENCING NEW TABLE AS changed",
                   "DELETE": "REFERENCING OLD TABLE AS changed",
                   "UPDATE": "REFERENCING OLD TABLE AS previous NEW TABLE AS changed"}
    quoted = "" if argument is None else "'" + argument.replace("'", "''") + "'"
    return (f"CREATE TRIGGER {name} AFTER {event} ON {table} "
            f"{referencing.get(event, '')} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {function}({quoted});")


def statements() -> list[str]:
    found = [FUNCTIONS]
    for table, query in PER_STUDENT.items():
        found.append(_trigger(table, "INSERT", "diplomas_outdate_students",
                              query.format(rows="changed")))
        found.append(_trigger(table, "DELETE", "diplomas_outdate_students",
                              query.format(rows="changed")))
        found.append(_trigger(table, "UPDATE", "diplomas_outdate_students",
                              query.format(rows="changed") + " UNION "
                              + query.format(rows="previous")))
    found.append(_trigger("students_student", "UPDATE", "diplomas_outdate_students",
                          "SELECT n.id FROM changed n JOIN previous o USING (id) "
                          "WHERE n.grade IS DISTINCT FROM o.grade"))
    for table, columns in SHOWN_COLUMNS.items():
        old, new = (", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))
                    for alias in ("o", "n"))
        found.append(_trigger(table, "UPDATE", "diplomas_outdate_all",
                              f"SELECT FROM changed n JOIN previous o USING (id) "
                              f"WHERE ({new}) IS DISTINCT FROM ({old})"))
    for table in PROGRAMME_TABLES:
        found.append(_trigger(table, "INSERT OR UPDATE OR DELETE OR TRUNCATE",
                              "diplomas_outdate_all"))
    return found


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in statements():
            schema_editor.execute(statement, params=None)  # "%s" is plpgsql's format()


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION diplomas_outdate_students() CASCADE; "
                              "DROP FUNCTION diplomas_outdate_all() CASCADE;")


class Migration(migrations.Migration):
    dependencies = [("diplomas", "0004_stored_progress"), ("students", "0006_courseresult_kind")]
    operations = [migrations.RunPython(create, drop)]
