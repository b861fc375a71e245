"""`manage.py billing_run [--period YYYY-MM]`: the office's way to run a month's charges."""

import datetime as dt
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.exceptions import BillingError, BillingRunExistsError
from billing.services.charges import billing_run

PERIOD = re.compile(r"^(\d{4})-(\d{1,2})$")


def period_parse(value: str) -> dt.date:
    match = PERIOD.match(value.strip())
    if match is None:
        raise CommandError(_("Give the month as YYYY-MM, e.g. 2026-11."))
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise CommandError(_("Give the month as YYYY-MM, e.g. 2026-11."))
    return dt.date(year, month, 1)


class Command(BaseCommand):
    help = "Create the charges of one month (default: the current month). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="the month, YYYY-MM (default: the current month)")

    def handle(self, *args, period=None, **options):
        month = period_parse(period) if period else timezone.localdate().replace(day=1)
        try:
            run = billing_run(month)
        except BillingRunExistsError as error:
            self.stdout.write(self.style.WARNING(f"{month:%Y-%m}: {error.message}"))
            return
        except BillingError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("%(period)s: %(count)s charges created, %(total)s zł in total.")
                % {"period": f"{month:%Y-%m}", "count": run.charges_created, "total": run.total}
            )
        )
