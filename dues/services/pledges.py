"""The adhesion and support form, online or on paper, and the one-click renewal.

`submit_adhesion` is the one way a form becomes rows: the member (created, or found by email),
the correspondents, the pledge of the campaign year, the charter and privacy acceptances, all in
one transaction. The online form, the staff's paper form and tests all call it.
"""

import dataclasses
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from cac_portal.limits import exceeded
from charter import services as charter_services
from charter.models import AcceptanceSource, Charter, Collective, PrivacyNotice
from dues.campaign import current_year, validate_dues_year
from dues.models import PaymentStatus, Pledge, PledgeSource, Purpose, Scale
from members import audit
from members.models import CONTACT_FIELDS, CORRESPONDENT_FIELDS, Correspondent, Member, MemberKind
from members.validators import AMOUNT_CEILING, validate_money

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class AdhesionResult:
    member: Member
    pledge: Pledge
    member_created: bool
    # Values the form proposed for a known member but that were not applied (see below).
    proposed_changes: dict


def scale_for(year):
    """The scale of `year`, else the latest one before it (a year nobody set up yet)."""
    return (
        Scale.objects.filter(year__lte=year).order_by("-year").first()
        or Scale.objects.order_by("year").first()
    )


def suggested_amount(kind, *, year=None, annual_budget=None):
    """The scale's indicative amount: the budget's bracket for an organisation, else None."""
    if kind != MemberKind.ORGANISATION or annual_budget is None:
        return None
    scale = scale_for(year or current_year())
    return scale.suggested_amount(Decimal(annual_budget)) if scale else None


def find_member(email, kind):
    """The open member of `kind` with this email (case-insensitive), the oldest one if several."""
    email = (email or "").strip()
    if not email:
        return None
    return (
        Member.objects.filter(email__iexact=email, kind=kind, closed_at__isnull=True)
        .order_by("pk")
        .first()
    )


def open_pledge(member, year, purpose=None):
    """The member's latest pledge of `year` (and `purpose`, if given) that no received payment
    covers yet: what a new payment pays, what a second form updates."""
    pledges = member.pledges.filter(year=year)
    if purpose is not None:
        pledges = pledges.filter(purpose=purpose)
    return (
        pledges.exclude(payments__status=PaymentStatus.RECEIVED)
        .order_by("-created_at", "-pk")
        .first()
    )


def _may_overwrite(member, source, actor):
    """Who may change a known member's contact data with a form.

    The member themselves (logged in) and staff entering a paper form may. An anonymous visitor
    who merely typed a known email address may not: otherwise anyone could rewrite anyone's
    address. Their values fill the blanks and the rest is kept in the audit trail for staff.
    """
    actor = audit.acting_user(actor)
    if actor is None:
        return False
    return source == PledgeSource.PAPER or member.user_id == actor.pk


def _contact_changes(member, data):
    """{field: new value} of what the form says differently from the member (blanks ignored)."""
    changes = {}
    for name in CONTACT_FIELDS[member.kind]:
        new, old = data.get(name), getattr(member, name)
        if name not in data or new in ("", None) or new == old:
            continue
        if name == "email" and (old or "").lower() == str(new).lower():
            continue
        changes[name] = new
    return changes


def _apply_contact(member, data, *, overwrite):
    """Set what may be set; returns (changed field names, {field: proposed value}) ."""
    changed, proposed = [], {}
    for name, new in _contact_changes(member, data).items():
        if overwrite or getattr(member, name) in ("", None):
            setattr(member, name, new)
            changed.append(name)
        else:
            proposed[name] = str(new)
    return changed, proposed


def _new_correspondents(existing, rows):
    """The rows that name someone not among `existing` (by name or email, case-insensitive)."""
    known = {c.name.casefold() for c in existing} | {
        c.email.casefold() for c in existing if c.email
    }
    for row in rows:
        name = (row.get("name") or "").strip()
        email = (row.get("email") or "").strip()
        if not name or name.casefold() in known or email.casefold() in known - {""}:
            continue
        known.update({name.casefold(), email.casefold()} - {""})
        yield {field: (row.get(field) or "").strip() for field in CORRESPONDENT_FIELDS}


