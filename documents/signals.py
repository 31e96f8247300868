"""What documents tells the apps above it. Documents sends; it never knows who listens
(notifications turns it into the parents' emails, as their subscriptions say)."""

from django.dispatch import Signal

# Report cards became visible to parents: sent inside the publishing transaction, with
# `student_ids` (each child once) and `publication_date`. The same day sent again (a
# republication, the hourly task) must tell nobody twice: receivers are idempotent.
report_cards_published = Signal()
