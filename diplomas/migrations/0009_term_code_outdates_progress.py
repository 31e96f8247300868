"""A term's code is shown too (the stored Relevé's format 3 names this year's classes'
terms by their code, in the reader's language): changing it marks every stored row
outdated, like its name (0005's trigger on students_term, made again with the code)."""

from django.db import migrations

TRIGGER = "students_term_outdates_progress_update"


def _statement(columns: list[str]) -> str:
    new, old = (", ".join(f"{alias}.{column}" for column in columns) for alias in ("n", "o"))
    concerned = (f"SELECT FROM changed n JOIN previous o USING (id) "
                 f"WHERE ({new}) IS DISTINCT FROM ({old})")
    return (f"DROP TRIGGER {TRIGGER} ON students_term; "
            f"CREATE TRIGGER {TRIGGER} AFTER UPDATE ON students_term "
            f"REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT "
            f"EXECUTE FUNCTION diplomas_outdate_all('{concerned}');")


def _on_postgresql(columns: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_statement(columns), params=None)
    return run


class Migration(migrations.Migration):
    dependencies = [("diplomas", "0008_category_caps")]
    operations = [migrations.RunPython(
        _on_postgresql(["code", "name", "start_date", "school_year_id"]),
        _on_postgresql(["name", "start_date", "school_year_id"]))]
