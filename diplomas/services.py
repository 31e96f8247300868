"""Writes of the Relevé de notes: each student's pages stored as data (StoredProgress).

The database marks a row outdated whenever what it shows changes (diplomas migration
0005); these functions compute rows again: on a visit that finds its row missing or
outdated, and after commit, in diplomas.tasks, for every student whose row is.
"""

from diplomas import selectors
from diplomas.models import Programme, StoredProgress
from students.models import Student


def store_releve(student: Student,
                 programmes: list[Programme] | None = None) -> selectors.Releve:
    """Compute the student's pages and store them, unless what they show changed meanwhile.

    Called outside a transaction, the row is committed before the tables are read: a write
    committed in between outdates it (its trigger bumps `version`), so the result, stored
    under the version read first, is never taken as fresh when it may not be."""
    if not selectors.stored_rows_trusted():
        return selectors.Releve(selectors.releve_data(selectors.student_record(student)))
    row, _created = StoredProgress.objects.get_or_create(student=student)
    releve = selectors.Releve(selectors.releve_data(
        selectors.student_record(student, programmes)))
    (StoredProgress.objects.filter(student=student, version=row.version)
     .update(data=releve.data, computed_version=row.version))
    return releve


def store_outdated(batch: int = 500) -> int:
    """Store the pages of every secondary student whose row is missing or outdated (after
    a programme edit, an import, the demo data); returns how many."""
    stored, after = 0, 0
    # Each student once (by primary key): a row a write outdates meanwhile waits for
    # the task that write queued, or for the visit.
    while students := selectors.students_to_store(after, batch):
        programmes = selectors.programmes()  # once a batch: the same for every student
        for student in students:
            store_releve(student, programmes)
        stored, after = stored + len(students), students[-1].pk
    return stored
