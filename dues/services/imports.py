"""The import of existing members and their past payments, from upload to confirmation.

- `upload_import` reads and checks the file, keeps it privately with its columns guessed and
  its preview; nothing else is written.
- `set_mapping` changes which field a column fills, and previews again.
- `confirm_import` imports the lines without errors: at once in one transaction, or, above
  `MEMBER_IMPORT_BACKGROUND_LINES` lines, by a Celery task that commits group by group with
  its progress (`run_import`), and resumes where it stopped if a worker dies.

Invariants: the lines are read again from the stored file at each step, never from what a
browser sends; an import is idempotent (a second import of the same file creates nothing: each
line finds the member it already made, by reference, email, or name and postal code, and a
past payment already recorded is not recorded again); a line matching a member only fills
that member's blank fields, and the fields that disagree are listed, not changed; past
payments are marked imported: they never get a receipt.
"""

import dataclasses
import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cac_portal.tasking import enqueue
from dues.importing.columns import clean_mapping, guess_mapping
from dues.importing.lines import Index, cells, examine, text
from dues.importing.reading import BadFile, read_table
from dues.models import MemberImport, Payment, private_storage
from members import audit
from members.audit import acting_user
from members.models import SPREADSHEET_FIELDS, AuditEntry, Member

CHUNK = 500
# What a preview or a result keeps to show: every line would not fit a page.
SHOWN_LINES = 50
SHOWN_PROBLEMS = 500
ACTIONS = ("create", "complete", "unchanged", "error")
# The fields an import may set on a member, as its audit entry records them.
CONTACT = SPREADSHEET_FIELDS


def _size_message():
    limit = settings.MEMBER_IMPORT_MAX_BYTES
    return _("Le fichier pèse plus de %(size)s Mo : découpez-le, ou enregistrez-le en CSV.") % {
        "size": f"{limit / 2**20:g}".replace(".", ",")
    }


def check_size(size):
    """Refuse a file above MEMBER_IMPORT_MAX_BYTES before reading it."""
    if size > settings.MEMBER_IMPORT_MAX_BYTES:
        raise BadFile(_size_message())


def upload_import(data, filename, *, actor):
    """Check and keep an uploaded spreadsheet; returns its MemberImport with its preview.

    Raises BadFile (a clear French message) and writes nothing for a file that is too big,
    empty, not a spreadsheet, or not readable."""
    check_size(len(data))
    table = read_table(data, filename)
    member_import = MemberImport(
        filename=PurePath(filename or "fichier").name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=table.title or "",
        headers=[text(header) for header in table.headers],
        mapping=guess_mapping(table.headers),
        total=table.height,
        created_by=acting_user(actor),
    )
    suffix = ".xlsx" if table.title == "xlsx" else ".csv"
    member_import.result = {"preview": preview(member_import, table)}
    # Through the storage as it is configured now (the field's own was fixed at start-up),
    # like the receipts' PDFs: the workers read it from the same place.
    member_import.file.name = private_storage().save(
        f"imports/{member_import.code}{suffix}", ContentFile(data)
    )
    member_import.save()
    return member_import


def set_mapping(member_import, values, *, actor):
    """Which field each column fills, as the person chose it; the preview follows."""
    with transaction.atomic():
        locked = MemberImport.objects.select_for_update().get(pk=member_import.pk)
        if locked.status != MemberImport.Status.PREVIEW:
            raise ValidationError(_("Cet import est déjà lancé."))
        locked.mapping = clean_mapping(values, len(locked.headers))
        locked.result = {"preview": preview(locked, _table(locked))}
        locked.save(update_fields=["mapping", "result"])
    return locked


def _table(member_import):
    with private_storage().open(member_import.file.name, "rb") as stored:
        return read_table(stored.read(), member_import.filename)


def _raws(member_import, table, start=0):
    """(line number in the file, {target: cell}) of the data lines from `start`, blank lines
    left out (the header is line 1)."""
    for offset, row in enumerate(table[start:]):
        raw = cells(row, member_import.mapping)
        if any(text(value) for value in raw.values()):
            yield start + offset + 2, raw


def _chunks(items):
    group = []
    for item in items:
        group.append(item)
        if len(group) == CHUNK:
            yield group
            group = []
    if group:
        yield group


