"""The audit trail's one writer: every service that changes members, pledges, payments, slips or
receipts records here what it did, who did it, and the values before and after.

`actor` is a required keyword everywhere: a person's change names them, and system work (a
task, the sweep, a command) passes `actor=None` on purpose, so that no change is anonymous by
accident. Actions are the closed vocabulary of `AuditEntry.Action`; anything else is refused.
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from members.models import AuditEntry

Action = AuditEntry.Action


def snapshot(obj, fields):
    """The JSON-safe values of `fields` on `obj` (Decimals and dates as strings)."""
    values = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, Model):
            value = value.pk
        elif (
            isinstance(value, Decimal)
            or value is not None
            and not isinstance(value, str | int | float | bool)
        ):
            value = str(value)
        values[name] = value
    return values


def acting_user(actor):
    """The user to store as the author of a change: None for anonymous visitors and tasks."""
    return actor if getattr(actor, "is_authenticated", False) else None


def entry(obj, action, *, actor, before=None, after=None, note=""):
    """The audit entry of `action` on `obj`, not saved yet (see `record`, `record_many`)."""
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}: add it to AuditEntry.Action")
    return AuditEntry(
        actor=acting_user(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        before=before or {},
        after=after or {},
        note=note,
    )


def record(obj, action, *, actor, before=None, after=None, note=""):
    """Write one audit entry; returns it."""
    audit_entry = entry(obj, action, actor=actor, before=before, after=after, note=note)
    audit_entry.save()
    return audit_entry


def record_many(entries):
    """Write entries made by `entry` in one statement (a batch of receipts, a slip's cheques)."""
    return AuditEntry.objects.bulk_create(entries)
