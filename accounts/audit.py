"""The audit trail of staff and help-desk actions (AuditEvent rows, never edited)."""

import json
from collections.abc import Iterable

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms.models import model_to_dict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent

# Never copied into the trail: secrets stay where they are.
# ("data": a TOTP secret; "context": an outbox email's links and codes.)
HIDDEN_FIELDS = {"password", "security_answer", "code_hash", "token", "data", "context"}


# What the trail's list calls each action the portal records: accounts' own here, every
# other app's registered by that app (its AppConfig.ready), beside the codes it records.
ACTION_LABELS = {
    "admin.add": _("Added in the admin"),
    "admin.change": _("Changed in the admin"),
    "admin.delete": _("Deleted in the admin"),
    "account.password_set": _("Password set in the admin"),
    "staff.invite": _("Staff member invited"),
    "staff.invitation_accept": _("Staff invitation accepted"),
}


def register_action_labels(labels: Iterable[tuple[str, str]]) -> None:
    """An app's actions and their names, (code, label) pairs: a TextChoices' `choices`."""
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def record_type_label(object_type: str) -> str:
    """The model's name for an AuditEvent's object_type ("students.studentguardian")."""
    try:
        return capfirst(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):  # a model since removed
        return object_type


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
