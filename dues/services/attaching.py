"""Pledges attached to nobody (sent from the public form with a known member's address by
someone not logged in as that member) join a member here: by the emailed link or from the
member space (the address's owner), or at the desk (staff: to the member matched, to another
one, or to a new member made from what the form said).

Attaching is the moment the form's acceptances of the charter and privacy notice are recorded
for the member, dated when they were ticked. Nothing else of the form changes the member.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from charter import services as charter_services
from charter.models import AcceptanceSource, Charter, PrivacyNotice
from dues.models import Pledge, PledgeSource
from dues.services.pledges import create_member
from members import audit
from members.accesses import members_of
from members.duplicates import check_before_creating, record_created_anyway
from members.models import CONTACT_FIELDS, MemberKind
from members.search import survivor_of
from members.services import verified_emails


def _accepted_at(proposal):
    value = proposal.get("accepted_at") or ""
    moment = parse_datetime(value)
    if moment is None:
        try:
            moment = datetime.datetime.combine(datetime.date.fromisoformat(value), datetime.time())
        except ValueError:
            return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _record_acceptances(member, proposal, *, actor):
    kwargs = {
        "accepted_at": _accepted_at(proposal),
        "source": (
            AcceptanceSource.PAPER
            if proposal.get("source") == PledgeSource.PAPER
            else AcceptanceSource.ONLINE
        ),
        "actor": actor,
    }
    charter = Charter.objects.filter(version=proposal.get("charter_version")).first()
    if charter is not None:
        charter_services.accept_charter(member, charter, **kwargs)
    notice = PrivacyNotice.objects.filter(version=proposal.get("privacy_version")).first()
    if notice is not None:
        charter_services.accept_privacy_notice(member, notice, **kwargs)


def attach_pledge(pledge, member, *, actor, note=""):
    """Attach a pledge waiting for its member to `member` (the record it was merged into, if
    it was): from now on it counts for that member, and the acceptances its form gave are
    recorded in the member's name.

    Invariants: attached once (a second attempt is refused, whoever makes it); only to a
    member of the kind the form was filled for; audited."""
    member = survivor_of(member)
    with transaction.atomic():
        locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if locked.member_id is not None:
            raise ValidationError(
                _("La promesse %(reference)s est déjà rattachée à un membre.")
                % {"reference": locked.reference},
                code="attached",
            )
        if locked.proposal.get("kind") != member.kind:
            raise ValidationError(
                _("Cette promesse a été faite pour une %(kind)s : choisissez un membre de ce type.")
                % {"kind": MemberKind(locked.proposal.get("kind")).label},
                code="kind",
            )
        locked.member = member
        locked.save(update_fields=["member"])
        _record_acceptances(member, locked.proposal, actor=actor)
        audit.record(
            locked,
            audit.Action.PLEDGE_ATTACHED,
            actor=actor,
            after={"member": member.pk, "reference": locked.reference},
            note=note,
        )
    pledge.refresh_from_db()
    return locked


def offered_to(user, member):
    """The pledges waiting for `member` that `user` may attach from the member space: those
    made with one of the user's verified addresses, which is the member's."""
    if member is None:
        return []
    emails = verified_emails(user)
    waiting = Pledge.objects.to_match().filter(matched_member=member).order_by("created_at")
    return [
        pledge
        for pledge in waiting
        if (pledge.proposal.get("member", {}).get("email") or "").lower() in emails
    ]


def attach_from_member_space(reference, *, user, member):
    """The logged-in `user`, acting for `member`, attaches the pledge of `reference` offered
    to them (`offered_to`); Pledge.DoesNotExist for any other pledge."""
    pledge = next((p for p in offered_to(user, member) if p.reference == reference), None)
    if pledge is None or member not in members_of(user):
        raise Pledge.DoesNotExist
    return attach_pledge(pledge, member, actor=user, note=_("depuis l'espace membre"))


def proposal_data(pledge):
    """(kind, contact fields, correspondents) of a pledge's form, as `create_member` takes them."""
    proposal = pledge.proposal
    kind = proposal.get("kind")
    data = {k: v for k, v in proposal.get("member", {}).items() if k in CONTACT_FIELDS[kind]}
    return kind, data, proposal.get("correspondents", [])


def create_member_for(pledge, *, actor, create_anyway=False):
    """A new member made from what the pledge's form said, then the pledge attached to it.

    Invariant: created only if no likely duplicate exists (LikelyDuplicates, listing them),
    unless staff `create_anyway` (then audited with the candidates' references); two desks
    doing it at once create one member."""
    kind, data, correspondents = proposal_data(pledge)
    with transaction.atomic():
        candidates = check_before_creating(kind, data, create_anyway=create_anyway)
        member = create_member(kind, data, actor=actor, source=PledgeSource.ONLINE)
        record_created_anyway(member, candidates, actor=actor)
        if kind == MemberKind.ORGANISATION:
            for position, row in enumerate(correspondents, start=1):
                member.correspondents.create(position=position, **row)
        attach_pledge(pledge, member, actor=actor, note=_("nouveau membre créé par l'équipe"))
    return member
