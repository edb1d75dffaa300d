"""The two working groups and what they may do. Re-applying them is idempotent.

Neither group writes money through the admin (payments, slips, receipts, batches are read-only
there): the desk (`dues.use_desk`) and the treasury (`receipts.use_treasury`) write it through
the services. `load()` sets each group to exactly its list, so a deploy that runs
`load_cac_defaults` takes away what an earlier release or an administrator had added.
"""

from django.contrib.auth.models import Group, Permission

STAFF = "staff"
TREASURER = "treasurer"

STAFF_PERMISSIONS = [
    "members.view_member",
    "members.add_member",
    "members.change_member",
    "members.view_correspondent",
    "members.add_correspondent",
    "members.change_correspondent",
    "members.delete_correspondent",
    "charter.view_acceptance",
    "charter.add_acceptance",
    "dues.view_scale",
    "dues.view_pledge",
    "dues.add_pledge",
    "dues.view_payment",
    "dues.use_desk",
    "dues.view_depositslip",
    "dues.view_renewalcampaign",
    "receipts.view_receipt",
]

TREASURER_PERMISSIONS = STAFF_PERMISSIONS + [
    "members.view_auditentry",
    "dues.change_scale",
    "dues.add_scale",
    "dues.add_tier",
    "dues.change_tier",
    "dues.manage_renewals",
    "receipts.use_treasury",
    "receipts.view_annualbatch",
    "receipts.view_errorreport",
    "receipts.change_errorreport",
]


def permissions(codes):
    wanted = {tuple(code.split(".")) for code in codes}
    found = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in wanted}
    ).select_related("content_type")
    found = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(f"unknown permissions: {sorted(missing)} (run migrate first)")
    return found


def load():
    """Create the groups and set each one's permissions to exactly its list (any other is
    removed); returns the names of new groups."""
    created = []
    for name, codes in ((STAFF, STAFF_PERMISSIONS), (TREASURER, TREASURER_PERMISSIONS)):
        group, was_created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions(codes))
        if was_created:
            created.append(name)
    return created
