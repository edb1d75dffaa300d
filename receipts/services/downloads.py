"""What a receipt download serves, and the trail of the team's downloads."""

from members import audit
from members.models import AuditEntry
from receipts.services.rendering import CANCELLED, DUPLICATE, render_pdf, stored_pdf


def receipt_file(receipt, *, user, is_owner, is_team, copy):
    """The bytes to serve and the file name's suffix, for the receipt's member or the team.

    A cancelled receipt comes marked "ANNULÉ". The member's original went out by email: what
    they download again is a "DUPLICATA" with the same number (the team gets one when asked).
    The stored original never changes. A download by the team (not the member) is recorded."""
    if receipt.is_cancelled:
        data, suffix = render_pdf(receipt, mark=CANCELLED), "annule"
    elif copy or (is_owner and not is_team and receipt.emailed_at):
        data, suffix = render_pdf(receipt, mark=DUPLICATE), "duplicata"
    else:
        data, suffix = stored_pdf(receipt), ""
    if is_team and not is_owner:
        audit.record(receipt, AuditEntry.Action.RECEIPT_DOWNLOADED, actor=user, note=suffix)
    return data, suffix
