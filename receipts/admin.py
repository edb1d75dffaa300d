from django.contrib import admin

from cac_portal.admin import ReadOnlyAdmin
from receipts.models import AnnualBatch, Declaration, ErrorReport, Receipt, ReceiptLine


class ReceiptLineInline(admin.TabularInline):
    model = ReceiptLine
    extra = 0
    can_delete = False
    fields = ["payment", "amount", "received_on", "method", "is_valid"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    """Receipts are read-only here: the treasurer cancels and reissues from /tresorerie/."""

    list_display = ["number", "kind", "donor_name", "fiscal_year", "amount", "issued_on", "status"]
    list_filter = ["status", "kind", "fiscal_year", "is_fiscal"]
    search_fields = ["number", "donor_name", "member__reference", "donor_email"]
    date_hierarchy = "issued_on"
    inlines = [ReceiptLineInline]


@admin.register(AnnualBatch)
class AnnualBatchAdmin(ReadOnlyAdmin):
    """Batches are started and followed from /tresorerie/; the admin only reads them."""

    list_display = ["fiscal_year", "status", "done", "failed", "total", "started_at", "finished_at"]


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ["receipt", "created_at", "resolved_at"]
    list_select_related = ["receipt"]
    raw_id_fields = ["receipt"]


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    """Declarations are recorded from /tresorerie/ (audited); the admin only reads them."""

    list_display = ["year", "declared_on", "count", "total", "declared_by", "recorded_at"]
