"""Closing a member's account (GDPR art. 17), by the member or by staff on a written request,
and the same erasure when the retention period runs out (`members.retention`).

Erased: the contact data of the record (its name becomes "Compte fermé"), its correspondents,
its directory entry, its pending invitations, who may log into it, and the logins that reach
no other member; the before/after values of its audit entries. Kept, as the law asks: its
reference, kind and, for a company, SIREN and legal form; its pledges' years, purposes and
amounts; its payments and its receipts, whose donor fields were copied at issue and stay as
issued (LPF art. L102 E: six years; accounting entries: ten years). The apps above erase what
they hold through `members.signals.member_erasing`.
"""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members import audit
from members.models import AuditEntry, Member, MemberKind
from members.signals import member_erasing

logger = logging.getLogger(__name__)

# What an erased record is called wherever a name is shown (lists, receipts to come): data in
# the collective's language, whatever the language of the person who closed it.
CLOSED_NAME = "Compte fermé"

ERASED_VALUES = {
    "first_name": "",
    "activity": "",
    "function": "",
    "phone_professional": "",
    "phone_home": "",
    "acronym": "",
    "phone": "",
    "federations_count": None,
    "associations_count": None,
    "members_count": None,
    "annual_budget": None,
    "directory_opt_in": False,
    "directory_description": "",
    "phone_mobile": "",
    "email": "",
    "pending_email": "",
    "website": "",
    "street": "",
    "postal_code": "",
    "city": "",
    "country": "FR",
}
# What an erased record keeps, field by field (said on the closure page and in the record of
# processing activities).
KEPT_FIELDS = ["reference", "kind", "is_company", "siren", "legal_form", "created_at"]


def _name_field(member):
    return "name" if member.kind == MemberKind.ORGANISATION else "last_name"


def _remove_logins(member):
    """Close every access to `member`; delete the logins that reach no other member and are
    not the team's. Returns (accesses removed, logins deleted)."""
    users = [access.user for access in member.accesses.select_related("user")]
    removed, _ = member.accesses.all().delete()
    deleted = 0
    for user in users:
        if user.is_staff or user.is_superuser or user.groups.exists():
            continue
        if not user.member_accesses.exists():
            user.delete()
            deleted += 1
    return removed, deleted


def _forget_audit_values(member):
    """The audit entries about the member keep who did what and when, not the old values."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Member), object_id=str(member.pk)
    ).update(before={}, after={})


def erase(member, *, actor, action, note=""):
    """Erase `member`'s contact data in the current transaction (see the module's docstring);
    returns the counts of what went, recorded in one audit entry of `action`.

    The entry is written first: when the person closing their own account loses their login
    here, the entry stays, without its author (the login is personal data too)."""
    now = timezone.now()
    forgotten = _forget_audit_values(member)
    closing = audit.record(member, action, actor=actor, note=note)
    counts = {"correspondants": member.correspondents.all().delete()[0]}
    counts["invitations"] = member.invitations.all().delete()[0]
    counts["acces"], counts["comptes"] = _remove_logins(member)
    for _receiver, erased in member_erasing.send(sender=Member, member=member, actor=actor):
        counts.update(erased or {})
    counts["journal"] = forgotten
    for name, value in ERASED_VALUES.items():
        setattr(member, name, value)
    setattr(member, _name_field(member), CLOSED_NAME)
    member.closed_at = member.closed_at or now
    member.erased_at = now
    member.save()
    AuditEntry.objects.filter(pk=closing.pk).update(after=counts)
    return counts


def confirmation_recipients(member):
    """Who is told the account was closed: the member's address and the logins into it."""
    emails = {member.email} | {
        access.user.email for access in member.accesses.select_related("user")
    }
    return sorted(email for email in emails if email)


def close_member(member, *, actor, reason=""):
    """Close `member`'s account now: erase its contact data (kept what the law asks), audit it
    with `reason` (staff acting on a written request), and email a confirmation after commit.

    Invariant: an erased record is never erased twice (ValidationError)."""
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.erased_at is not None or member.merged_into_id is not None:
            raise ValidationError(_("Ce compte est déjà fermé."))
        recipients = confirmation_recipients(member)
        context = {"reference": member.reference, "name": member.display_name}
        counts = erase(member, actor=actor, action=AuditEntry.Action.MEMBER_CLOSED, note=reason)
        transaction.on_commit(lambda: send_confirmation(recipients, context), robust=True)
    return counts


def send_confirmation(recipients, context):
    """The closure's confirmation: the addresses were captured before they were erased."""
    if not recipients:
        return False
    context = {
        **context,
        "receipt_years": settings.RETENTION_RECEIPT_YEARS,
        "payment_years": settings.RETENTION_PAYMENT_YEARS,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("members/email/closed_subject.txt", context)
        body = render_to_string("members/email/closed.txt", context)
    send_mail(" ".join(subject.split()), body, None, recipients)
    return True
