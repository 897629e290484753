"""On PostgreSQL, index the region path for prefix (LIKE 'x%') matches under any collation.

Scoping filters by `community__path__startswith`; SQLite's small region table needs no such index.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS region_path_pattern ON organisation_region (path varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS region_path_pattern")


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