def _examine(group, index):
    """The group's lines checked and matched. A member a line creates is put in the index
    (unsaved), and what a line fills is filled at once on the member it matches, so that the
    member's next lines complete it instead of duplicating or overwriting it."""
    index.load([raw for _number, raw in group])
    lines = []
    for number, raw in group:
        line = examine(number, raw, index)
        if line.action == "create":
            line.member = Member(kind=line.kind, **line.values)
            line.member_is_new = True
            index.add(line.member, number)
        elif line.action == "complete":
            line.before = {name: getattr(line.member, name) for name in line.filled}
            for name in line.filled:
                setattr(line.member, name, line.values[name])
            index.add(line.member, line.created_by_line)
        if line.payment and not line.payment_known and line.member is not None:
            index.add_payment(line.member, line.payment)
        lines.append(line)
    return lines


@dataclasses.dataclass
class Tally:
    """What an import did (or would do), as the preview and the result page show it."""

    counts: dict = dataclasses.field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    payments: int = 0
    lines: list = dataclasses.field(default_factory=list)
    problems: list = dataclasses.field(default_factory=list)

    @classmethod
    def of(cls, data):
        fields = {field.name for field in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in (data or {}).items() if key in fields})

    def add(self, line):
        self.counts[line.action] += 1
        if line.payment and not line.payment_known and not line.errors:
            self.payments += 1
        summary = line.summary()
        if len(self.lines) < SHOWN_LINES:
            self.lines.append(summary)
        if (line.errors or line.conflicts) and len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(summary)

    def as_json(self):
        return dataclasses.asdict(self)


def preview(member_import, table):
    """What confirming would do, line by line, without writing anything; with the first
    line's cells, to show beside each column's heading."""
    tally, index = Tally(), Index()
    for group in _chunks(_raws(member_import, table)):
        for line in _examine(group, index):
            tally.add(line)
    samples = [text(value) for value in table[0]] if table.height else []
    return {**tally.as_json(), "samples": samples}


def background_lines():
    """Above this many lines, a worker imports the file (with a progress bar)."""
    return settings.MEMBER_IMPORT_BACKGROUND_LINES


def confirm_import(member_import, *, actor):
    """Import the lines without errors. Small files: now, in one transaction; big ones:
    queued for a worker (`dues.tasks.run_member_import`). Returns the MemberImport."""
    background = member_import.total > background_lines()
    with transaction.atomic():
        locked = MemberImport.objects.select_for_update().get(pk=member_import.pk)
        if locked.status != MemberImport.Status.PREVIEW:
            raise ValidationError(_("Cet import est déjà lancé."), code="started")
        locked.confirmed_by = acting_user(actor)
        locked.result = {}
        if background:
            locked.status = MemberImport.Status.QUEUED
            locked.save(update_fields=["confirmed_by", "result", "status"])
            enqueue("dues.tasks.run_member_import", locked.pk)
            return locked
        locked.status = MemberImport.Status.RUNNING
        locked.save(update_fields=["confirmed_by", "result", "status"])
        table, index, tally = _table(locked), Index(), Tally()
        for group in _chunks(_raws(locked, table)):
            _write(locked, _examine(group, index), index, tally, actor=actor)
        locked.processed = locked.total
        _finish(locked, tally, actor=actor)
    return locked


def run_import(import_id):
    """The worker's side of a big import: group by group, each committed with the progress,
    from where the last run stopped (the lines before were imported and are found again)."""
    member_import = MemberImport.objects.filter(pk=import_id).first()
    if member_import is None or member_import.is_finished:
        return member_import
    actor = member_import.confirmed_by
    table, index = _table(member_import), Index()
    MemberImport.objects.filter(
        pk=import_id, status__in=[MemberImport.Status.QUEUED, MemberImport.Status.RUNNING]
    ).update(status=MemberImport.Status.RUNNING)
    start = member_import.processed
    for group in _chunks(_raws(member_import, table, start)):
        done = group[-1][0] - 1  # the group's last line number, less the header
        with transaction.atomic():
            locked = MemberImport.objects.select_for_update().get(pk=import_id)
            if locked.processed >= done:
                continue  # a second delivery of the task did this group meanwhile
            tally = Tally.of(locked.result)
            _write(locked, _examine(group, index), index, tally, actor=actor)
            locked.processed = done
            locked.result = tally.as_json()
            locked.save(update_fields=["processed", "result"])
    with transaction.atomic():
        locked = MemberImport.objects.select_for_update().get(pk=import_id)
        if not locked.is_finished:
            locked.processed = locked.total
            _finish(locked, Tally.of(locked.result), actor=actor)
    return locked


