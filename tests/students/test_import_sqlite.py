"""The import on the embedded default (make run): SQLite, tasks run in the request's process.

SQLite lets one connection write at a time; the settings are read once per process, hence a
fresh interpreter on a database of its own.
"""

import json

from tests.test_settings import run_python


def test_a_confirmed_import_runs_to_the_end_on_sqlite(tmp_path):
    result = run_python(
        """
        import json
        import django
        django.setup()
        from django.core.management import call_command
        from accounts.models import StaffProfile
        from students import models
        from students.imports import import_job_confirm, import_job_create, import_job_run
        from tests import factories

        call_command("migrate", verbosity=0)
        factories.SchoolFactory(code="GRO")
        user = factories.UserFactory(username="conseil", is_staff=True)
        StaffProfile.objects.create(user=user, board_level=True)
        job = import_job_create(user=user, kind="students", file_name="eleves.csv", text=(
            "niso,prenom_legal,nom_legal,date_naissance,genre,ecole,annee\\n"
            "999100001,Hélène,Bérubé,2015-03-14,F,GRO,6\\n"))
        models.ImportJob.objects.filter(pk=job.pk).update(status=models.ImportJob.Status.QUEUED)
        import_job_run(job_id=job.pk)
        job.refresh_from_db()
        assert import_job_confirm(job=job, sha256=job.sha256), job.status
        import_job_run(job_id=job.pk)
        job.refresh_from_db()
        print(json.dumps({"status": job.status, "students": list(
            models.Student.objects.values_list("legal_last_name", flat=True))}))
        """,
        DATABASE_URL=f"sqlite:///{tmp_path / 'portail.sqlite3'}",
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"status": "imported", "students": ["Bérubé"]}
