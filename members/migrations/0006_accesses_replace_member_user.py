"""Several people per member: `Access` (member, user, role) and `Invitation` replace the
one-to-one `Member.user`; each existing link becomes an owner's access."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

ROLES = [("owner", "responsable"), ("member", "accès simple")]


def links_become_owners(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    Access = apps.get_model("members", "Access")
    Access.objects.bulk_create(
        Access(member_id=member_id, user_id=user_id, role="owner")
        for member_id, user_id in Member.objects.filter(user__isnull=False).values_list(
            "pk", "user_id"
        )
    )


def owners_become_links(apps, schema_editor):
    """Back to one user per member: the earliest owner of each, when a user has one member."""
    Member = apps.get_model("members", "Member")
    Access = apps.get_model("members", "Access")
    taken = set()
    for access in Access.objects.filter(role="owner").order_by("created_at", "pk"):
        if access.user_id in taken:
            continue
        updated = Member.objects.filter(pk=access.member_id, user__isnull=True).update(
            user_id=access.user_id
        )
        if updated:
            taken.add(access.user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_search_column_and_merged_records"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Access",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=ROLES, default="member", max_length=10, verbose_name="rôle"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="depuis le"
                    ),
                ),
                (
                    "invited_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="invité par",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="accesses",
                        to="members.member",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="member_accesses",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="compte",
                    ),
                ),
            ],
            options={
                "verbose_name": "accès",
                "verbose_name_plural": "accès",
                "ordering": ["member", "-role", "created_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("member", "user"), name="access_once_per_member"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("role__in", ["owner", "member"])),
                        name="access_role_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Invitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("email", models.EmailField(max_length=254, verbose_name="e-mail invité")),
                (
                    "role",
                    models.CharField(
                        choices=ROLES, default="member", max_length=10, verbose_name="rôle"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="envoyée le"
                    ),
                ),
                (
                    "accepted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="acceptée le"),
                ),
                (
                    "cancelled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="annulée le"),
                ),
                (
                    "accepted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "invited_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitations",
                        to="members.member",
                    ),
                ),
            ],
            options={
                "verbose_name": "invitation",
                "verbose_name_plural": "invitations",
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("accepted_at__isnull", True),
                            ("cancelled_at__isnull", True),
                            _connector="OR",
                        ),
                        name="invitation_accepted_or_cancelled_not_both",
                    ),
                ],
            },
        ),
        migrations.RunPython(links_become_owners, owners_become_links),
        migrations.RemoveField(model_name="member", name="user"),
    ]
