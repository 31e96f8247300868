"""The import with real parts: Celery workers (a thread, or a process killed mid-import),
Redis, PostgreSQL; files as schools send them (Excel's encoding, a whole board's rows).

Rows must be committed for a worker to see them, hence transaction=True for those tests.
"""

import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from accounts.models import AuditEvent
from students import models
from students.imports import file_hash, import_job_run
from tests.pages import french, html_of
from tests.students.test_imports import confirm, logged_in, rows, staff, upload

WORKER_TIMEOUT = 240
HEADER = "niso,prenom_legal,nom_legal,date_naissance,genre,ecole,annee\n"


def students_csv(count: int, *, first: int = 100_000_000) -> bytes:
    """`count` students at the two schools, OENs from `first` on."""
    lines = [f"{first + n},Élève{n},Nom{n},2014-05-{1 + n % 28:02d},{'FM'[n % 2]},"
             f"{('GRO', 'SLM')[n % 2]},{n % 12 + 1}\n" for n in range(count)]
    return (HEADER + "".join(lines)).encode()


def wait_until(predicate, *, timeout: float = WORKER_TIMEOUT, what: str):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)
    return result


def job_status(pk: int) -> str:
    return models.ImportJob.objects.values_list("status", flat=True).get(pk=pk)


def post_file(client, kind: str, name: str, content: bytes) -> int:
    """Upload a file (its check queued for a worker); the job's id."""
    response = client.post(reverse("imports:upload"), {
        "kind": kind, "file": SimpleUploadedFile(name, content, "text/csv")})
    assert response.status_code == 302, response.context["form"].errors
    return resolve(response.url).kwargs["pk"]


# --- Bad input, checked in the test's process -------------------------------------------

@pytest.mark.django_db
def test_a_windows_1252_file_with_semicolons_from_excel_is_imported(schools):
    client = logged_in(staff("secretaire.gro", schools=[schools["GRO"]]))
    content = ("NISO;Prénom légal;Nom légal;Date de naissance;Genre;École;Année\r\n"
               "999100001;Hélène;Bérubé;2015-03-14;F;GRO;6\r\n").encode("cp1252")

    confirm(client, upload(client, "students", "eleves.csv", content))

    student = models.Student.objects.get()
    assert (student.legal_first_name, student.legal_last_name) == ("Hélène", "Bérubé")


@pytest.mark.django_db
def test_checking_and_importing_take_the_same_few_queries_for_30_or_300_rows(schools):
    """Validation in bulk: the queries do not grow with the rows (the old importer made
    about 17 a row)."""
    board = staff("conseil", board_level=True)

    def queries(count: int, first: int) -> tuple[int, int]:
        text = students_csv(count, first=first).decode()
        job = models.ImportJob.objects.create(
            created_by=board, kind="students", file_name="f.csv", language="fr",
            content=text, sha256=file_hash(text))
        with CaptureQueriesContext(connection) as check:
            import_job_run(job_id=job.pk)
        models.ImportJob.objects.filter(pk=job.pk).update(status="queued", confirmed=True)
        with CaptureQueriesContext(connection) as write:
            import_job_run(job_id=job.pk)
        assert models.ImportJob.objects.get(pk=job.pk).status == "imported"
        return len(check), len(write)

    few, many = queries(30, 100_000_000), queries(300, 200_000_000)
    assert models.Student.objects.count() == 330
    assert many[0] == few[0] and many[0] < 15, (few, many)
    # Writing adds a query per batch of 1,000 rows, and per table, not per row.
    assert many[1] == few[1] and many[1] < 25, (few, many)


# --- A real worker --------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_whole_board_file_of_25000_rows_is_checked_then_imported_by_a_worker(
        schools, worker_thread_factory):
    client = logged_in(staff("conseil", board_level=True))
    pk = post_file(client, "students", "conseil.csv", students_csv(25_000))
    page = reverse("imports:job", args=[pk])

    waiting = html_of(client.get(page))
    assert '<meta http-equiv="refresh"' in waiting  # no script: CSP
    assert french("Checking every row of the file.") in waiting

    with worker_thread_factory():
        wait_until(lambda: job_status(pk) == "checked", what="the check")
        preview = client.get(page)
        assert '<meta http-equiv="refresh"' not in html_of(preview)
        job = preview.context["job"]
        assert (job.rows_total, job.new_count, job.error_count) == (25_000, 25_000, 0)
        assert len(rows(preview)) == 1000  # the page lists the first thousand
        assert not models.Student.objects.exists()

        response = client.post(page, {"sha256": job.sha256})
        assert response.status_code == 302
        wait_until(lambda: job_status(pk) == "imported", what="the import")

    assert models.Student.objects.count() == 25_000
    assert AuditEvent.objects.filter(action="csv_import").count() == 25_000
    assert french("Import done: %(new)d new, %(updated)d updated.") % {
        "new": 25_000, "updated": 0} in html_of(client.get(page))
    assert models.ImportJob.objects.get(pk=pk).content == ""  # not kept once imported


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_writing_leaves_nothing_and_the_page_says_start_again(
        schools, celery_worker_process, settings):
    lease = 3
    settings.IMPORT_HEARTBEAT_LEASE = lease
    client = logged_in(staff("conseil", board_level=True))
    count = 4000
    pk = post_file(client, "students", "conseil.csv", students_csv(count))
    page = reverse("imports:job", args=[pk])
    # Small batches: many progress reports, so that the kill lands while writing.
    worker = celery_worker_process.start(IMPORT_BATCH_SIZE="50")
    wait_until(lambda: job_status(pk) == "checked", what="the check")
    client.post(page, {"sha256": models.ImportJob.objects.get(pk=pk).sha256})

    # Past the rows checked again: rows are being written, in the open transaction.
    wait_until(lambda: models.ImportJob.objects.get(pk=pk).rows_done > count,
               what="the writing")
    worker.kill()  # SIGKILL: no warm shutdown, no commit
    worker.wait(5)

    assert not models.Student.objects.exists()
    assert not AuditEvent.objects.filter(action="csv_import").exists()
    assert job_status(pk) == "running"
    assert '<meta http-equiv="refresh"' in html_of(client.get(page))  # within the lease
    time.sleep(lease + 0.5)
    html = html_of(client.get(page))
    assert french("The import was interrupted before the end. Nothing was written: upload "
                  "the file again.") in html
    assert '<meta http-equiv="refresh"' not in html
    assert models.ImportJob.objects.filter(pk=pk, heartbeat__lt=datetime.datetime.now(
        datetime.UTC) - datetime.timedelta(seconds=lease)).exists()

    # Redis gives the unacknowledged task to another worker (after its visibility
    # timeout): it finds the job taken and leaves it for a new upload.
    import_job_run(job_id=pk)
    assert job_status(pk) == "running" and not models.Student.objects.exists()
