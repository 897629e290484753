# The one-time code model now belongs to the residents app (jiati/residents); only the state changes here,
# the table portal_onetimecode stays and residents' model points at it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_initial'),
        ('residents', '0001_onetimecode_moved_from_portal'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='OneTimeCode')],
            database_operations=[],
        ),
    ]
