"""A cheque (number, bank, amount) is recorded once for all members, not once per member;
staff confirm explicitly a genuinely different cheque with the same details."""

from django.db import migrations, models
from django.db.models import Count


def flag_existing_twins(apps, schema_editor):
    """Rows the new constraint would refuse were saved before it: all but the first of each
    group are marked confirmed, so that the migration runs and staff can find them (the
    payments list shows the flag)."""
    Payment = apps.get_model("dues", "Payment")
    counted = Payment.objects.filter(method="cheque", status__in=["received", "rejected"])
    groups = (
        counted.values("cheque_number", "bank", "amount")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
    )
    for group in groups:
        twins = counted.filter(
            cheque_number=group["cheque_number"], bank=group["bank"], amount=group["amount"]
        ).order_by("created_at", "pk")
        Payment.objects.filter(pk__in=list(twins.values_list("pk", flat=True)[1:])).update(
            duplicate_confirmed=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dues", "0006_pledges_of_their_own"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="duplicate_confirmed",
            field=models.BooleanField(default=False, verbose_name="doublon apparent confirmé"),
        ),
        migrations.RemoveConstraint(model_name="payment", name="payment_cheque_recorded_once"),
        migrations.RunPython(flag_existing_twins, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("method", "cheque"),
                    ("status__in", ["received", "rejected"]),
                    ("duplicate_confirmed", False),
                ),
                fields=("cheque_number", "bank", "amount"),
                name="payment_cheque_recorded_once_for_all_members",
                violation_error_message="Ce chèque est déjà enregistré.",
            ),
        ),
    ]
