"""The adhesion and support form, online or on paper, and the one-click renewal.

`submit_adhesion` is the one way a form becomes rows: the member (created, or found by email),
the correspondents, the pledge of the campaign year, the charter and privacy acceptances, all in
one transaction. The online form, the staff's paper form and tests all call it.

The public form never reveals or changes a record it did not create: sent by someone not
logged in as the member whose email it gives, it becomes a pledge attached to nobody, keeping
what was typed (`dues.services.attaching` attaches it later).
"""

import dataclasses
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from cac_portal.tasking import enqueue
from charter import services as charter_services
from charter.models import AcceptanceSource, Charter, PrivacyNotice
from dues.campaign import current_year, scale_for, validate_dues_year
from dues.models import PaymentStatus, Pledge, PledgeSource, Purpose
from members import audit
from members.accesses import has_access
from members.duplicates import serialise_creation_by_email, serialise_member_creation
from members.models import CONTACT_FIELDS, CORRESPONDENT_FIELDS, Correspondent, Member, MemberKind
from members.validators import AMOUNT_CEILING, validate_money


@dataclasses.dataclass(frozen=True)
class AdhesionResult:
    # None for a pledge left to match (a known member's email, not logged in as them).
    member: Member | None
    pledge: Pledge
    member_created: bool
    # Values the form proposed for a known member but that were not applied (see below).
    proposed_changes: dict
    # A new email the logged-in member typed: it waits for verification (members.services).
    email_change: str = ""


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
    # UPPER(email) = UPPER(%s): the expression of the index `member_email_upper_idx`, so the
    # lookup reads a few index entries instead of every member. No ORDER BY pk LIMIT 1 in SQL:
    # PostgreSQL would walk the primary key instead, through every member when none matches.
    found = (
        Member.objects.open()
        .alias(email_upper=Upper("email"))
        .filter(email_upper=Upper(Value(email)), kind=kind)
        .order_by()
    )
    return min(found, key=_pk, default=None)


def _pk(member):
    return member.pk


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
    """Who may change a known member's contact data with a form: the people with access to it
    (logged in) and staff entering a paper form. Anyone else's values are only proposed."""
    actor = audit.acting_user(actor)
    if actor is None:
        return False
    return source == PledgeSource.PAPER or has_access(actor, member)


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


def _email_change(member, data, source):
    """The new email a form gives for a known member, when it must be verified before it
    replaces the old one (anything but staff's paper form): "" otherwise."""
    new = (data.get("email") or "").strip()
    if source == PledgeSource.PAPER or not new or new.lower() == (member.email or "").lower():
        return ""
    return new.lower()


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


def _add_correspondents(member, correspondents, *, new_member=False):
    existing = [] if new_member else list(member.correspondents.all())
    position = max((c.position for c in existing), default=0)
    rows = [
        Correspondent(member=member, position=position + offset, **fields)
        for offset, fields in enumerate(_new_correspondents(existing, correspondents), start=1)
    ]
    Correspondent.objects.bulk_create(rows)
    return rows


def check_amount(amount):
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


def _save_pledge(member, *, year, purpose, amount, source, actor, new_member=False):
    """At most one open pledge per member, year and purpose: a second form updates it (a
    member created in this transaction has none to look for)."""
    pledge = None if new_member else open_pledge(member, year, purpose)
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
    # The language the form was filled in ("fr", "en"): a new member's emails are written in it.
    language: str = ""

    def proposal(self):
        """What the form said, JSON-safe: kept with a pledge attached to nobody yet."""
        accepted_at = self.accepted_at or timezone.now()
        return {
            "kind": self.kind,
            "member": audit.snapshot(SimpleNamespace(**self.member_data), list(self.member_data)),
            "correspondents": [dict(row) for row in self.correspondents],
            "charter_version": self.charter.version if self.charter else None,
            "privacy_version": self.privacy_notice.version if self.privacy_notice else None,
            "accepted_at": accepted_at.isoformat(),
            "source": self.source,
        }

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
            amount=check_amount(amount),
            year=year,
            charter=self.charter or Charter.objects.current(),
            privacy_notice=self.privacy_notice or PrivacyNotice.objects.current(),
        )

    @property
    def acceptance_source(self):
        paper = self.source == PledgeSource.PAPER
        return AcceptanceSource.PAPER if paper else AcceptanceSource.ONLINE


def create_member(kind, member_data, *, actor, source, language=""):
    """A new member from a form's cleaned contact fields, audited; `language` the form's."""
    member = Member(kind=kind, **member_data)
    language = (language or "").split("-")[0]
    if language in dict(settings.LANGUAGES):
        member.language = language
    # The code is a new random UUID, not typed: no query to find it taken. The constraints
    # are checked in one query (`Member.validate_constraints`), not one and a savepoint each.
    member.full_clean(exclude=["reference", "search_text", "code"])
    member.save()
    audit.record(member, audit.Action.MEMBER_CREATED, actor=actor, after={"source": source})
    return member


