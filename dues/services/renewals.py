"""Renewals: for which year a member may renew, the amount suggested, and the renewal itself,
from the member space or from the signed link of a reminder email.

A renewal is offered only for a year whose campaign is open (the current year always; next year
once its campaign opened) and that the member has neither pledged nor paid for. Renewing twice
for one year (a second click, a reload, a second link) finds the first pledge and sends nothing.
"""

import dataclasses
import uuid
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cac_portal.tasking import enqueue
from charter import services as charter_services
from charter.models import AcceptanceSource
from dues.campaign import scale_for
from dues.models import PaymentStatus, Pledge, PledgeSource, Purpose, RenewalCampaign
from dues.services.pledges import check_amount
from members import audit
from members.models import Member, MemberKind

RENEWAL_SALT = "dues.renewal_link"
RENEWAL_LINK_DAYS = 60


def campaign_is_open(year, today=None):
    """The current year's dues are always open; next year's once its campaign opened."""
    today = today or timezone.localdate()
    if year == today.year:
        return True
    campaign = RenewalCampaign.objects.filter(year=year).first()
    return campaign is not None and year > today.year and campaign.is_open(today)


def _settled(member, year):
    """The member pledged (attached pledges only) or paid for `year` already."""
    return (
        member.pledges.filter(year=year).exists()
        or member.payments.filter(year=year, status=PaymentStatus.RECEIVED).exists()
    )


def renewal_year(member, today=None):
    """The year a renewal is offered for, or None: this year or next, open and not settled."""
    today = today or timezone.localdate()
    for year in (today.year, today.year + 1):
        if campaign_is_open(year, today) and not _settled(member, year):
            return year
    return None


class Suggestions:
    """The amounts a year's scale suggests, loaded once for many members (the reminders).

    An organisation: its budget's tier. An individual: the tier at the position of the one they
    gave last time (this year's amount for it), else what they gave, else the middle tier."""

    def __init__(self, year):
        self.year = year
        self.scale = scale_for(year)
        previous = scale_for(year - 1)
        self.tiers = self._tiers(self.scale)
        self.previous = self._tiers(previous) if previous and previous != self.scale else {}

    @staticmethod
    def _tiers(scale):
        rows = {MemberKind.INDIVIDUAL: [], MemberKind.ORGANISATION: []}
        if scale is None:
            return rows
        for tier in scale.tiers.order_by("member_kind", "position"):
            rows[tier.member_kind].append(tier)
        return rows

    def choices(self, kind):
        return self.tiers.get(kind, [])

    def _organisation(self, annual_budget):
        for tier in self.tiers[MemberKind.ORGANISATION]:
            if tier.budget_ceiling is None or annual_budget < tier.budget_ceiling:
                return tier.amount
        return None

    def _same_tier(self, amount):
        amounts = [t.amount for t in self.tiers[MemberKind.INDIVIDUAL]]
        if amount in amounts:
            return amount
        before = [t.amount for t in self.previous.get(MemberKind.INDIVIDUAL, [])]
        if amount in before and before.index(amount) < len(amounts):
            return amounts[before.index(amount)]
        return amount

    def amount(self, kind, *, annual_budget=None, last_amount=None):
        if kind == MemberKind.ORGANISATION and annual_budget is not None:
            suggested = self._organisation(Decimal(annual_budget))
            if suggested is not None:
                return suggested
        if last_amount:
            return self._same_tier(last_amount) if kind == MemberKind.INDIVIDUAL else last_amount
        tiers = self.tiers.get(kind) or []
        return tiers[len(tiers) // 2].amount if tiers else Decimal("50.00")


def last_amount(member):
    """What the member gave last: their latest received payment, else their latest pledge."""
    payment = (
        member.payments.filter(status=PaymentStatus.RECEIVED)
        .order_by("-year", "-received_on", "-pk")
        .first()
    )
    if payment is not None:
        return payment.amount
    pledge = member.pledges.order_by("-year", "-created_at", "-pk").first()
    return pledge.amount if pledge else None


def suggested_amount(member, year):
    return Suggestions(year).amount(
        member.kind, annual_budget=member.annual_budget, last_amount=last_amount(member)
    )


@dataclasses.dataclass(frozen=True)
class Renewal:
    pledge: Pledge
    created: bool


def _existing(member, year):
    return member.pledges.filter(year=year).order_by("-created_at", "-pk").first()


def renew(member, *, year, amount, actor, charter=None, notify=True, note=""):
    """The pledge of `member` for `year`, made once: the renewal of the member space and of
    the reminder's link. `charter`: a newer charter the person accepted with it.

    Invariant: one renewal per member and year; the member row is locked, so a second click,
    a reload or two links at once find the first pledge (`created` False) and send nothing.
    Refused (ValidationError) for a year whose campaign is not open or already paid."""
    amount = check_amount(amount)
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        existing = _existing(member, year)
        if existing is not None:
            return Renewal(existing, False)
        if member.payments.filter(year=year, status=PaymentStatus.RECEIVED).exists():
            raise ValidationError(_("Vous êtes déjà à jour pour %(year)s.") % {"year": year})
        if not campaign_is_open(year):
            raise ValidationError(
                _("Le renouvellement pour %(year)s n'est pas encore ouvert.") % {"year": year}
            )
        if charter is not None:
            charter_services.accept_charter(
                member, charter, actor=actor, source=AcceptanceSource.ONLINE
            )
        pledge = Pledge.objects.create(
            member=member,
            year=year,
            purpose=Purpose.ADHESION,
            amount=amount,
            source=PledgeSource.RENEWAL,
        )
        audit.record(
            pledge,
            audit.Action.PLEDGE_RENEWED,
            actor=actor,
            after={"year": year, "amount": str(amount)},
            note=note,
        )
        if notify and member.email:
            # After the response, by a worker: the person does not wait for the mail server.
            enqueue("dues.tasks.send_pledge_confirmation", pledge.pk)
    return Renewal(pledge, True)


def renewal_token(member, year):
    """The signed token of a reminder's one-click renewal link: who and which year, dated (it
    expires after RENEWAL_LINK_DAYS days)."""
    return signing.TimestampSigner(salt=RENEWAL_SALT).sign_object(
        {"m": str(member.code), "y": year}
    )


def member_from_renewal_token(token):
    """(member, year) of a renewal link, or ValidationError (code "expired" or "invalid")."""
    try:
        data = signing.TimestampSigner(salt=RENEWAL_SALT).unsign_object(
            token, max_age=RENEWAL_LINK_DAYS * 86400
        )
    except signing.SignatureExpired:
        raise ValidationError(_("Ce lien de renouvellement a expiré."), code="expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError(
            _("Ce lien de renouvellement n'est pas valide."), code="invalid"
        ) from None
    member = None
    if isinstance(data, dict) and isinstance(data.get("y"), int):
        member = Member.objects.open().filter(code=as_uuid(data.get("m"))).first()
    if member is None:
        raise ValidationError(_("Ce lien de renouvellement n'est pas valide."), code="invalid")
    return member, data["y"]


def as_uuid(value):
    """`value` as a UUID string, or None (a token's content is never trusted blindly)."""
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError, AttributeError):
        return None
