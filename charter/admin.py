from django.contrib import admin
from django.db import models

from charter.models import (
    Acceptance,
    Charter,
    Collective,
    Principle,
    PrivacyAcceptance,
    PrivacyNotice,
)


@admin.register(Collective)
class CollectiveAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "city", "rna", "siren"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return not Collective.objects.exists() and super().has_add_permission(request)


class PrincipleInline(admin.StackedInline):
    model = Principle
    extra = 0


@admin.register(Charter)
class CharterAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "effective_on"]
    inlines = [PrincipleInline]


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "effective_on"]


class AcceptanceAdminBase(admin.ModelAdmin):
    list_display = ["member", "accepted_at", "source"]
    list_filter = ["source"]
    search_fields = ["member__reference", "member__last_name", "member__name", "member__email"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]
    date_hierarchy = "accepted_at"


@admin.register(Acceptance)
class AcceptanceAdmin(AcceptanceAdminBase):
    list_display = [*AcceptanceAdminBase.list_display, "charter"]
    list_filter = [*AcceptanceAdminBase.list_filter, "charter"]


@admin.register(PrivacyAcceptance)
class PrivacyAcceptanceAdmin(AcceptanceAdminBase):
    list_display = [*AcceptanceAdminBase.list_display, "notice"]
    list_filter = [*AcceptanceAdminBase.list_filter, "notice"]
