from django.contrib import admin

from cac_portal.admin import ReadOnlyAdmin
from dues.models import DepositSlip, Payment, Pledge, Scale, Tier


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


@admin.register(Scale)
class ScaleAdmin(admin.ModelAdmin):
    list_display = ["year", "tax_reduction_rate"]
    inlines = [TierInline]


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ["member", "year", "purpose", "amount", "source", "created_at"]
    list_filter = ["year", "purpose", "source", "member__kind"]
    search_fields = ["member__reference", "member__last_name", "member__name", "member__email"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments are entered at the desk (/gestion/), whose services keep the audit trail and
    the receipts in step; the admin only reads them."""

    list_display = ["received_on", "member", "method", "amount", "year", "status", "deposit_slip"]
    list_filter = ["year", "method", "status", "member__kind"]
    search_fields = [
        "member__reference",
        "member__last_name",
        "member__name",
        "cheque_number",
        "drawer",
    ]
    list_select_related = ["member", "deposit_slip"]
    raw_id_fields = ["member", "pledge"]
    date_hierarchy = "received_on"


@admin.register(DepositSlip)
class DepositSlipAdmin(ReadOnlyAdmin):
    """Slips are numbered by the desk's gap-free counter; the admin only reads them."""

    list_display = ["number", "year", "created_at", "deposited_at"]
    list_filter = ["year"]
    search_fields = ["number"]
