"""Import benchmark: a whole board's start-of-year files (20,000 students, then their
35,000 guardian links), checked and imported as the Celery task does, against today's
importer (main's students/imports.py, django-import-export) in the same run.

    createdb -h 127.0.0.1 -U postgres portail_bench_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench_import \\
    .venv/bin/python bench/imports.py

It migrates the database it is given and empties its students, guardians, import jobs and
audit trail: give it a database of its own. The new importer runs in this process exactly
what the worker runs (`import_job_run`: the check, then the confirmed import, in one
transaction). The old one is the module as it was before this importer (commit
`OLD_IMPORTER`), written by `git show` into a temporary package and imported from there
(it needs django-import-export, not a dependency any more: `pip install
django-import-export` first); it refuses files over 3,000 rows, so it gets the first
`--old-rows` rows of the same files, checked (dry run) then imported. Goal (issue 10):
500 rows a second or more on PostgreSQL.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# The last commit with the request-bound importer built on django-import-export.
OLD_IMPORTER = "a30de62"


def setup_django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portail.settings")
    os.environ.setdefault("IMPORT_BATCH_SIZE", "1000")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def board_files(students: int) -> tuple[str, str]:
    """The students' file, and the guardians' (one or two guardians a student)."""
    student_lines = ["niso,prenom_legal,nom_legal,date_naissance,genre,ecole,annee,"
                     "adresse,ville,code_postal"]
    link_lines = ["niso,prenom_parent,nom_parent,courriel,telephone_principal,lien,garde"]
    for n in range(students):
        niso = 100_000_000 + n
        family = n // 2  # brothers and sisters two by two: the same guardians
        student_lines.append(
            f"{niso},Élève{n},Famille{family},2014-05-{1 + n % 28:02d},{'FM'[n % 2]},"
            f"{('GRO', 'SLM')[n % 2]},{n % 12 + 1},{n} rue des Érables,Ottawa,K1C 2N4")
        link_lines.append(f"{niso},Alex{family},Famille{family},alex{family}@example.com,"
                          f"613555{family % 10_000:04d},mother,oui")
        if n % 4:  # three students out of four have a second guardian
            link_lines.append(f"{niso},Sam{family},Famille{family},,,father,oui")
    return "\n".join(student_lines) + "\n", "\n".join(link_lines) + "\n"


def first_rows(text: str, count: int) -> str:
    return "\n".join(text.split("\n")[:count + 1]) + "\n"


def reset() -> None:
    from accounts.models import AuditEvent
    from students import models

    models.StudentGuardian.objects.all().delete()
    models.Guardian.objects.all().delete()
    models.Student.objects.all().delete()
    models.ImportJob.objects.all().delete()
    AuditEvent.objects.filter(action="csv_import").delete()


def run_new(user, kind: str, text: str) -> tuple[float, float]:
    """Seconds to check, and to import (checking again inside), as the task does; the
    CPU seconds of this process are printed too (on a shared machine the wall time also
    counts the other sessions' load)."""
    from students import models
    from students.imports import file_hash, import_job_run

    job = models.ImportJob.objects.create(created_by=user, kind=kind, file_name="bench.csv",
                                          language="fr", content=text, sha256=file_hash(text))
    start, cpu = time.perf_counter(), time.process_time()
    import_job_run(job_id=job.pk)
    checked, cpu_checked = time.perf_counter(), time.process_time()
    job.refresh_from_db()
    assert job.status == "checked" and not job.error_count, (job.status, job.rows[:3])
    models.ImportJob.objects.filter(pk=job.pk).update(status="queued", confirmed=True)
    import_job_run(job_id=job.pk)
    done = time.perf_counter()
    assert models.ImportJob.objects.get(pk=job.pk).status == "imported"
    print(f"       ({kind}: this process's CPU {cpu_checked - cpu:.2f} s to check, "
          f"{time.process_time() - cpu_checked:.2f} s to import)")
    return checked - start, done - checked


def old_module():
    """main's students/imports.py, as the package old_portail_import."""
    try:
        import import_export  # noqa: F401
    except ImportError:
        return None
    source = subprocess.run(  # noqa: S603 - our own command line
        ["git", "-C", str(BASE_DIR), "show", f"{OLD_IMPORTER}:students/imports.py"],  # noqa: S607
        check=True, capture_output=True, text=True).stdout
    package = Path(tempfile.mkdtemp(prefix="bench-import-")) / "old_portail_import"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "imports.py").write_text(source)
    sys.path.insert(0, str(package.parent))
    from old_portail_import import imports

    return imports


def run_old(imports, user, kind: str, text: str) -> tuple[float, float]:
    start = time.perf_counter()
    report = imports.import_run(kind=kind, text=text, file_name="bench.csv", user=user,
                                dry_run=True)
    checked = time.perf_counter()
    assert not report.error_count, [row for row in report.rows if row.errors][:3]
    report = imports.import_run(kind=kind, text=text, file_name="bench.csv", user=user,
                                dry_run=False)
    assert report.imported
    return checked - start, time.perf_counter() - checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--old-rows", type=int, default=1_000)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from accounts.models import User
    from students import models

    reset()
    for code, number, level in [("GRO", "912345", "elementary"), ("SLM", "912346", "secondary")]:
        models.School.objects.get_or_create(code=code, defaults={
            "ministry_number": number, "name": f"École {code}", "level": level})
    user, _created = User.objects.get_or_create(
        username="bench.import", defaults={"is_staff": True, "is_superuser": True})
    students_file, links_file = board_files(args.students)
    files = [("students", students_file), ("guardians", links_file)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(f"Import benchmark: {version}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the start")

    old = old_module()
    old_rates = {}
    if old is None:
        print("  old importer: skipped (django-import-export is not installed)")
    else:
        for kind, text in files:
            rows = min(args.old_rows, len(text.split("\n")) - 2)
            check, write = run_old(old, user, kind, first_rows(text, rows))
            old_rates[kind] = rows / check, rows / write
            print(f"  old  {kind:9} {rows:6,} rows: check {check:6.2f} s "
                  f"{rows / check:7.0f} rows/s   import {write:6.2f} s {rows / write:7.0f} rows/s")
        reset()
    for kind, text in files:
        rows = len(text.split("\n")) - 2
        check, write = run_new(user, kind, text)
        ratio = ""
        if kind in old_rates:
            ratio = (f"   (x{rows / check / old_rates[kind][0]:.1f} and "
                     f"x{rows / write / old_rates[kind][1]:.1f} the old)")
        print(f"  new  {kind:9} {rows:6,} rows: check {check:6.2f} s "
              f"{rows / check:7.0f} rows/s   import {write:6.2f} s {rows / write:7.0f} rows/s"
              f"{ratio}")
    print(f"  {models.Student.objects.count():,} students, {models.Guardian.objects.count():,}"
          f" guardians, {models.StudentGuardian.objects.count():,} links; load average "
          f"{os.getloadavg()[0]:.1f} at the end (goal: 500 rows/s or more)")


if __name__ == "__main__":
    main()
