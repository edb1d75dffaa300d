"""Retention, applied by itself every day (`members.tasks.apply_retention`, beat) or by hand
(`manage.py apply_retention [--dry-run]`).

- Contact data is kept while one is a member and RETENTION_CONTACT_YEARS after the last
  payment or pledge (or the record's creation, or its merge): RETENTION_NOTICE_DAYS before that
  day the member is told by email; on that day (and never less than the notice after the
  warning) its contact data is erased as a closure would (`members.closure.erase`), unless it
  renewed meanwhile, which moves the day.
- Receipts past RETENTION_RECEIPT_YEARS after the end of their year of issue, and payments past
  RETENTION_PAYMENT_YEARS after the end of their year, lose their personal fields (numbers,
  amounts and dates stay, for the registers and the statistics): the apps holding them answer
  `members.signals.retention_due`.

Each run that changes something writes one audit entry with its counts; a dry run changes
nothing and writes nothing, and says what a run would do.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation

from members import audit, personal_data
from members.closure import erase
from members.models import AuditEntry, Member
from members.signals import retention_due

logger = logging.getLogger(__name__)


def add_years(day, years):
    """`day` moved by `years` (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _day(moment):
    return timezone.localdate(moment) if moment is not None else None


def last_activity(member):
    """The last day that counts for `member`: payment received, pledge made, record created
    or merged (annotated `last_paid` and `last_pledged`)."""
    days = [
        member.last_paid,
        _day(member.last_pledged),
        _day(member.created_at),
        _day(member.merged_at),
    ]
    return max(day for day in days if day is not None)


def erasure_day(member):
    return add_years(last_activity(member), settings.RETENTION_CONTACT_YEARS)


@dataclass
class Plan:
    """What a run does on `today`: members to warn, members to erase, and the counts the apps
    above report for their rows (filled by `apply`)."""

    today: datetime.date
    warn: list = field(default_factory=list)
    erase: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def _warned_in_time(member, warn_on):
    return member.retention_warned_at is not None and _day(member.retention_warned_at) >= warn_on


def _step(member, today):
    """ "warn", "erase" or None for `member` on `today`."""
    due = erasure_day(member)
    warn_on = due - datetime.timedelta(days=settings.RETENTION_NOTICE_DAYS)
    if today < warn_on:
        return None
    if _warned_in_time(member, warn_on):
        notice_over = _day(member.retention_warned_at) + datetime.timedelta(
            days=settings.RETENTION_NOTICE_DAYS
        )
        return "erase" if today >= max(due, notice_over) else None
    # A record nobody can log into (closed by a merge) has nobody to warn.
    if member.closed_at is not None:
        return "erase" if today >= due else None
    return "warn"


def plan(today):
    candidates = (
        Member.objects.filter(erased_at__isnull=True)
        .annotate(last_paid=Max("payments__received_on"), last_pledged=Max("pledges__created_at"))
        .order_by("pk")
    )
    result = Plan(today=today)
    for member in candidates.iterator(chunk_size=500):
        step = _step(member, today)
        if step == "warn":
            result.warn.append(member)
        elif step == "erase":
            result.erase.append(member)
    return result


def send_warning(member, due):
    if not member.email:
        return False
    context = {
        "member": member,
        "due": due,
        "years": settings.RETENTION_CONTACT_YEARS,
        "site_url": settings.SITE_URL,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("members/email/retention_subject.txt", context)
        body = render_to_string("members/email/retention.txt", context)
    send_mail(" ".join(subject.split()), body, None, [member.email])
    return True


def warn(member, *, actor):
    """Tell `member` its contact data will be erased; recorded, emailed after commit."""
    due = erasure_day(member)
    with transaction.atomic():
        Member.objects.filter(pk=member.pk).update(retention_warned_at=timezone.now())
        audit.record(
            member,
            AuditEntry.Action.MEMBER_RETENTION_WARNED,
            actor=actor,
            after={"efface_le": due.isoformat()},
        )
        transaction.on_commit(lambda: send_warning(member, due), robust=True)


def _erase(member, *, actor):
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.erased_at is None:
            erase(locked, actor=actor, action=AuditEntry.Action.MEMBER_ANONYMISED)


def apply(today=None, *, dry_run=False, actor=None):
    """Apply every retention period on `today` (the collective's today by default); returns
    the Plan with its counts. A dry run changes nothing and records nothing."""
    today = today or timezone.localdate()
    result = plan(today)
    if not dry_run:
        for member in result.warn:
            warn(member, actor=actor)
        for member in result.erase:
            _erase(member, actor=actor)
    result.counts = {"membres_prevenus": len(result.warn), "membres_effaces": len(result.erase)}
    with transaction.atomic():
        for _receiver, counts in retention_due.send(
            sender=Member, today=today, dry_run=dry_run, actor=actor
        ):
            result.counts.update(counts or {})
        if not dry_run:
            result.counts["archives_supprimees"] = personal_data.forget_old_archives()
            _record_run(result, actor=actor)
    return result


def _record_run(result, *, actor):
    return audit.record(
        ContentType.objects.get_for_model(Member),
        AuditEntry.Action.RETENTION_APPLIED,
        actor=actor,
        after={"date": result.today.isoformat(), **result.counts},
    )
