"""The migration that made the reasons a table: each report lands on its reason's row,
and back on its code when reversed."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("absences", "0002_staff_permissions")]
AFTER = [("absences", "0003_reasons_as_board_data_actual_arrival")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_reports_move_onto_the_reasons_rows_and_back():
    child = factories.StudentFactory()
    user = factories.UserFactory()
    try:
        old = migrate(BEFORE)
        monday = datetime.date(2026, 11, 30)
        old.get_model("absences", "AbsenceReport").objects.create(
            student_id=child.pk, reported_by_id=user.pk, kind="days", start_date=monday,
            end_date=monday, reason="medical")

        new = migrate(AFTER)
        report = new.get_model("absences", "AbsenceReport").objects.select_related(
            "reason").get()
        assert (report.reason.code, report.reason.label_fr, report.reason.active) == (
            "medical", "Rendez-vous médical ou dentaire", True)
        assert new.get_model("absences", "Reason").objects.count() == 7

        back = migrate(BEFORE)
        assert back.get_model("absences", "AbsenceReport").objects.get().reason == "medical"
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("absences"))
