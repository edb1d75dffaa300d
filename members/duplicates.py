"""Likely duplicates of a member about to be created, found before it is: same email; same
phone (any of the member's phones, E.164); same last name, first name and postal code; same
organisation name or acronym and postal code. Names are compared folded (`members.models.fold`:
no accents, no case), so "JAURES Jean" finds "Jaurès Jean".

Creations that check for duplicates run one at a time (`serialise_member_creation`), so two
desks typing the same form at once cannot both find nothing and both create.
"""

import dataclasses

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members import audit
from members.models import Member, MemberKind, fold
from members.validators import format_phone

PHONE_FIELDS = ["phone", "phone_mobile", "phone_professional", "phone_home"]
# Any constant both sides agree on: the advisory lock of member creations.
CREATION_LOCK = 0x0CAC_11E3

REASONS = {
    "email": _("même e-mail"),
    "phone": _("même téléphone"),
    "names": _("même nom, prénom et code postal"),
    "organisation": _("même nom ou sigle et code postal"),
}


class LikelyDuplicates(ValidationError):
    """Members that look like the one about to be created: staff choose before it is."""

    def __init__(self, candidates):
        super().__init__(_("Des membres semblables existent déjà."), code="duplicates")
        self.candidates = candidates


@dataclasses.dataclass
class Candidate:
    member: Member
    reasons: list

    @property
    def reason_labels(self):
        return [REASONS[reason] for reason in self.reasons]


def serialise_member_creation():
    """Within the caller's transaction, wait for any other creation that checks duplicates to
    commit. PostgreSQL: a transaction-level advisory lock. SQLite writes one at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CREATION_LOCK])


# The two-key space of per-email locks (PostgreSQL keeps it apart from one-key locks).
EMAIL_LOCK_SPACE = 0x0CAC


def serialise_creation_by_email(email):
    """Within the caller's transaction, wait for another creation with this email (whatever
    its case) to commit, and for a creation that checks every kind of duplicate
    (`serialise_member_creation`, which waits for this one in turn); creations with other
    emails go on side by side. (One lock for every creation made the public form's
    submissions wait for each other.) Without an email: `serialise_member_creation`."""
    email = (email or "").strip()
    if not email:
        serialise_member_creation()
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock_shared(%s), "
                "pg_advisory_xact_lock(%s, hashtext(upper(%s)))",
                [CREATION_LOCK, EMAIL_LOCK_SPACE, email],
            )


def _folded(value):
    """A wide net on the folded column; the exact comparison is made in Python (`_same`)."""
    return Q(search_text__contains=fold(value))


def _phones(data):
    return {data.get(name) for name in PHONE_FIELDS if data.get(name)}


def _name_condition(kind, data):
    """The folded names a duplicate would share, with the postal code; None without them."""
    postal_code = data.get("postal_code") or ""
    if not postal_code:
        return None
    if kind == MemberKind.INDIVIDUAL:
        names = [data.get("last_name")] if data.get("last_name") else []
    else:
        names = [value for value in (data.get("name"), data.get("acronym")) if value]
    if not names:
        return None
    return Q(postal_code=postal_code) & Q(*[_folded(value) for value in names], _connector=Q.OR)


def _conditions(kind, data):
    """{reason: Q} of what `data` (cleaned contact fields) would share with a duplicate."""
    conditions = {}
    email = (data.get("email") or "").strip()
    if email:
        conditions["email"] = Q(email__iexact=email)
    phones = _phones(data)
    if phones:
        conditions["phone"] = Q(
            *[Q(**{f"{name}__in": phones}) for name in PHONE_FIELDS], _connector=Q.OR
        )
    names = _name_condition(kind, data)
    if names is not None:
        conditions["names" if kind == MemberKind.INDIVIDUAL else "organisation"] = names
    return conditions


def _same(reason, member, data):
    """The exact test of `reason` (the database's was a wide net on the folded column)."""
    if reason == "names":
        return fold(member.last_name) == fold(data.get("last_name")) and fold(
            member.first_name
        ) == fold(data.get("first_name"))
    if reason == "organisation":
        typed = {fold(data.get("name")), fold(data.get("acronym"))} - {""}
        known = {fold(member.name), fold(member.acronym)} - {""}
        return bool(typed & known)
    return True


def likely_duplicates(kind, data, *, exclude=None):
    """The open members of `kind` that look like the one `data` describes, each with why;
    those with the most reasons first. `exclude`: a member not to report (the one edited)."""
    conditions = _conditions(kind, data)
    if not conditions:
        return []
    members = Member.objects.open().filter(kind=kind)
    if exclude is not None:
        members = members.exclude(pk=exclude.pk)
    found = {}
    for reason, condition in conditions.items():
        for member in members.filter(condition).order_by("pk")[:20]:
            if _same(reason, member, data):
                found.setdefault(member.pk, Candidate(member, [])).reasons.append(reason)
    return sorted(found.values(), key=lambda c: (-len(c.reasons), c.member.pk))


def check_before_creating(kind, data, *, create_anyway):
    """Within the creating transaction: wait for other creations (`serialise_member_creation`),
    then the likely duplicates of `data`. LikelyDuplicates if there are any, unless staff
    said to `create_anyway`; returns them (for `record_created_anyway`)."""
    serialise_member_creation()
    candidates = likely_duplicates(kind, data)
    if candidates and not create_anyway:
        raise LikelyDuplicates(candidates)
    return candidates


def record_created_anyway(member, candidates, *, actor):
    """The audit entry of a member created although `candidates` looked like it (none: none)."""
    if candidates:
        audit.record(
            member,
            audit.Action.MEMBER_CREATED_ANYWAY,
            actor=actor,
            after={"candidates": [candidate.member.reference for candidate in candidates]},
        )


COMPARED_FIELDS = {
    MemberKind.INDIVIDUAL: [
        "last_name",
        "first_name",
        "email",
        "phones",
        "street",
        "postal_code",
        "city",
    ],
    MemberKind.ORGANISATION: [
        "name",
        "acronym",
        "email",
        "phones",
        "street",
        "postal_code",
        "city",
    ],
}


def _shown(source, name):
    """The value of `name` in `source` (a member or the form's cleaned data) as staff read it."""
    get = source.get if isinstance(source, dict) else lambda key: getattr(source, key, "")
    if name == "phones":
        return ", ".join(format_phone(get(field)) for field in PHONE_FIELDS if get(field))
    return get(name) or ""


def side_by_side(kind, data, candidates):
    """Rows (label, typed value, [each candidate's value]) to show what was typed next to the
    likely duplicates; a value equal to the typed one is marked (`same`)."""
    rows = []
    for name in COMPARED_FIELDS[kind]:
        typed = _shown(data, name)
        values = [_shown(candidate.member, name) for candidate in candidates]
        rows.append(
            {
                "label": FIELD_LABELS[name],
                "typed": typed,
                "values": [
                    {"value": value, "same": bool(typed) and fold(value) == fold(typed)}
                    for value in values
                ],
            }
        )
    return rows


FIELD_LABELS = {
    "last_name": _("Nom"),
    "first_name": _("Prénom"),
    "name": _("Nom de la structure"),
    "acronym": _("Sigle"),
    "email": _("E-mail"),
    "phones": _("Téléphones"),
    "street": _("Adresse"),
    "postal_code": _("Code postal"),
    "city": _("Ville"),
}
