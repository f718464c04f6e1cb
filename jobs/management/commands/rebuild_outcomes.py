import time

from django.core.management.base import BaseCommand

from jobs.outcomes.rows import rebuild_outcomes


class Command(BaseCommand):
    help = (
        "Rebuild every outcome row (what the outcome reports count) from the school's record: after bulk "
        "writes that sent no signals, or restoring a backup. Pages read the old rows until it commits."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = rebuild_outcomes()
        self.stdout.write(
            self.style.SUCCESS(f"{count} enrolment outcomes rebuilt in {time.perf_counter() - started:.1f} s")
        )
