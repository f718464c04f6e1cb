import logging

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, seed_users
from cms.demo import seed_pages
from jobs.demo import seed_jobs
from school.demo import seed_catalogue
from school.demo_certificates import seed_certificates
from school.demo_enrolment import seed_enrolments


class Command(BaseCommand):
    help = "Fill the site with realistic demo data. Deterministic and safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Multiply the amount of demo data (default 1).")

    def handle(self, *args, scale: int, **options):
        if scale < 1:
            self.stderr.write("--scale must be 1 or more")
            raise SystemExit(2)
        # Wagtail logs every page it creates; the summary below says enough.
        logging.getLogger("wagtail").setLevel(logging.WARNING)
        with transaction.atomic():
            accounts = seed_users(scale=scale)
            catalogue = seed_catalogue(scale=scale)
            pages = seed_pages()
            enrolments = seed_enrolments()
            certificates = seed_certificates()
            jobs = seed_jobs()
        counts = {**catalogue, **pages, **enrolments, **certificates, **jobs}
        self.stdout.write("Catalogue: " + ", ".join(f"{count} {name}" for name, count in counts.items()))
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Sign in with any of these (password: {DEMO_PASSWORD}):")
        )
        for role, name, phone, email in accounts:
            self.stdout.write(f"  {role:<10} {name}  {phone}  {email}")
        self.stdout.write("  Back office: http://127.0.0.1:8000/admin/ (staff account)")