def _add_correspondents(member, correspondents):
    existing = list(member.correspondents.all())
    position = max((c.position for c in existing), default=0)
    rows = [
        Correspondent(member=member, position=position + offset, **fields)
        for offset, fields in enumerate(_new_correspondents(existing, correspondents), start=1)
    ]
    Correspondent.objects.bulk_create(rows)
    return rows


def _check_amount(amount):
    try:
        amount = Decimal(amount)
    except (ArithmeticError, TypeError, ValueError):
        raise ValidationError({"amount": _("Saisissez un montant valide.")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("Saisissez un montant valide.")})
    try:
        validate_money(amount, ceiling=AMOUNT_CEILING)
    except ValidationError as error:
        raise ValidationError({"amount": error.messages}) from None
    return amount.quantize(Decimal("0.01"))


def _save_pledge(member, *, year, purpose, amount, source, actor):
    """At most one open pledge per member, year and purpose: a second form updates it."""
    pledge = open_pledge(member, year, purpose)
    if pledge is None:
        return Pledge.objects.create(
            member=member, year=year, purpose=purpose, amount=amount, source=source
        )
    before = audit.snapshot(pledge, ["amount", "source"])
    pledge.amount = amount
    pledge.source = source
    pledge.save(update_fields=["amount", "source"])
    audit.record(
        pledge,
        audit.Action.PLEDGE_UPDATED,
        actor=actor,
        before=before,
        after=audit.snapshot(pledge, ["amount", "source"]),
    )
    return pledge


@dataclasses.dataclass(frozen=True)
class Adhesion:
    """A filled adhesion / support form, checked: what `submit_adhesion` turns into rows.

    - `kind`: `MemberKind`; `member_data`: the cleaned contact fields (`IndividualForm` /
      `OrganisationForm.contact_data()`); `correspondents`: dicts of `CorrespondentForm` fields.
    - `amount`: a Decimal; None means the scale's suggestion (organisations with a budget).
    - `source`: "online" or "paper"; `accepted_at`: when the charter and privacy notice were
      accepted (a paper form's date of signature, a date or a datetime; now by default).
    - `charter`, `privacy_notice`: the versions accepted; the ones in force by default.
    """

    kind: str
    member_data: dict
    purpose: str
    amount: Decimal | None = None
    correspondents: tuple = ()
    year: int | None = None
    source: str = PledgeSource.ONLINE
    accepted_at: object = None
    charter: Charter | None = None
    privacy_notice: PrivacyNotice | None = None

    def checked(self):
        """The same form with its defaults filled in, or ValidationError in French."""
        if self.kind not in MemberKind.values:
            raise ValidationError(_("Type de membre inconnu."))
        if self.purpose not in Purpose.values:
            raise ValidationError({"purpose": _("Choisissez adhésion ou soutien/don.")})
        if self.source not in (PledgeSource.ONLINE, PledgeSource.PAPER):
            raise ValidationError(_("Source inconnue."))
        year = self.year or current_year()
        validate_dues_year(year, field="year")
        data = {k: v for k, v in self.member_data.items() if k in CONTACT_FIELDS[self.kind]}
        amount = self.amount
        if amount in (None, ""):
            amount = suggested_amount(self.kind, year=year, annual_budget=data.get("annual_budget"))
            if amount is None:
                raise ValidationError({"amount": _("Indiquez un montant.")})
        return dataclasses.replace(
            self,
            member_data=data,
            amount=_check_amount(amount),
            year=year,
            charter=self.charter or Charter.objects.current(),
            privacy_notice=self.privacy_notice or PrivacyNotice.objects.current(),
        )

    @property
    def acceptance_source(self):
        paper = self.source == PledgeSource.PAPER
        return AcceptanceSource.PAPER if paper else AcceptanceSource.ONLINE


