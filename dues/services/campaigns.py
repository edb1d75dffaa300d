"""The treasurer's side of the renewal campaigns: the schedule of a year, the pause switch,
next year's scale copied from this year's, and what each campaign did (who got which step,
who renewed after which step, who unsubscribed, what failed)."""

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils.translation import gettext as _

from dues.models import (
    Payment,
    PaymentStatus,
    Pledge,
    ReminderEmail,
    RenewalCampaign,
    Scale,
    Tier,
)
from dues.models_renewals import default_steps, validate_steps
from members import audit
from members.models import Member


def campaign_or_default(year):
    """The campaign of `year`, or an unsaved one with the defaults (1 January, 0/+30/+60)."""
    return RenewalCampaign.objects.filter(year=year).first() or RenewalCampaign(
        year=year, opens_on=datetime.date(year, 1, 1), steps=default_steps()
    )


def save_campaign(year, *, opens_on, steps, actor):
    """Create or change the schedule of `year`'s campaign; audited with before and after."""
    validate_steps(steps)
    with transaction.atomic():
        campaign, created = RenewalCampaign.objects.select_for_update().get_or_create(
            year=year, defaults={"opens_on": opens_on, "steps": steps}
        )
        before = {} if created else audit.snapshot(campaign, ["opens_on", "steps"])
        campaign.opens_on, campaign.steps = opens_on, steps
        campaign.full_clean()
        campaign.save()
        audit.record(
            campaign,
            audit.Action.RENEWAL_CAMPAIGN_CHANGED,
            actor=actor,
            before=before,
            after=audit.snapshot(campaign, ["opens_on", "steps"]),
        )
    return campaign


def set_paused(campaign, paused, *, actor):
    """The pause switch: a paused campaign decides and sends nothing until resumed."""
    with transaction.atomic():
        changed = RenewalCampaign.objects.filter(pk=campaign.pk).exclude(paused=paused)
        if changed.update(paused=paused):
            action = (
                audit.Action.RENEWAL_CAMPAIGN_PAUSED
                if paused
                else audit.Action.RENEWAL_CAMPAIGN_RESUMED
            )
            audit.record(campaign, action, actor=actor)
    campaign.refresh_from_db()
    return campaign


def copy_scale(year, *, actor):
    """`year`'s scale made from the latest one before it: same rate, same tiers and amounts
    (the treasurer then edits them). Refused if `year` has one already."""
    source = Scale.objects.filter(year__lt=year).order_by("-year").first()
    if source is None:
        raise ValidationError(_("Aucun barème antérieur à recopier."))
    try:
        with transaction.atomic():
            scale = Scale.objects.create(year=year, tax_reduction_rate=source.tax_reduction_rate)
            Tier.objects.bulk_create(
                Tier(
                    scale=scale,
                    member_kind=tier.member_kind,
                    position=tier.position,
                    label=tier.label,
                    amount=tier.amount,
                    budget_ceiling=tier.budget_ceiling,
                )
                for tier in source.tiers.all()
            )
            audit.record(scale, audit.Action.SCALE_COPIED, actor=actor, after={"from": source.year})
    except IntegrityError:
        raise ValidationError(_("Le barème %(year)s existe déjà.") % {"year": year}) from None
    return scale


@dataclasses.dataclass
class StepFigures:
    step: int
    day: object
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    renewed: int = 0

    @property
    def rate(self):
        return round(100 * self.renewed / self.sent) if self.sent else None


def renewed_at(year, member_ids):
    """{member id: when they first pledged or paid for `year`}."""
    firsts = {}
    pledges = (
        Pledge.objects.filter(member_id__in=member_ids, year=year)
        .values("member_id")
        .annotate(at=Min("created_at"))
    )
    payments = (
        Payment.objects.filter(member_id__in=member_ids, year=year, status=PaymentStatus.RECEIVED)
        .values("member_id")
        .annotate(at=Min("created_at"))
    )
    for row in [*pledges, *payments]:
        known = firsts.get(row["member_id"])
        firsts[row["member_id"]] = row["at"] if known is None else min(known, row["at"])
    return firsts


def _credit(reminders, renewed):
    """{member id: the step they renewed after}: their last reminder decided before renewing."""
    credited = {}
    for reminder in sorted(reminders, key=lambda r: r.decided_at):
        at = renewed.get(reminder.member_id)
        if at is not None and reminder.decided_at <= at:
            credited[reminder.member_id] = reminder.step
    return credited


def figures(campaign):
    """Per step: sent, failed, waiting to send, and renewed after it (the conversion)."""
    reminders = list(campaign.reminders.only("member_id", "step", "decided_at", "email_status"))
    steps = {n: StepFigures(n, day) for n, day in campaign.step_dates()}
    for reminder in reminders:
        row = steps.setdefault(reminder.step, StepFigures(reminder.step, None))
        if reminder.email_status == ReminderEmail.SENT:
            row.sent += 1
        elif reminder.email_status == ReminderEmail.FAILED:
            row.failed += 1
        else:
            row.waiting += 1
    renewed = renewed_at(campaign.year, {r.member_id for r in reminders})
    for step in _credit(reminders, renewed).values():
        steps[step].renewed += 1
    return [steps[n] for n in sorted(steps)]


def history(campaign, *, limit=500):
    """Who got which step when, newest first, with the member."""
    return list(campaign.reminders.select_related("member").order_by("-decided_at", "-pk")[:limit])


def failures(campaign):
    return list(
        campaign.reminders.filter(
            email_status__in=[ReminderEmail.FAILED, ReminderEmail.DEFERRED]
        ).select_related("member")
    )


def unsubscribed(campaign):
    """The members reminded in this campaign who unsubscribed since, latest first."""
    reminded = campaign.reminders.values_list("member_id", flat=True)
    return list(
        Member.objects.filter(pk__in=reminded, reminders_unsubscribed_at__isnull=False).order_by(
            "-reminders_unsubscribed_at"
        )
    )
