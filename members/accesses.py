"""Who may act for a member in the member space, and which member a person is acting for.

A person (a user) reaches the members they have an `Access` to: their own individual
membership, the organisations they claimed or were let into. `current_member(request)` is the
one they chose at `/compte/` (kept in the session), checked against their accesses on every
request, so a stale or forged choice falls back to one of their own.

Invitations: an owner (or staff) invites an email address; the signed link is valid
INVITATION_DAYS days and serves once; accepting adds an access to the account that accepts.
"""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members import audit
from members.models import Access, Invitation, Member

logger = logging.getLogger(__name__)

SESSION_KEY = "current_member"
INVITATION_DAYS = 14
INVITATION_SALT = "members.invitation"


def members_of(user):
    """The open members `user` has access to: individuals first, then by name."""
    if user is None or not user.is_authenticated:
        return Member.objects.none()
    return (
        Member.objects.open()
        .filter(accesses__user=user)
        .order_by("kind", "last_name", "first_name", "name", "pk")
    )


def access_of(user, member):
    """`user`'s access to `member`, or None."""
    if user is None or not user.is_authenticated or member is None:
        return None
    return Access.objects.filter(user=user, member=member).first()


def has_access(user, member):
    return access_of(user, member) is not None


def current_member(request):
    """The member the logged-in person acts for: the one chosen at `/compte/` if they still
    have access to it, else their first; None if they reach none."""
    members = members_of(request.user)
    chosen = request.session.get(SESSION_KEY)
    if isinstance(chosen, int):
        member = members.filter(pk=chosen).first()
        if member is not None:
            return member
    return members.first()


def choose_member(request, member):
    """Act for `member` from now on (PermissionDenied without an access to it)."""
    if not has_access(request.user, member):
        raise PermissionDenied
    request.session[SESSION_KEY] = member.pk


def owner_access(user, member):
    """`user`'s access to `member` if it is an owner's, else PermissionDenied."""
    access = access_of(user, member)
    if access is None or not access.is_owner:
        raise PermissionDenied
    return access


def grant_access(member, user, *, role, actor, invited_by=None, note=""):
    """Give `user` access to `member` (an existing access keeps the higher role).

    Invariant: one access per member and user (a database constraint); audited."""
    with transaction.atomic():
        access = Access.objects.select_for_update().filter(member=member, user=user).first()
        if access is not None:
            if role == Access.Role.OWNER and not access.is_owner:
                access.role = role
                access.save(update_fields=["role"])
            return access
        try:
            with transaction.atomic():
                access = Access.objects.create(
                    member=member, user=user, role=role, invited_by=invited_by
                )
        except IntegrityError:
            return Access.objects.get(member=member, user=user)
        audit.record(
            member,
            audit.Action.ACCESS_GRANTED,
            actor=actor,
            after={"user": user.pk, "email": user.email, "role": role},
            note=note,
        )
    return access


def remove_access(access, *, actor):
    """Close `access`. Invariant: a member keeps at least one owner while it has accesses
    (the last owner is removed only with everyone else)."""
    with transaction.atomic():
        others = Access.objects.select_for_update().filter(member=access.member_id)
        others = others.exclude(pk=access.pk)
        if access.is_owner and others.exists() and not others.filter(role="owner").exists():
            raise ValidationError(
                _("C'est le dernier responsable : nommez-en un autre avant de le retirer.")
            )
        audit.record(
            access.member,
            audit.Action.ACCESS_REMOVED,
            actor=actor,
            before={"user": access.user_id, "email": access.user.email, "role": access.role},
        )
        access.delete()


def invitation_token(invitation):
    return signing.dumps(str(invitation.code), salt=INVITATION_SALT)


def invite(member, email, *, actor, role=Access.Role.MEMBER):
    """Invite `email` into `member`'s space: the invitation, audited, and its email with the
    signed link, sent after commit. An open invitation of the same address is sent again."""
    email = email.strip().lower()
    with transaction.atomic():
        invitation = member.invitations.filter(
            email=email, accepted_at__isnull=True, cancelled_at__isnull=True
        ).first()
        if invitation is None:
            invitation = Invitation.objects.create(
                member=member, email=email, role=role, invited_by=audit.acting_user(actor)
            )
        else:
            # A new link, a new fortnight: the old link's date is the invitation's.
            invitation.created_at = timezone.now()
            invitation.save(update_fields=["created_at"])
        audit.record(
            member, audit.Action.ACCESS_INVITED, actor=actor, after={"email": email, "role": role}
        )
        transaction.on_commit(lambda: send_invitation(invitation), robust=True)
    return invitation


def send_invitation(invitation):
    """The invitation's email; a mail server down must not undo it, so errors are logged."""
    context = {
        "invitation": invitation,
        "member": invitation.member,
        "inviter": invitation.invited_by,
        "url": settings.SITE_URL
        + reverse("members:invitation", args=[invitation_token(invitation)]),
        "days": INVITATION_DAYS,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("members/email/invitation_subject.txt", context)
        body = render_to_string("members/email/invitation.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [invitation.email])
    except Exception:
        logger.exception("invitation %s not sent", invitation.pk)
        return False
    return True


def invitation_from(token):
    """The open invitation of a link, or ValidationError (forged, expired, used, cancelled)."""
    expired = ValidationError(
        _("Ce lien d'invitation n'est plus valable : demandez une nouvelle invitation."),
        code="expired",
    )
    try:
        code = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_DAYS * 86400)
    except signing.BadSignature:
        raise expired from None
    invitation = Invitation.objects.select_related("member").filter(code=code).first()
    if invitation is None or not invitation.is_open or invitation.member.merged_into_id:
        raise expired
    if invitation.created_at < timezone.now() - datetime.timedelta(days=INVITATION_DAYS):
        raise expired
    return invitation


def accept_invitation(token, user):
    """The logged-in `user` accepts the invitation of `token`: their access is added and the
    invitation used up, once (two clicks at once give one access)."""
    invitation = invitation_from(token)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise ValidationError(
                _("Ce lien d'invitation n'est plus valable : demandez une nouvelle invitation."),
                code="expired",
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        access = grant_access(
            invitation.member,
            user,
            role=invitation.role,
            actor=user,
            invited_by=invitation.invited_by,
            note=_("invitation envoyée à %(email)s") % {"email": invitation.email},
        )
    return access


def cancel_invitation(invitation, *, actor):
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            return invitation
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        audit.record(
            invitation.member,
            audit.Action.ACCESS_INVITATION_CANCELLED,
            actor=actor,
            before={"email": invitation.email},
        )
    return invitation
