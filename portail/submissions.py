"""One effect per form shown: a double click, a reload or the Back button sends the same
form again, with the same token, and only the token's first arrival acts."""

import secrets

from django import forms
from django.core.cache import cache

FIELD = "submission"
# Longer than a page stays in a browser's history to be sent again.
KEPT_SECONDS = 24 * 3600


def submission_token() -> str:
    return secrets.token_urlsafe(16)


def submission_first(token: str | None) -> bool:
    """True the first time this token arrives, False after (and for no token).

    Redis's SET NX makes it one winner across processes; with Redis down the cache lets
    it through (portail.cache), as a form without the token would have been.
    """
    if not token or len(token) > 64:
        return False
    return cache.add(f"submission:{token}", True, KEPT_SECONDS)


class SubmittedOnceForm(forms.Form):
    """A form that carries its page's token; the view asks `first_submission()` before
    acting. Shown again with errors, it keeps its token (nothing was done with it)."""

    submission = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD].initial = submission_token()

    def first_submission(self) -> bool:
        return submission_first(self.cleaned_data[FIELD])
