"""Two records of one member become one (`merge_members`): the survivor keeps its fields but
those staff chose from the other, and gets everything that pointed at the other record
(pledges, payments, receipts, acceptances, correspondents, accesses, invitations...); the
other is closed and marked merged into it, so that its reference leads to the survivor.

The move is generic: every foreign key to `Member` follows, so an app added later is not left
behind; only what must not be doubled is handled here first (an acceptance per version, a
correspondent per person, an access per account). Apps above members refuse a merge through
`members.signals.merge_check` (receipts: two valid annual summaries for one year).
Receipts keep their copied donor fields and their PDF: only their member changes.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.models import Acceptance, PrivacyAcceptance
from members import audit
from members.models import CONTACT_FIELDS, Access, Correspondent, Member, MemberKind
from members.signals import merge_check

SNAPSHOT_FIELDS = [
    "reference",
    "kind",
    *dict.fromkeys(CONTACT_FIELDS[MemberKind.INDIVIDUAL] + CONTACT_FIELDS[MemberKind.ORGANISATION]),
    "siren",
    "legal_form",
    "closed_at",
]
CORRESPONDENT_DETAILS = ["function", "email", "phone_professional", "phone_mobile"]


class MergeRefused(ValidationError):
    """The two records cannot be merged; the messages say why."""


def mergeable_fields(kind):
    """The fields whose surviving value staff choose, for members of `kind`."""
    extra = ["siren", "legal_form"] if kind == MemberKind.ORGANISATION else []
    return [*CONTACT_FIELDS[kind], *extra]


def blockers(survivor, merged):
    """Why `merged` cannot be merged into `survivor` (French sentences); [] when it can."""
    if survivor is None or merged is None:
        return [_("Choisissez les deux fiches à fusionner.")]
    if survivor.pk == merged.pk:
        return [_("Une fiche ne peut pas être fusionnée avec elle-même.")]
    if survivor.kind != merged.kind:
        return [_("Une personne physique et une personne morale ne peuvent pas être fusionnées.")]
    reasons = [
        _("La fiche %(reference)s est close ou déjà fusionnée.") % {"reference": m.reference}
        for m in (survivor, merged)
        if m.closed_at is not None or m.merged_into_id is not None
    ]
    for _receiver, found in merge_check.send(sender=Member, survivor=survivor, merged=merged):
        reasons.extend(found or [])
    return reasons


def _keep_earliest(model, version_field, survivor, merged):
    """One acceptance per version: the survivor's, dated as the earliest of the two."""
    mine = {getattr(a, f"{version_field}_id"): a for a in model.objects.filter(member=survivor)}
    for theirs in model.objects.filter(member=merged):
        kept = mine.get(getattr(theirs, f"{version_field}_id"))
        if kept is None:
            theirs.member = survivor
            theirs.save(update_fields=["member"])
            continue
        if theirs.accepted_at < kept.accepted_at:
            kept.accepted_at, kept.source = theirs.accepted_at, theirs.source
            kept.recorded_by_id = theirs.recorded_by_id
            kept.save(update_fields=["accepted_at", "source", "recorded_by"])
        theirs.delete()


def _same_person(one, other):
    names = one.name.casefold() == other.name.casefold()
    return names or bool(one.email) and one.email.casefold() == other.email.casefold()


def _move_correspondents(survivor, merged):
    """The other's correspondents join the survivor's, but a person already there (same name
    or email) is not doubled: their details only fill the blanks."""
    mine = list(survivor.correspondents.all())
    position = max((c.position for c in mine), default=0)
    for theirs in merged.correspondents.order_by("position", "pk"):
        twin = next((c for c in mine if _same_person(c, theirs)), None)
        if twin is None:
            position += 1
            Correspondent.objects.filter(pk=theirs.pk).update(member=survivor, position=position)
            mine.append(theirs)
            continue
        _fill_blanks(twin, theirs)
        theirs.delete()


def _fill_blanks(kept, other):
    blanks = [f for f in CORRESPONDENT_DETAILS if not getattr(kept, f) and getattr(other, f)]
    for field in blanks:
        setattr(kept, field, getattr(other, field))
    if blanks:
        kept.save(update_fields=blanks)


def _move_accesses(survivor, merged):
    """One access per account: an owner of either record is an owner of the survivor."""
    mine = {a.user_id: a for a in Access.objects.filter(member=survivor)}
    for theirs in Access.objects.filter(member=merged):
        kept = mine.get(theirs.user_id)
        if kept is None:
            Access.objects.filter(pk=theirs.pk).update(member=survivor)
            continue
        if theirs.is_owner and not kept.is_owner:
            kept.role = Access.Role.OWNER
            kept.save(update_fields=["role"])
        theirs.delete()


def _move_everything_else(survivor, merged):
    """Every other row whose foreign key points at the merged record now points at the
    survivor (querysets' update: no model's save() or delete() is involved)."""
    for relation in Member._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        manager = relation.related_model._base_manager
        manager.filter(**{relation.field.name: merged}).update(**{relation.field.name: survivor})


def _apply_fields(survivor, merged, fields_from_merged):
    allowed = set(mergeable_fields(survivor.kind))
    unknown = set(fields_from_merged) - allowed
    if unknown:
        raise MergeRefused(_("Champs inconnus : %(fields)s.") % {"fields": ", ".join(unknown)})
    for name in fields_from_merged:
        setattr(survivor, name, getattr(merged, name))
    survivor.full_clean(exclude=["reference", "search_text"])


def merge_members(*, survivor, merged, actor, fields_from_merged=()):
    """Merge `merged` into `survivor`, in one transaction.

    Invariants: refused with its reasons (MergeRefused) for the same record, two kinds, a
    closed or merged record, or what `merge_check` receivers say (two valid annual summaries
    of one year); afterwards nothing points at the merged record but the audit trail; the
    merged record is closed, with `merged_into` and `merged_at`; receipts' rows change their
    member only; one audit entry keeps both records' values before the merge."""
    with transaction.atomic():
        locked = {
            m.pk: m
            for m in Member.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
        }
        survivor, merged = locked.get(survivor.pk), locked.get(merged.pk)
        reasons = blockers(survivor, merged)
        if reasons:
            raise MergeRefused(reasons)
        before = {
            "survivor": audit.snapshot(survivor, SNAPSHOT_FIELDS),
            "merged": audit.snapshot(merged, SNAPSHOT_FIELDS),
        }
        _apply_fields(survivor, merged, fields_from_merged)
        _keep_earliest(Acceptance, "charter", survivor, merged)
        _keep_earliest(PrivacyAcceptance, "notice", survivor, merged)
        _move_correspondents(survivor, merged)
        _move_accesses(survivor, merged)
        _move_everything_else(survivor, merged)
        survivor.save()
        now = timezone.now()
        Member.objects.filter(pk=merged.pk).update(
            merged_into=survivor, merged_at=now, closed_at=merged.closed_at or now
        )
        audit.record(
            survivor,
            audit.Action.MEMBER_MERGED,
            actor=actor,
            before=before,
            after={
                "merged": merged.reference,
                "fields_from_merged": sorted(fields_from_merged),
            },
        )
    return survivor
