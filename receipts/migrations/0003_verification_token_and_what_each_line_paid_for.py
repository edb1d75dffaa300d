import secrets

from django.db import migrations, models

import receipts.models


def fill(apps, schema_editor):
    """Every receipt gets its random token; every line, what its payment paid for."""
    Receipt = apps.get_model("receipts", "Receipt")
    ReceiptLine = apps.get_model("receipts", "ReceiptLine")
    for receipt in Receipt.objects.filter(verification_token__isnull=True).only("pk"):
        receipt.verification_token = secrets.token_urlsafe(16)
        receipt.save(update_fields=["verification_token"])
    lines = ReceiptLine.objects.filter(dues_year__isnull=True).select_related("payment__pledge")
    for line in lines:
        line.dues_year = line.payment.year
        line.purpose = line.payment.pledge.purpose if line.payment.pledge_id else ""
        line.save(update_fields=["dues_year", "purpose"])


class Migration(migrations.Migration):
    dependencies = [
        ("dues", "0004_renewal_reminder_on_was_read_nowhere"),
        ("receipts", "0002_delivery_state_and_progress_from_receipts"),
    ]

    operations = [
        migrations.AddField(
            model_name="receipt",
            name="verification_token",
            field=models.CharField(
                editable=False, max_length=32, null=True, verbose_name="jeton de vérification"
            ),
        ),
        migrations.AddField(
            model_name="receiptline",
            name="purpose",
            field=models.CharField(blank=True, max_length=10, verbose_name="objet"),
        ),
        migrations.AddField(
            model_name="receiptline",
            name="dues_year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="année de cotisation"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="receipt",
            name="verification_token",
            field=models.CharField(
                default=receipts.models.new_verification_token,
                editable=False,
                max_length=32,
                unique=True,
                verbose_name="jeton de vérification",
            ),
        ),
        migrations.AlterField(
            model_name="receiptline",
            name="dues_year",
            field=models.PositiveSmallIntegerField(verbose_name="année de cotisation"),
        ),
    ]
