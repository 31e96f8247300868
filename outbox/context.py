"""An email's context in the outbox row: plain values, datetimes and model references,
stored as JSON when the email is queued and loaded back when it is sent."""

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
    loaded = {}
    for name, value in context.items():
        if isinstance(value, dict) and "__model__" in value:
            model = apps.get_model(value["__model__"])
            loaded[name] = model._default_manager.filter(pk=value["pk"]).first()
        elif isinstance(value, dict) and "__datetime__" in value:
            loaded[name] = datetime.fromisoformat(value["__datetime__"])
        else:
            loaded[name] = value
    return loaded
