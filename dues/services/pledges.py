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


def _open_pledge(member, year, purpose):
    return (
        member.pledges.filter(year=year, purpose=purpose)
        .exclude(payments__status=PaymentStatus.RECEIVED)
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


def _apply_contact(member, data, *, overwrite):
    proposed = {}
    changed = []
    for name in CONTACT_FIELDS[member.kind]:
        if name not in data:
            continue
        new = data[name]
        old = getattr(member, name)
        if new in ("", None) or new == old:
            continue
        if name == "email" and (old or "").lower() == str(new).lower():
            continue
        if overwrite or old in ("", None):
            setattr(member, name, new)
            changed.append(name)
        else:
            proposed[name] = str(new)
    return changed, proposed


def _add_correspondents(member, correspondents):
    existing = list(member.correspondents.all())
    known = {c.name.casefold() for c in existing} | {
        c.email.casefold() for c in existing if c.email
    }
    position = max((c.position for c in existing), default=0)
    rows = []
    for row in correspondents:
        name = (row.get("name") or "").strip()
        email = (row.get("email") or "").strip()
        if not name or name.casefold() in known or (email and email.casefold() in known):
            continue
        position += 1
        known.update({name.casefold(), email.casefold()} - {""})
        rows.append(
            Correspondent(
                member=member,
                position=position,
                **{field: (row.get(field) or "").strip() for field in CORRESPONDENT_FIELDS},
            )
        )
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


def _save_pledge(member, *, year, purpose, amount, source, actor=None):
    """At most one open pledge per member, year and purpose: a second form updates it."""
    pledge = _open_pledge(member, year, purpose)
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
        "pledge.updated",
        actor=actor,
        before=before,
        after=audit.snapshot(pledge, ["amount", "source"]),
    )
    return pledge


def submit_adhesion(
    *,
    kind,
    member_data,
    purpose,
    amount=None,
    correspondents=(),
    year=None,
    source=PledgeSource.ONLINE,
    accepted_at=None,
    actor=None,
    member=None,
    charter=None,
    privacy_notice=None,
    notify=None,
):
    """Turn a filled adhesion / support form into rows, in one transaction.

    - `kind`: `MemberKind`; `member_data`: the cleaned contact fields (`IndividualForm` /
      `OrganisationForm.contact_data()`); `correspondents`: dicts of `CorrespondentForm` fields.
    - `amount`: a Decimal; None means the scale's suggestion (organisations with a budget).
    - `source`: "online" or "paper"; `accepted_at`: when the charter and privacy notice were
      accepted (a paper form's date of signature, a date or a datetime; now by default);
      `actor`: the user who submits (the member online, staff for paper), or None.
    - `member`: a known member to pledge for (staff picked them); else one is found by email
      (same kind, case-insensitive) or created.
    - `charter`, `privacy_notice`: the versions accepted; the ones in force by default.
    - `notify`: send the confirmation email after commit (default: online only, with an email).

    Invariants: a known member's contact data is overwritten only by themselves or by staff
    (`_may_overwrite`); at most one unpaid pledge per member, year and purpose (resubmitting
    updates its amount instead of adding a second one); acceptances are stored once per version.
    Returns an `AdhesionResult`.
    """
    if kind not in MemberKind.values:
        raise ValidationError(_("Type de membre inconnu."))
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Choisissez adhésion ou soutien/don.")})
    if source not in (PledgeSource.ONLINE, PledgeSource.PAPER):
        raise ValidationError(_("Source inconnue."))
    year = year or current_year()
    validate_dues_year(year, field="year")
    data = {k: v for k, v in member_data.items() if k in CONTACT_FIELDS[kind]}
    if amount in (None, ""):
        amount = suggested_amount(kind, year=year, annual_budget=data.get("annual_budget"))
        if amount is None:
            raise ValidationError({"amount": _("Indiquez un montant.")})
    amount = _check_amount(amount)
    charter = charter or Charter.objects.current()
    privacy_notice = privacy_notice or PrivacyNotice.objects.current()
    acceptance_source = (
        AcceptanceSource.PAPER if source == PledgeSource.PAPER else AcceptanceSource.ONLINE
    )

    with transaction.atomic():
        if member is None:
            member = find_member(data.get("email"), kind)
        if member is not None:
            member = Member.objects.select_for_update().get(pk=member.pk)
            if member.kind != kind:
                raise ValidationError(_("Ce membre n'est pas de ce type."))
        created = member is None
        proposed = {}
        if created:
            member = Member(kind=kind, **data)
            member.full_clean(exclude=["reference", "user"])
            member.save()
            audit.record(member, "member.created", actor=actor, after={"source": source})
        else:
            before = audit.snapshot(member, CONTACT_FIELDS[kind])
            changed, proposed = _apply_contact(
                member, data, overwrite=_may_overwrite(member, source, actor)
            )
            if changed:
                member.full_clean(exclude=["reference", "user"])
                member.save(update_fields=[*changed, "updated_at"])
            note = _("Formulaire d'adhésion (%(source)s)") % {"source": source}
            if changed:
                audit.record(
                    member,
                    "member.contact_changed",
                    actor=actor,
                    before={k: before[k] for k in changed},
                    after=audit.snapshot(member, changed),
                    note=note,
                )
            if proposed:
                audit.record(
                    member,
                    "member.contact_proposed",
                    actor=actor,
                    before={k: before[k] for k in proposed},
                    after={f"proposed:{k}": v for k, v in proposed.items()},
                    note=note,
                )
        if kind == MemberKind.ORGANISATION:
            _add_correspondents(member, correspondents)
        pledge = _save_pledge(
            member, year=year, purpose=purpose, amount=amount, source=source, actor=actor
        )
        if charter is not None:
            charter_services.accept_charter(
                member, charter, accepted_at=accepted_at, source=acceptance_source, actor=actor
            )
        if privacy_notice is not None:
            charter_services.accept_privacy_notice(
                member,
                privacy_notice,
                accepted_at=accepted_at,
                source=acceptance_source,
                actor=actor,
            )
        if notify is None:
            notify = source == PledgeSource.ONLINE
        if notify and member.email:
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


def renew(member, *, actor=None, notify=True):
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
        audit.record(pledge, "pledge.renewed", actor=actor, after={"year": year})
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


def send_pledge_confirmation(pledge):
    """The confirmation email; a mail server down must not undo the pledge, so errors are logged."""
    context = confirmation_context(pledge)
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("dues/email/adhesion_confirmation_subject.txt", context)
        text = render_to_string("dues/email/adhesion_confirmation.txt", context)
        html = render_to_string("dues/email/adhesion_confirmation.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[pledge.member.email]
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        logger.exception("confirmation email for pledge %s not sent", pledge.pk)
        return False
    return True
