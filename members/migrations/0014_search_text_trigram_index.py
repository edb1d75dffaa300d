"""A trigram index on the folded search column (PostgreSQL with pg_trgm): `search_text LIKE
'%word%'` (members.search) reads it instead of every member. Where the extension cannot be
created (no right to), nothing is done: the search works the same, reading every row."""

from django.db import migrations, transaction
from django.db.utils import DatabaseError

INDEX = "member_search_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON members_member "
        "USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute("ANALYZE members_member")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0013_member_search_order_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=True)]
