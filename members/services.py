"""Operations on members that are not the adhesion form: claiming a record, editing contact
data, changing the contact email.

A record is claimed by email only: the person proves they own the address (allauth's
verification), then the open members with that address that nobody owns yet become theirs.
A member's email changes the same way: the new address is verified before it replaces the
old one, so nobody can put someone else's address on their record.
"""

from allauth.account.models import EmailAddress
from django.db import transaction

from members import audit
from members.accesses import grant_access
from members.models import ALL_CONTACT_FIELDS, Access, Member

CONTACT_AUDIT_FIELDS = [name for name in ALL_CONTACT_FIELDS if name != "email"]


def verified_emails(user):
    """The addresses `user` proved they own, in lower case."""
    return {
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }


def _unowned_with_email(email):
    return (
        Member.objects.open()
        .select_for_update()
        .filter(email__iexact=email)
        .exclude(accesses__role=Access.Role.OWNER)
        .order_by("pk")
    )


def claim_member(user):
    """Make `user` the owner of the open members whose email is one of their verified
    addresses and that have no owner yet; returns the first of their members, or None.

    Invariants: only verified addresses count; a record someone already owns is never taken
    over; each claim is audited."""
    if user is None or user.pk is None:
        return None
    with transaction.atomic():
        for email in sorted(verified_emails(user)):
            for member in _unowned_with_email(email):
                grant_access(member, user, role=Access.Role.OWNER, actor=user)
                audit.record(
                    member,
                    audit.Action.MEMBER_CLAIMED,
                    actor=user,
                    after={"user": user.pk, "email": email},
                )
    return Member.objects.open().filter(accesses__user=user).order_by("pk").first()


def update_contact(form, *, actor, correspondents=None):
    """Save a member's edited contact form (and correspondents formset), with an audit entry.

    The email is not changed here: a new address goes through `request_email_change`."""
    member = form.instance
    saved = Member.objects.get(pk=member.pk)
    before = audit.snapshot(saved, CONTACT_AUDIT_FIELDS)
    with transaction.atomic():
        member = form.save(commit=False)
        member.email = saved.email
        member.save()
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


def request_email_change(member, email, *, request, actor):
    """`email` will become `member`'s address once `actor` (logged in, with access to it)
    verifies it: it is added to their login's addresses and a verification email is sent;
    until then the member's email stays as it is. Returns True if a change is pending, False
    if `email` is already the member's, or already verified by `actor` and so applied now."""
    email = (email or "").strip().lower()
    if not email or email == (member.email or "").lower():
        if member.pending_email:
            Member.objects.filter(pk=member.pk).update(pending_email="")
            member.pending_email = ""
        return False
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        _forget_pending_address(actor, member.pending_email, keep=email)
        member.pending_email = email
        member.save(update_fields=["pending_email", "updated_at"])
        audit.record(
            member,
            audit.Action.MEMBER_EMAIL_CHANGE_REQUESTED,
            actor=actor,
            after={"pending_email": email},
        )
    address = EmailAddress.objects.filter(user=actor, email__iexact=email).first()
    if address is not None and address.verified:
        apply_verified_email(address)
        return False
    if address is None:
        EmailAddress.objects.add_email(request, actor, email, confirm=True)
    else:
        address.send_confirmation(request)
    return True


def _forget_pending_address(user, email, *, keep):
    """A change of mind: the address asked for before, never verified, leaves the login, so
    that it does not stand in the way of whoever really owns it."""
    if email and email.lower() != keep:
        EmailAddress.objects.filter(user=user, email__iexact=email, verified=False).delete()


def apply_verified_email(email_address):
    """`email_address` was just verified: the members its user may act for that were waiting
    for it take it as their email, and it becomes the user's primary login address."""
    user = email_address.user
    changed = False
    with transaction.atomic():
        members = (
            Member.objects.select_for_update()
            .filter(accesses__user=user, pending_email__iexact=email_address.email)
            .order_by("pk")
        )
        for member in members:
            before = member.email
            member.email = email_address.email
            member.pending_email = ""
            member.save(update_fields=["email", "pending_email", "updated_at"])
            audit.record(
                member,
                audit.Action.MEMBER_EMAIL_CHANGED,
                actor=user,
                before={"email": before},
                after={"email": member.email},
            )
            changed = True
        if changed:
            email_address.set_as_primary()
    return changed
