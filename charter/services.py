"""Who subscribed to which charter and privacy notice: the acceptance helpers.

An acceptance is stored once per member and version (a database constraint says so); accepting
again the same version changes nothing, so a double click or a retried form is harmless.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from charter.models import Acceptance, AcceptanceSource, Charter, PrivacyAcceptance, PrivacyNotice
from members.audit import acting_user


def as_datetime(value):
    """An aware datetime from a datetime, a date (a paper form's date of signature) or None."""
    if value is None:
        return timezone.now()
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    # A signature date has no time of day: noon keeps it on the same day in every time zone.
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time(12)))


def _accept(model, member, *, accepted_at, source, actor, new_member, **version):
    """`new_member`: created in this transaction, so no earlier acceptance to look for."""
    values = {
        "accepted_at": as_datetime(accepted_at),
        "source": source,
        "recorded_by": acting_user(actor),
    }
    if new_member:
        return model.objects.create(member=member, **values, **version)
    acceptance, _created = model.objects.get_or_create(member=member, defaults=values, **version)
    return acceptance


def accept_charter(
    member,
    charter,
    *,
    accepted_at=None,
    source=AcceptanceSource.ONLINE,
    actor,
    new_member=False,
):
    """The member subscribes to `charter`; returns the (new or existing) Acceptance.

    A version is accepted once: accepting it again keeps the first date and source.
    `new_member`: the member was created in the caller's transaction (nothing to look up)."""
    return _accept(
        Acceptance,
        member,
        accepted_at=accepted_at,
        source=source,
        actor=actor,
        new_member=new_member,
        charter=charter,
    )


def accept_privacy_notice(
    member,
    notice,
    *,
    accepted_at=None,
    source=AcceptanceSource.ONLINE,
    actor,
    new_member=False,
):
    """The member accepts the privacy `notice`; returns the (new or existing) PrivacyAcceptance."""
    return _accept(
        PrivacyAcceptance,
        member,
        accepted_at=accepted_at,
        source=source,
        actor=actor,
        new_member=new_member,
        notice=notice,
    )


@transaction.atomic
def resubscribe(member, *, charter, notice, actor):
    """The member accepts, together, the charter and the privacy notice they were asked to
    (either may be None when only the other is pending)."""
    if charter is not None:
        accept_charter(member, charter, actor=actor)
    if notice is not None:
        accept_privacy_notice(member, notice, actor=actor)


def pending_charter(member):
    """The charter in force if `member` has not subscribed to it yet, else None."""
    current = Charter.objects.current()
    if current is None or member is None:
        return None
    if Acceptance.objects.filter(member=member, charter=current).exists():
        return None
    return current


def pending_privacy_notice(member):
    current = PrivacyNotice.objects.current()
    if current is None or member is None:
        return None
    if PrivacyAcceptance.objects.filter(member=member, notice=current).exists():
        return None
    return current


def last_accepted_charter(member):
    acceptance = (
        Acceptance.objects.filter(member=member)
        .select_related("charter")
        .order_by("-charter__effective_on", "-charter__version")
        .first()
    )
    return acceptance.charter if acceptance else None
