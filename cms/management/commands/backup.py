from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from baijia.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the media folders into one timestamped archive (see README, Backups)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(Path(settings.BASE_DIR) / "backups"),
            help="Folder for the archive (default: backups/).",
        )

    def handle(self, *args, output_dir, **options):
        try:
            result = backup(Path(output_dir))
        except BackupError as error:
            raise CommandError(str(error)) from error
        files = ", ".join(f"{name}: {count} files" for name, count in result.files.items())
        self.stdout.write(f"Backed up {result.tables} tables ({result.rows} rows) and media ({files}).")
        self.stdout.write(self.style.SUCCESS(str(result.path)))