def _create_member(adhesion, *, actor):
    member = Member(kind=adhesion.kind, **adhesion.member_data)
    member.full_clean(exclude=["reference", "user"])
    member.save()
    audit.record(
        member, audit.Action.MEMBER_CREATED, actor=actor, after={"source": adhesion.source}
    )
    return member


def _update_member(member, adhesion, *, actor):
    """A known member's contact data from the form: applied where `_may_overwrite` allows,
    proposed (kept in the audit trail for staff) elsewhere. Returns the proposed values."""
    if member.kind != adhesion.kind:
        raise ValidationError(_("Ce membre n'est pas de ce type."))
    before = audit.snapshot(member, CONTACT_FIELDS[adhesion.kind])
    changed, proposed = _apply_contact(
        member, adhesion.member_data, overwrite=_may_overwrite(member, adhesion.source, actor)
    )
    note = _("Formulaire d'adhésion (%(source)s)") % {"source": adhesion.source}
    if changed:
        member.full_clean(exclude=["reference", "user"])
        member.save(update_fields=[*changed, "updated_at"])
        audit.record(
            member,
            audit.Action.MEMBER_CONTACT_CHANGED,
            actor=actor,
            before={k: before[k] for k in changed},
            after=audit.snapshot(member, changed),
            note=note,
        )
    if proposed:
        audit.record(
            member,
            audit.Action.MEMBER_CONTACT_PROPOSED,
            actor=actor,
            before={k: before[k] for k in proposed},
            after={f"proposed:{k}": v for k, v in proposed.items()},
            note=note,
        )
    return proposed


def _accept_texts(member, adhesion, *, actor):
    kwargs = {"accepted_at": adhesion.accepted_at, "source": adhesion.acceptance_source}
    if adhesion.charter is not None:
        charter_services.accept_charter(member, adhesion.charter, actor=actor, **kwargs)
    if adhesion.privacy_notice is not None:
        charter_services.accept_privacy_notice(
            member, adhesion.privacy_notice, actor=actor, **kwargs
        )


def submit_adhesion(*, actor, member=None, notify=None, **form):
    """Turn a filled adhesion / support form (the fields of `Adhesion`) into rows, in one
    transaction: the member (created, found by email, or `member` when staff picked them),
    the correspondents, the pledge of the campaign year, the charter and privacy acceptances.

    `actor`: the user who submits (the member online, staff for paper), or None. `notify`:
    send the confirmation email after commit (default: online only, with an email).

    Invariants: a known member's contact data is overwritten only by themselves or by staff
    (`_may_overwrite`); at most one unpaid pledge per member, year and purpose (resubmitting
    updates its amount instead of adding a second one); acceptances are stored once per version.
    Returns an `AdhesionResult`.
    """
    adhesion = Adhesion(**form).checked()
    with transaction.atomic():
        if member is None:
            member = find_member(adhesion.member_data.get("email"), adhesion.kind)
        created = member is None
        if created:
            member, proposed = _create_member(adhesion, actor=actor), {}
        else:
            member = Member.objects.select_for_update().get(pk=member.pk)
            proposed = _update_member(member, adhesion, actor=actor)
        if adhesion.kind == MemberKind.ORGANISATION:
            _add_correspondents(member, adhesion.correspondents)
        pledge = _save_pledge(
            member,
            year=adhesion.year,
            purpose=adhesion.purpose,
            amount=adhesion.amount,
            source=adhesion.source,
            actor=actor,
        )
        _accept_texts(member, adhesion, actor=actor)
        if (adhesion.source == PledgeSource.ONLINE if notify is None else notify) and member.email:
            transaction.on_commit(lambda: send_pledge_confirmation(pledge), robust=True)
    return AdhesionResult(
        member=member, pledge=pledge, member_created=created, proposed_changes=proposed
    )


