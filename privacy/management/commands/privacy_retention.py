from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from privacy.services import retention_apply, retention_candidates


class Command(BaseCommand):
    help = "Anonymize participants inactive for PRIVACY_RETENTION_YEARS years (default 5)."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, years=None, dry_run=False, **options):
        years = years if years is not None else settings.PRIVACY_RETENTION_YEARS
        if years < 1:
            raise CommandError("--years must be at least 1.")
        if dry_run:
            with transaction.atomic():
                count = retention_candidates(years=years).count()
            self.stdout.write(f"{count} participant(s) would be anonymized.")
            return
        count = retention_apply(years=years)
        self.stdout.write(f"{count} participant(s) anonymized.")
