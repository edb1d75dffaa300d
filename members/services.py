"""Operations on members that are not the adhesion form: claiming a record, editing contact data.

A record is claimed by email only: the person proves they own the address (allauth's
verification), then the oldest open, unclaimed member with that address becomes theirs.
"""

from allauth.account.models import EmailAddress
from django.db import transaction

from members import audit
from members.models import ALL_CONTACT_FIELDS, Member

CONTACT_AUDIT_FIELDS = ALL_CONTACT_FIELDS


def claim_member(user):
    """Attach to `user` the member record of one of their verified emails; None if there is none.

    Invariants: only verified addresses count; a user has at most one member and a member at most
    one user (the one-to-one), so a record already claimed by someone else is never taken over.
    """
    if user is None or user.pk is None:
        return None
    existing = Member.objects.filter(user=user).first()
    if existing is not None:
        return existing
    emails = list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    if not emails:
        return None
    with transaction.atomic():
        for email in sorted(emails, key=lambda e: e.lower()):
            member = (
                Member.objects.select_for_update()
                .filter(email__iexact=email, user__isnull=True, closed_at__isnull=True)
                .order_by("pk")
                .first()
            )
            if member is not None:
                member.user = user
                member.save(update_fields=["user", "updated_at"])
                audit.record(
                    member,
                    audit.Action.MEMBER_CLAIMED,
                    actor=user,
                    after={"user": user.pk, "email": email},
                )
                return member
    return None


def update_contact(form, *, actor, correspondents=None):
    """Save a member's edited contact form (and correspondents formset), with an audit entry."""
    member = form.instance
    before = audit.snapshot(Member.objects.get(pk=member.pk), CONTACT_AUDIT_FIELDS)
    with transaction.atomic():
        member = form.save()
        if correspondents is not None:
            correspondents.instance = member
            correspondents.save()
        after = audit.snapshot(member, CONTACT_AUDIT_FIELDS)
        changed = [name for name in CONTACT_AUDIT_FIELDS if before[name] != after[name]]
        if changed or (correspondents is not None and correspondents.has_changed()):
            audit.record(
                member,
                audit.Action.MEMBER_CONTACT_CHANGED,
                actor=actor,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                note="/compte/",
            )
    return member
