"""A member's personal data, downloaded (GDPR art. 15 and 20): one ZIP with `donnees.json` and
the member's receipt PDFs, the very originals that were emailed.

`members` holds the member, its correspondents, who may log into it, its acceptances and the
audit trail; the apps above hold its pledges, payments and receipts and add them through the
`members.signals.personal_data` signal (members never imports them). Every download is
recorded (who, when, for which member). A download with many receipts is built by a worker
(`members.tasks.build_personal_data`) and its link emailed, valid PERSONAL_DATA_LINK_DAYS days.
"""

import datetime
import io
import json
import logging
import uuid
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.mail import send_mail
from django.db.models import Model, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cac_portal.tasking import enqueue
from members import audit
from members.models import ALL_CONTACT_FIELDS, CORRESPONDENT_FIELDS, AuditEntry, Member
from members.signals import personal_data

logger = logging.getLogger(__name__)

FORMAT = "cac-portal/donnees-personnelles/1"
JSON_NAME = "donnees.json"
ARCHIVE_FOLDER = "donnees-personnelles"
LINK_SALT = "members.personal_data.link"

# What each top-level key of donnees.json holds: written into the file itself ("_cles").
KEYS = {
    "format": "identifiant et version de ce format de fichier",
    "genere_le": "date et heure de création du fichier (ISO 8601, heure de Paris)",
    "membre": "la fiche du membre : référence, type, identité et coordonnées",
    "correspondants": "les correspondants d'une structure",
    "acces": "les comptes qui peuvent se connecter à cet espace, leur rôle et depuis quand",
    "chartes": "les versions de la charte souscrites, avec leur date",
    "politiques_de_confidentialite": "les versions de cette politique acceptées, avec leur date",
    "promesses": "les engagements (adhésion ou don) : année, objet, montant, date",
    "paiements": "les paiements reçus : mode, montant, date de réception, chèque, état",
    "comptes_bancaires_connus": "les IBAN reconnus comme payant pour le membre (virements)",
    "recus": "les reçus émis (métadonnées) ; leurs PDF originaux sont dans le dossier recus/",
    "courriels": "les e-mails envoyés : reçus, invitations, rappels ; destinataire et date",
    "historique": "le journal : qui a lu, changé ou exporté ces données, et quand",
}


@dataclass
class Part:
    """What one app contributes: JSON sections, files for the ZIP ({name: bytes-producing
    callable}), e-mails sent, and querysets whose audit entries are the member's history."""

    sections: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    emails: list = field(default_factory=list)
    audited: list = field(default_factory=list)


def plain(value):
    """A JSON-safe value: ISO dates, amounts as strings ("50.00"), ids of rows."""
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def row(obj, fields):
    return {name: plain(getattr(obj, name)) for name in fields}


def _member_part(member):
    """What `members` itself holds about `member`."""
    correspondents = [row(c, CORRESPONDENT_FIELDS) for c in member.correspondents.all()]
    accesses = [
        {"email": a.user.email, "role": a.role, "depuis": plain(a.created_at)}
        for a in member.accesses.select_related("user")
    ]
    invitations = [
        {"type": "invitation", "a": i.email, "envoye_le": plain(i.created_at)}
        for i in member.invitations.all()
    ]
    charters = [
        {
            "version": a.charter.version,
            "titre": a.charter.title,
            "acceptee_le": plain(a.accepted_at),
            "source": a.source,
        }
        for a in member.acceptance_set.select_related("charter").order_by("accepted_at")
    ]
    notices = [
        {
            "version": a.notice.version,
            "titre": a.notice.title,
            "acceptee_le": plain(a.accepted_at),
            "source": a.source,
        }
        for a in member.privacyacceptance_set.select_related("notice").order_by("accepted_at")
    ]
    return Part(
        sections={
            "membre": row(
                member,
                ["reference", "kind", *ALL_CONTACT_FIELDS, "created_at", "closed_at", "erased_at"],
            ),
            "correspondants": correspondents,
            "acces": accesses,
            "chartes": charters,
            "politiques_de_confidentialite": notices,
        },
        emails=invitations,
        audited=[member.correspondents.all()],
    )


def history(member, related=()):
    """The audit entries about `member` and about the rows in the querysets `related` (its
    pledges, payments, receipts...), newest first."""
    targets = [Q(content_type=ContentType.objects.get_for_model(Member), object_id=str(member.pk))]
    for queryset in related:
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        if ids:
            content_type = ContentType.objects.get_for_model(queryset.model)
            targets.append(Q(content_type=content_type, object_id__in=ids))
    return (
        AuditEntry.objects.filter(reduce(or_, targets))
        .select_related("actor", "content_type")
        .order_by("-at", "-pk")
    )


