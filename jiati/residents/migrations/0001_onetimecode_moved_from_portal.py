# The one-time code model moves from the portal app to residents by state only: the table
# (portal_onetimecode) and its rows stay where they are.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('portal', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OneTimeCode',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('phone', models.CharField(db_index=True, max_length=20, verbose_name='phone')),
                        ('purpose', models.CharField(max_length=60, verbose_name='purpose')),
                        ('code_hash', models.CharField(max_length=128, verbose_name='code (hashed)')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='sent')),
                        ('expires_at', models.DateTimeField(verbose_name='expires')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('used_at', models.DateTimeField(blank=True, null=True, verbose_name='used')),
                    ],
                    options={
                        'verbose_name': 'one-time code',
                        'verbose_name_plural': 'one-time codes',
                        'ordering': ['-id'],
                        'db_table': 'portal_onetimecode',
                        'indexes': [models.Index(fields=['phone', 'purpose', '-id'], name='otp_lookup')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
