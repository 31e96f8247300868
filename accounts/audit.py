"""The audit trail of staff and help-desk actions (AuditEvent rows, never edited)."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms.models import model_to_dict

from accounts.models import AuditEvent

# Never copied into the trail: secrets stay where they are.
# ("data": a TOTP secret; "context": an outbox email's links and codes.)
HIDDEN_FIELDS = {"password", "security_answer", "code_hash", "token", "data", "context"}


class _AuditEncoder(DjangoJSONEncoder):
    """Dates, decimals and UUIDs as Django writes them; anything else (files) as text."""

    def default(self, value):
        try:
            return super().default(value)
        except TypeError:
            return str(value)


def snapshot(instance: models.Model | None) -> dict:
    """The record's field values as JSON-ready data, without secrets."""
    if instance is None:
        return {}
    fields = [f.name for f in instance._meta.concrete_fields if f.name not in HIDDEN_FIELDS]
    return json.loads(json.dumps(model_to_dict(instance, fields=fields), cls=_AuditEncoder))


def audit_record(*, actor, action: str, instance: models.Model, before: dict | None = None,
                 after: dict | None = None, reason: str = "") -> AuditEvent:
    """Record one action; call it in the same transaction as the change."""
    event = audit_event(actor=actor, action=action, instance=instance, before=before,
                        after=after, reason=reason)
    event.save()
    return event


def audit_record_many(events: list[AuditEvent]) -> None:
    """Several actions of one batch (audit_event's), in one insert, in its transaction."""
    AuditEvent.objects.bulk_create(events)


def audit_event(*, actor, action: str, instance: models.Model, before: dict | None = None,
                after: dict | None = None, reason: str = "") -> AuditEvent:
    """The action as audit_record writes it, unsaved."""
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before or {},
        after=after if after is not None else snapshot(instance),
        reason=reason,
    )
