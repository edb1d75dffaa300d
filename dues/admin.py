from django.contrib import admin

from cac_portal.admin import ReadOnlyAdmin
from dues.models import (
    BankCsvLayout,
    BankLine,
    BankStatement,
    DepositSlip,
    KnownPayerAccount,
    Payment,
    Pledge,
    Reminder,
    RenewalCampaign,
    Scale,
    Tier,
)


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


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdmin):
    """Statements are imported at /gestion/banque/; the admin only reads them."""

    list_display = ["file_name", "format", "account_iban", "period_start", "period_end"]
    list_filter = ["format"]
    search_fields = ["file_name", "account_iban"]
    date_hierarchy = "imported_at"


@admin.register(BankLine)
class BankLineAdmin(ReadOnlyAdmin):
    """Lines are confirmed, credited or dismissed at /gestion/banque/; the admin reads them."""

    list_display = ["booking_date", "amount", "counterparty_name", "label", "status"]
    list_filter = ["status"]
    search_fields = ["label", "counterparty_name", "counterparty_iban", "bank_reference"]
    date_hierarchy = "booking_date"


@admin.register(BankCsvLayout)
class BankCsvLayoutAdmin(ReadOnlyAdmin):
    """A bank's CSV columns as staff told them. A layout told wrong is deleted here: the
    bank's next file asks for its columns again."""

    list_display = ["bank_name", "delimiter", "date_column", "label_column", "saved_at"]
    search_fields = ["bank_name"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(KnownPayerAccount)
class KnownPayerAccountAdmin(ReadOnlyAdmin):
    """Accounts learned from confirmed lines; one learned wrong is deleted here."""

    list_display = ["iban", "member", "learned_at"]
    search_fields = ["iban", "member__reference", "member__last_name", "member__name"]
    list_select_related = ["member"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(RenewalCampaign)
class RenewalCampaignAdmin(admin.ModelAdmin):
    list_display = ["year", "opens_on", "steps", "paused"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """Written by the daily run only: a row is the decision that a step went to a member."""

    list_display = ["campaign", "member", "step", "decided_at", "email_status", "emailed_at"]
    list_filter = ["campaign", "step", "email_status"]
    search_fields = ["member__reference", "member__last_name", "member__name", "member__email"]
    list_select_related = ["campaign", "member"]
