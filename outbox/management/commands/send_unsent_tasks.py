from django.core.management.base import BaseCommand

from outbox.services import send_unsent_tasks, unsent_count


class Command(BaseCommand):
    help = "Send the Celery tasks that waited in the outbox while the broker was down."

    def handle(self, *args, **options):
        sent = send_unsent_tasks()
        self.stdout.write(f"Sent {sent} task(s); {unsent_count()} still waiting.")
