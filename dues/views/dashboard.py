"""The staff's dashboard: the month's money and what waits for someone, in counts only (no
member's data). The apps above add their share through `dues.signals.desk_pending`."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dues.figures import month_receipts, undeposited_cheques
from dues.signals import desk_pending
from dues.views.desk import desk_required


@desk_required
@require_GET
def desk_dashboard(request):
    items = [item for _receiver, answer in desk_pending.send(sender=None) for item in answer]
    return render(
        request,
        "dues/desk/dashboard.html",
        {
            "month": month_receipts(timezone.localdate()),
            "cheques": undeposited_cheques(),
            "items": items,
        },
    )
