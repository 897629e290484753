"""Deliveries are claimed (status sending, with the time of the claim) before the channel is called, and carry an
idempotency key for the channel; a delivery whose worker died in the send may end unconfirmed.

The key is added empty, given a fresh UUID per existing row, then made unique (Django's recipe for a unique field
with a callable default: one default for every existing row would break the unique index)."""

import uuid

from django.db import migrations, models


def give_each_delivery_a_key(apps, schema_editor):
    Delivery = apps.get_model("notifications", "Delivery")
    batch = []
    for delivery in Delivery.objects.filter(key__isnull=True).only("pk").iterator(chunk_size=2000):
        delivery.key = uuid.uuid4()
        batch.append(delivery)
        if len(batch) == 2000:
            Delivery.objects.bulk_update(batch, ["key"])
            batch = []
    Delivery.objects.bulk_update(batch, ["key"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0004_older_titles_as_kind_and_values"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("retrying", "Waiting to retry"),
                    ("sent", "Sent"),
                    ("unconfirmed", "May have been sent"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="delivery",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed"),
        ),
        migrations.AddField(
            model_name="delivery",
            name="key",
            field=models.UUIDField(editable=False, null=True, verbose_name="idempotency key"),
        ),
        migrations.RunPython(give_each_delivery_a_key, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="delivery",
            name="key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="idempotency key"),
        ),
    ]