def _update_member(member, adhesion, *, actor):
    """A known member's contact data from the form: applied where `_may_overwrite` allows,
    proposed (kept in the audit trail for staff) elsewhere; a new email only ever waits for
    verification. Returns (proposed values, new email to verify or "")."""
    if member.kind != adhesion.kind:
        raise ValidationError(_("Ce membre n'est pas de ce type."))
    email_change = _email_change(member, adhesion.member_data, adhesion.source)
    data = {k: v for k, v in adhesion.member_data.items() if not (email_change and k == "email")}
    before = audit.snapshot(member, CONTACT_FIELDS[adhesion.kind])
    changed, proposed = _apply_contact(
        member, data, overwrite=_may_overwrite(member, adhesion.source, actor)
    )
    note = _("Formulaire d'adhésion (%(source)s)") % {"source": adhesion.source}
    if changed:
        member.full_clean(exclude=["reference", "search_text"])
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
    return proposed, email_change


def _accept_texts(member, adhesion, *, actor, new_member=False):
    kwargs = {
        "accepted_at": adhesion.accepted_at,
        "source": adhesion.acceptance_source,
        "new_member": new_member,
    }
    if adhesion.charter is not None:
        charter_services.accept_charter(member, adhesion.charter, actor=actor, **kwargs)
    if adhesion.privacy_notice is not None:
        charter_services.accept_privacy_notice(
            member, adhesion.privacy_notice, actor=actor, **kwargs
        )


def _pledge_to_match(matched, adhesion):
    """The pledge of a form sent with `matched`'s email by someone not logged in as them: it
    belongs to nobody, keeps what was typed, and changes nothing of `matched`."""
    return Pledge.objects.create(
        member=None,
        matched_member=matched,
        proposal=adhesion.proposal(),
        year=adhesion.year,
        purpose=adhesion.purpose,
        amount=adhesion.amount,
        source=adhesion.source,
    )


def _known_or_new(member, adhesion, *, actor, create_anyway):
    """(member, created, matched): the member the form is for, a new one, or (None, False,
    the member whose email an anonymous public form gave)."""
    if member is not None:
        return Member.objects.select_for_update().get(pk=member.pk), False, None
    email = adhesion.member_data.get("email")
    if create_anyway:
        serialise_member_creation()
    else:
        # Forms with the same email wait for each other; forms with other emails do not.
        serialise_creation_by_email(email)
    known = None if create_anyway else find_member(email, adhesion.kind)
    online = adhesion.source == PledgeSource.ONLINE
    if known is not None and online and not has_access(audit.acting_user(actor), known):
        return None, False, known
    if known is not None:
        return Member.objects.select_for_update().get(pk=known.pk), False, None
    member = create_member(
        adhesion.kind,
        adhesion.member_data,
        actor=actor,
        source=adhesion.source,
        language=adhesion.language,
    )
    return member, True, None


def submit_adhesion(*, actor, member=None, notify=None, create_anyway=False, **form):
    """Turn a filled adhesion / support form (the fields of `Adhesion`) into rows, in one
    transaction: the member (created, found by email, or `member`: the logged-in member's own
    record, or the one staff picked), the correspondents, the pledge of the campaign year, the
    charter and privacy acceptances. `create_anyway`: a new member whatever the email says
    (staff, after seeing the likely duplicates).

    `actor`: the user who submits (the member online, staff for paper), or None. `notify`:
    send the confirmation email after commit (default: online only, with an email).

    Invariants: an online form without `member` whose email is a known member's changes
    nothing of that member (no contact data, correspondents, pledge or acceptance): it makes a
    pledge attached to nobody, emailed to the member's address with a link to attach it. A
    known member's contact data is overwritten only by people with access to it or by staff
    (`_may_overwrite`), and a new email only once verified; at most one unpaid pledge per
    member, year and purpose (resubmitting updates its amount instead of adding a second one);
    acceptances are stored once per version. Returns an `AdhesionResult`.
    """
    adhesion = Adhesion(**form).checked()
    with transaction.atomic():
        member, created, matched = _known_or_new(
            member, adhesion, actor=actor, create_anyway=create_anyway
        )
        if matched is not None:
            pledge = _pledge_to_match(matched, adhesion)
            proposed, email_change = {}, ""
        else:
            proposed, email_change = (
                ({}, "") if created else _update_member(member, adhesion, actor=actor)
            )
            pledge = _attached_pledge(member, adhesion, actor=actor, new_member=created)
        address = (matched or member).email
        if (adhesion.source == PledgeSource.ONLINE if notify is None else notify) and address:
            enqueue("dues.tasks.send_pledge_confirmation", pledge.pk)
    return AdhesionResult(
        member=member,
        pledge=pledge,
        member_created=created,
        proposed_changes=proposed,
        email_change=email_change,
    )


def _attached_pledge(member, adhesion, *, actor, new_member=False):
    if adhesion.kind == MemberKind.ORGANISATION:
        _add_correspondents(member, adhesion.correspondents, new_member=new_member)
    pledge = _save_pledge(
        member,
        year=adhesion.year,
        purpose=adhesion.purpose,
        amount=adhesion.amount,
        source=adhesion.source,
        actor=actor,
        new_member=new_member,
    )
    _accept_texts(member, adhesion, actor=actor, new_member=new_member)
    return pledge