def _who(entry, member_users):
    if entry.actor_id is None:
        return "système"
    if entry.actor_id in member_users:
        return "vous (ou une personne ayant accès à cet espace)"
    return "l'équipe du Collectif"


def _history_rows(member, audited):
    member_users = set(member.accesses.values_list("user_id", flat=True))
    return [
        {
            "date": plain(entry.at),
            "action": entry.action,
            "libelle": str(entry.get_action_display()),
            "objet": f"{entry.content_type.model} {entry.object_id}",
            "par": _who(entry, member_users),
            "avant": entry.before,
            "apres": entry.after,
            "note": entry.note,
        }
        for entry in history(member, audited)
    ]


def parts_of(member):
    parts = [_member_part(member)]
    for _receiver, part in personal_data.send(sender=Member, member=member):
        if part is not None:
            parts.append(part)
    return parts


def collect(member):
    """The member's data as the JSON document of the download (a dict), and its files."""
    parts = parts_of(member)
    document = {
        "_cles": KEYS,
        "format": FORMAT,
        "genere_le": plain(timezone.now()),
        **{key: [] for key in KEYS if key not in ("format", "genere_le")},
    }
    files = {}
    for part in parts:
        document.update(part.sections)
        document["courriels"] += part.emails
        files.update(part.files)
    document["courriels"].sort(key=lambda email: email.get("envoye_le") or "")
    audited = [queryset for part in parts for queryset in part.audited]
    document["historique"] = _history_rows(member, audited)
    return document, files


def build_archive(member):
    """The ZIP's bytes: donnees.json, then each receipt's original PDF under recus/."""
    document, files = collect(member)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(document, ensure_ascii=False, indent=2))
        for name, produce in sorted(files.items()):
            data = produce()
            if data is not None:
                archive.writestr(name, data)
    return buffer.getvalue()


def file_count(member):
    return sum(len(part.files) for part in parts_of(member))


def archive_name(member):
    return f"donnees-{member.reference}.zip"


def record_export(member, *, actor, note=""):
    return audit.record(member, AuditEntry.Action.MEMBER_DATA_EXPORTED, actor=actor, note=note)


def record_view(member, *, actor):
    """The team opened `member`'s record: who and when, in its history."""
    return audit.record(member, AuditEntry.Action.MEMBER_VIEWED, actor=actor)


def download(member, *, actor, note=""):
    """The ZIP of `member`'s data now, recorded in its history. Returns bytes."""
    data = build_archive(member)
    record_export(member, actor=actor, note=note)
    return data


def is_large(member):
    return file_count(member) > settings.PERSONAL_DATA_SYNC_MAX_FILES


def request_archive(member, *, actor):
    """A large download: a worker builds it and emails `actor` its link (after commit)."""
    enqueue("members.tasks.build_personal_data", member.pk, actor.pk)


def link_token(member, user, name):
    return signing.dumps({"m": member.pk, "u": user.pk, "f": name}, salt=LINK_SALT)


def read_link(token):
    """(member pk, user pk, stored file name) of a valid link; signing.BadSignature else."""
    max_age = datetime.timedelta(days=settings.PERSONAL_DATA_LINK_DAYS)
    data = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    return data["m"], data["u"], data["f"]


def build_and_send(member_id, user_id):
    """The worker's side: build the ZIP, store it privately, email its link to the user who
    asked. Idempotent enough: a second delivery builds and sends a second link."""
    member = Member.objects.filter(pk=member_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if member is None or user is None:
        return None
    name = storages["private"].save(
        f"{ARCHIVE_FOLDER}/{member.reference}-{uuid.uuid4().hex}.zip",
        ContentFile(download(member, actor=user, note="lien envoyé par e-mail")),
    )
    url = settings.SITE_URL + reverse(
        "members:personal_data_link", args=[link_token(member, user, name)]
    )
    context = {"member": member, "url": url, "days": settings.PERSONAL_DATA_LINK_DAYS}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("members/email/personal_data_subject.txt", context)
        body = render_to_string("members/email/personal_data.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])
    return name


def stored_archive(name):
    with storages["private"].open(name, "rb") as handle:
        return handle.read()


def forget_old_archives():
    """Archives built for a link stay no longer than the link: returns how many went."""
    storage = storages["private"]
    try:
        _folders, names = storage.listdir(ARCHIVE_FOLDER)
    except FileNotFoundError:
        return 0
    limit = timezone.now() - datetime.timedelta(days=settings.PERSONAL_DATA_LINK_DAYS)
    removed = 0
    for name in names:
        path = f"{ARCHIVE_FOLDER}/{name}"
        if storage.get_modified_time(path) < limit:
            storage.delete(path)
            removed += 1
    return removed
