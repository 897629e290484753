"""The per-community summaries give way to per-region ones (every level holds its subtree's totals, 0003)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_community_summaries")]

    operations = [
        migrations.DeleteModel(name="MonthCount"),
        migrations.DeleteModel(name="StageCount"),
        migrations.DeleteModel(name="SubsidyTotal"),
    ]
