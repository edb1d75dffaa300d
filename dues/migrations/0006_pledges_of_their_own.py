"""A pledge has its own reference (filled here for existing rows, `P2026-000042`) and may wait
attached to nobody: what the form said is kept, and the member whose address it used."""

import django.db.models.deletion
from django.db import migrations, models


def fill_references(apps, schema_editor):
    Pledge = apps.get_model("dues", "Pledge")
    batch = []
    for pledge in Pledge.objects.filter(reference__isnull=True).only("pk", "year").iterator():
        pledge.reference = f"P{pledge.year}-{pledge.pk:06d}"
        batch.append(pledge)
        if len(batch) == 500:
            Pledge.objects.bulk_update(batch, ["reference"])
            batch = []
    Pledge.objects.bulk_update(batch, ["reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("dues", "0005_corporate_rate_is_not_printed_any_more"),
        ("members", "0002_closed_audit_vocabulary"),
    ]

    operations = [
        migrations.AddField(
            model_name="pledge",
            name="reference",
            field=models.CharField(
                editable=False, max_length=14, null=True, unique=True, verbose_name="référence"
            ),
        ),
        migrations.RunPython(fill_references, migrations.RunPython.noop, elidable=True),
        migrations.AddField(
            model_name="pledge",
            name="proposal",
            field=models.JSONField(blank=True, default=dict, verbose_name="formulaire reçu"),
        ),
        migrations.AddField(
            model_name="pledge",
            name="matched_member",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="matched_pledges",
                to="members.member",
                verbose_name="membre de cette adresse",
            ),
        ),
        migrations.AlterField(
            model_name="pledge",
            name="member",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pledges",
                to="members.member",
            ),
        ),
        migrations.AddConstraint(
            model_name="pledge",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("member__isnull", False), ("proposal__has_key", "kind"), _connector="OR"
                ),
                name="pledge_without_member_has_a_proposal",
            ),
        ),
    ]
