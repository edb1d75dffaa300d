import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("charter", "0002_initial"),
    ]

    operations = [
        # An existing row is the CAC's: "le Collectif des Associations Citoyennes (CAC) est né
        # en 2010". New rows say their own year.
        migrations.AddField(
            model_name="collective",
            name="founded_year",
            field=models.PositiveSmallIntegerField(
                default=2010,
                help_text=(
                    "Aucune cotisation ni aucun paiement ne peut dater d'avant le 1er janvier de "
                    "cette année."
                ),
                validators=[django.core.validators.MinValueValidator(1901)],
                verbose_name="première année du collectif",
            ),
            preserve_default=False,
        ),
    ]
