"""Members get a folded search column (filled here for existing rows), a pending email awaiting
verification, and the fields that say a record was merged into another."""

import unicodedata

import django.db.models.deletion
from django.db import migrations, models

SEARCHED_FIELDS = [
    "reference",
    "last_name",
    "first_name",
    "name",
    "acronym",
    "email",
    "city",
    "phone",
    "phone_mobile",
    "phone_professional",
    "phone_home",
]


def fold(value):
    decomposed = unicodedata.normalize("NFKD", str(value or ""))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def fill_search_text(apps, schema_editor):
    # The model's save() is not available here: the same folding, written out (a migration
    # must not change when the model does).
    Member = apps.get_model("members", "Member")
    batch = []
    for member in Member.objects.only(*SEARCHED_FIELDS).iterator(chunk_size=500):
        words = [getattr(member, name) or "" for name in SEARCHED_FIELDS]
        words += ["0" + phone[3:] for phone in words if phone.startswith("+33")]
        member.search_text = fold(" ".join(word for word in words if word))
        batch.append(member)
        if len(batch) == 500:
            Member.objects.bulk_update(batch, ["search_text"])
            batch = []
    Member.objects.bulk_update(batch, ["search_text"])


def trigram_index(apps, schema_editor):
    """On PostgreSQL, a trigram index serves the `LIKE '%word%'` searches of the column.
    pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS member_search_text_trgm "
        "ON members_member USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS member_search_text_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_audit_actions_of_fiscal_receipts"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="texte de recherche"),
        ),
        migrations.AddField(
            model_name="member",
            name="pending_email",
            field=models.EmailField(
                blank=True, max_length=254, verbose_name="nouvel e-mail à vérifier"
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="merged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="fusionné le"),
        ),
        migrations.AddField(
            model_name="member",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="merged_records",
                to="members.member",
                verbose_name="fusionné dans",
            ),
        ),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("merged_at__isnull", True), ("merged_into__isnull", True)),
                    models.Q(
                        ("closed_at__isnull", False),
                        ("merged_at__isnull", False),
                        ("merged_into__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="member_merged_has_date_and_is_closed",
            ),
        ),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.CheckConstraint(
                condition=models.Q(("merged_into", models.F("pk")), _negated=True),
                name="member_not_merged_into_itself",
            ),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
