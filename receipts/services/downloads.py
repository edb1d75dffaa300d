"""What a receipt download serves, and the trail of the team's downloads."""

from members import audit
from members.models import AuditEntry
from receipts.services.originals import original_or_duplicate
from receipts.services.rendering import CANCELLED, DUPLICATE, render_pdf


def receipt_file(receipt, *, user, is_owner):
    """The bytes to serve and the file name's suffix, for the receipt's member or the team.

    A cancelled receipt comes marked "ANNULÉ". Its member gets the stored original, the very
    bytes that were emailed (a DUPLICATA only if the original is damaged: see
    `original_or_duplicate`); staff and the treasurer always get a copy marked "DUPLICATA",
    and their download is recorded. The stored original never changes."""
    if receipt.is_cancelled:
        data, suffix = render_pdf(receipt, mark=CANCELLED), "annule"
    elif is_owner:
        data, original = original_or_duplicate(receipt, actor=user)
        suffix = "" if original else "duplicata"
    else:
        data, suffix = render_pdf(receipt, mark=DUPLICATE), "duplicata"
    if not is_owner:
        audit.record(receipt, AuditEntry.Action.RECEIPT_DOWNLOADED, actor=user, note=suffix)
    return data, suffix
