"""What the admin shares across apps."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model the admin lists and shows but never writes, whoever asks (superusers too):
    money (payments, slips, receipts, batches) is written only through the services, which keep
    the audit trail, the gap-free numbers and the receipts in step. The change page shows the
    fields read-only, and adding, changing or deleting answers 403."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
