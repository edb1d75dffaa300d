from django.contrib import admin
from django.db import models

from members.models import Access, AuditEntry, Correspondent, Invitation, Member


class CorrespondentInline(admin.TabularInline):
    model = Correspondent
    extra = 0


class AccessInline(admin.TabularInline):
    model = Access
    fk_name = "member"
    extra = 0
    raw_id_fields = ["user", "invited_by"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["reference", "display_name", "kind", "email", "city", "directory_opt_in"]
    list_filter = ["kind", "directory_opt_in", "is_company", "country"]
    search_fields = ["reference", "last_name", "first_name", "name", "acronym", "email", "city"]
    readonly_fields = ["reference", "created_at", "updated_at", "merged_into", "merged_at"]
    inlines = [CorrespondentInline, AccessInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "member", "created_at", "accepted_at", "cancelled_at"]
    search_fields = ["email", "member__reference"]
    raw_id_fields = ["member", "invited_by", "accepted_by"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_id"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_id", "actor__email", "note"]
    date_hierarchy = "at"
    list_select_related = ["actor", "content_type"]

    # The audit trail is written by the services only: nobody edits or deletes history.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
