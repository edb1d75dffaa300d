"""The audit trail: every service that changes a payment or a receipt writes one entry."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from members.models import AuditEntry


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


def record(obj, action, *, actor=None, before=None, after=None, note=""):
    return AuditEntry.objects.create(
        actor=acting_user(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        before=before or {},
        after=after or {},
        note=note,
    )