def renewal_year(member):
    """The year a renewal is for: this year until it is paid, then the next one."""
    year = current_year()
    if member.payments.filter(year=year, status=PaymentStatus.RECEIVED).exists():
        return year + 1
    return year


def renewal_amount(member, year):
    """What the renewal form proposes: the last pledge, else the scale's suggestion."""
    last = member.pledges.order_by("-year", "-created_at", "-pk").first()
    if last is not None:
        return last.purpose, last.amount
    suggested = suggested_amount(member.kind, year=year, annual_budget=member.annual_budget)
    if suggested is None:
        scale = scale_for(year)
        tiers = list(scale.tiers.filter(member_kind=member.kind)) if scale else []
        suggested = tiers[len(tiers) // 2].amount if tiers else Decimal("50.00")
    return Purpose.ADHESION, suggested


def renew(member, *, actor, notify=True):
    """One click in the member space: the pledge of the renewal year, pre-filled from the last.

    Same invariant as the form: a second click updates the open pledge rather than adding one.
    """
    year = renewal_year(member)
    purpose, amount = renewal_amount(member, year)
    with transaction.atomic():
        pledge = _save_pledge(
            member,
            year=year,
            purpose=purpose,
            amount=amount,
            source=PledgeSource.RENEWAL,
            actor=actor,
        )
        audit.record(pledge, audit.Action.PLEDGE_RENEWED, actor=actor, after={"year": year})
        if notify and member.email:
            transaction.on_commit(lambda: send_pledge_confirmation(pledge), robust=True)
    return pledge


def receipt_timing(member, year):
    if member.kind == MemberKind.ORGANISATION:
        return _("Un reçu acquitté vous sera envoyé dès réception de votre règlement.")
    return _(
        "Votre reçu fiscal annuel vous sera envoyé en janvier %(next)s, pour l'ensemble de vos "
        "versements de %(year)s."
    ) % {"next": year + 1, "year": year}


def confirmation_context(pledge):
    """What the confirmation page and email say: reference, amount, payee, address, receipt."""
    member = pledge.member
    scale = scale_for(pledge.year)
    return {
        "pledge": pledge,
        "member": member,
        "collective": Collective.load(),
        "receipt_timing": receipt_timing(member, pledge.year),
        "net_cost": (
            scale.net_cost(pledge.amount)
            if scale and member.kind == MemberKind.INDIVIDUAL
            else None
        ),
        "site_url": settings.SITE_URL,
    }


def _confirmation_rate(group, request):
    return f"{settings.CONFIRMATION_EMAILS_PER_ADDRESS_PER_DAY}/d"


def _too_many_confirmations(address):
    """Counts one email to `address` (whatever its case) in the shared cache; True past the
    day's allowance. There is no request: the count keys on the recipient alone."""
    return exceeded(
        None,
        group="dues.confirmation_email",
        key=lambda group, request: address.strip().lower(),
        rate=_confirmation_rate,
    )


def send_pledge_confirmation(pledge):
    """The confirmation email; a mail server down must not undo the pledge, so errors are logged.

    At most CONFIRMATION_EMAILS_PER_ADDRESS_PER_DAY go to one address: the form is public, and
    anyone could otherwise flood a stranger's mailbox. Past that the pledge stands, unmailed.
    """
    address = pledge.member.email
    if _too_many_confirmations(address):
        logger.warning(
            "confirmation email for pledge %s not sent: %s emails to that address today already",
            pledge.pk,
            settings.CONFIRMATION_EMAILS_PER_ADDRESS_PER_DAY,
        )
        return False
    context = confirmation_context(pledge)
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("dues/email/adhesion_confirmation_subject.txt", context)
        text = render_to_string("dues/email/adhesion_confirmation.txt", context)
        html = render_to_string("dues/email/adhesion_confirmation.html", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=[address])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        logger.exception("confirmation email for pledge %s not sent", pledge.pk)
        return False
    return True
