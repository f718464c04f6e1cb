import time

from django.core.management.base import BaseCommand

from jobs.matching.features import rebuild_all


class Command(BaseCommand):
    help = (
        "Rebuild what matching reads for every graduate from the school's record (after a deploy that "
        "changes the formula's inputs, or restoring a backup). Pages keep serving meanwhile."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = rebuild_all()
        self.stdout.write(
            self.style.SUCCESS(f"{count} graduates ready for matching in {time.perf_counter() - started:.1f} s")
        )