def fail(import_id, error):
    """A worker could not finish the import: say so on its page."""
    MemberImport.objects.filter(pk=import_id).update(
        status=MemberImport.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
    )


def _save_new(members):
    """Insert the group's new members and give them their reference (CAC-000123)."""
    if connection.features.can_return_rows_from_bulk_insert:
        Member.objects.bulk_create(members)
        for member in members:
            member.reference = f"CAC-{member.pk:06d}"
        Member.objects.bulk_update(members, ["reference"])
    else:
        for member in members:
            member.save()


def _sort(lines):
    """The group's valid lines, sorted: members to insert, existing members completed (with
    what they had before), past payments to record."""
    new, completed, payments = [], {}, []
    for line in lines:
        if line.errors:
            continue
        if line.member_is_new:
            new.append(line.member)
        elif line.filled and line.member.pk:
            before = completed.setdefault(line.member, {})
            for name, value in line.before.items():
                before.setdefault(name, value)
        if line.payment and not line.payment_known:
            payments.append((line.member, line.payment))
    return new, completed, payments


def _save_completed(completed, actor, note):
    """Save the filled fields of existing members; their audit entries (not saved)."""
    if not completed:
        return []
    fields = sorted({name for before in completed.values() for name in before})
    Member.objects.bulk_update(list(completed), fields)
    return [
        audit.entry(
            member,
            AuditEntry.Action.MEMBER_CONTACT_CHANGED,
            actor=actor,
            before=audit.snapshot(_Values(before), list(before)),
            after=audit.snapshot(member, list(before)),
            note=note,
        )
        for member, before in completed.items()
    ]


def _write(member_import, lines, index, tally, *, actor):
    """Write a group's examined lines: new members, blank fields filled, past payments, with
    their audit entries; add them to the tally."""
    note = _("import du fichier %(name)s") % {"name": member_import.filename}
    new, completed, payments = _sort(lines)
    _save_new(new)
    entries = [_created_entry(member, actor, note) for member in new]
    for member in new:
        index.add(member, getattr(member, "_import_line", None))
    entries += _save_completed(completed, actor, note)
    entries += _save_payments(payments, index, actor, note)
    audit.record_many(entries)
    for line in lines:
        tally.add(line)


class _Values:
    """Values as attributes, for `audit.snapshot` of what a member had before."""

    def __init__(self, values):
        self.__dict__.update(values)


def _created_entry(member, actor, note):
    fields = [name for name in CONTACT if getattr(member, name) not in ("", None)]
    return audit.entry(
        member,
        AuditEntry.Action.MEMBER_IMPORTED,
        actor=actor,
        after=audit.snapshot(member, fields),
        note=note,
    )


def _save_payments(payments, index, actor, note):
    """Insert the group's past payments, marked imported; their audit entries (not saved)."""
    rows = Payment.objects.bulk_create(
        Payment(
            member=member,
            year=payment["year"],
            method=payment["method"],
            amount=payment["amount"],
            received_on=payment["received_on"],
            is_imported=True,
            recorded_by=acting_user(actor),
        )
        for member, payment in payments
    )
    for member, payment in payments:
        index.add_payment(member, payment)
    return [
        audit.entry(
            row,
            AuditEntry.Action.PAYMENT_IMPORTED,
            actor=actor,
            after=audit.snapshot(row, ["member", "year", "method", "amount", "received_on"]),
            note=note,
        )
        for row in rows
        if row.pk
    ]


def _finish(locked, tally, *, actor):
    """The import is done: its result kept, its audit entry written, and the uploaded file
    deleted (the members now hold what it said; the file held personal data)."""
    locked.status = MemberImport.Status.DONE
    locked.result = tally.as_json()
    locked.finished_at = timezone.now()
    stored, storage = locked.file.name, private_storage()
    locked.file = ""
    locked.save()
    transaction.on_commit(lambda: storage.delete(stored))
    audit.record(
        locked,
        AuditEntry.Action.IMPORT_DONE,
        actor=actor,
        after={
            "file": locked.filename,
            "sha256": locked.sha256,
            "lines": locked.total,
            **tally.counts,
            "payments": tally.payments,
        },
    )
