"""An email's context in the outbox row: plain values, datetimes and model references,
stored as JSON when the email is queued and loaded back when it is sent."""

from collections import defaultdict
from datetime import datetime

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise


def context_dump(context: dict) -> dict:
    """Keep what a template needs at sending time: plain values and model references.

    Anything else is refused rather than dropped: an email silently missing a value
    would go out wrong, long after the code that forgot it.
    """
    kept = {}
    for name, value in context.items():
        # An unsaved instance would load as None; a naive datetime in the worker's zone.
        if isinstance(value, models.Model) and value.pk is not None:
            kept[name] = {"__model__": value._meta.label, "pk": value.pk}
        elif isinstance(value, datetime) and timezone.is_aware(value):
            kept[name] = {"__datetime__": value.isoformat()}
        elif isinstance(value, str | int | float | bool) or value is None:
            kept[name] = value
        else:
            raise TypeError(
                f"Email context {name!r}: {_described(value)} cannot be stored; pass "
                "a str, int, float, bool, None, an aware datetime or a saved model instance."
            )
    return kept


def _described(value) -> str:
    if isinstance(value, models.Model):
        return f"an unsaved {type(value).__name__}"
    if isinstance(value, datetime):
        return "a naive datetime"
    if isinstance(value, Promise):
        return "a lazy translation"
    return f"a {type(value).__name__}"


def context_load(context: dict) -> dict:
    return contexts_load([context])[0]


def contexts_load(contexts: list[dict]) -> list[dict]:
    """The contexts of many emails (a worker's chunk): each model's rows in one query, not
    one per email, through the model's `email_rows(queryset)` if it defines one (the rows,
    with what their emails read besides them loaded for the chunk). A row gone loads as None.
    Emails naming the same row share its instance: nothing the templates read may depend on
    the email's language once cached on it (an EmailBatch is one email's).
    A query per email was most of an event email's sending time, round trips included."""
    wanted: dict[str, set] = defaultdict(set)
    for context in contexts:
        for value in context.values():
            if isinstance(value, dict) and "__model__" in value:
                wanted[value["__model__"]].add(value["pk"])
    rows = {}
    for label, pks in wanted.items():
        model = apps.get_model(label)
        queryset = model._default_manager.filter(pk__in=pks)
        if hasattr(model, "email_rows"):
            queryset = model.email_rows(queryset)
        rows[label] = {row.pk: row for row in queryset}
    loaded = []
    for context in contexts:
        one = {}
        for name, value in context.items():
            if isinstance(value, dict) and "__model__" in value:
                one[name] = rows[value["__model__"]].get(value["pk"])
            elif isinstance(value, dict) and "__datetime__" in value:
                one[name] = datetime.fromisoformat(value["__datetime__"])
            else:
                one[name] = value
        loaded.append(one)
    return loaded
