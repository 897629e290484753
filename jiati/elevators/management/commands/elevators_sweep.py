"""Escalate unacknowledged fault reports (run every few minutes from cron: `*/5 * * * * manage.py elevators_sweep`)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        from jiati.elevators.services import faults_escalate

        self.stdout.write(f"faults_escalated: {faults_escalate()}")
