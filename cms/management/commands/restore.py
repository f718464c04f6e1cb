from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from baijia.backup import MEDIA_MEMBERS, BackupError, Database, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the site's database (or --database-url) and media "
        "folders. Refuses a database with tables, or media folders with files, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The backup archive (backups/baijia-….tar).")
        parser.add_argument("--force", action="store_true", help="Replace what the database and folders hold.")
        parser.add_argument("--database-url", help="Restore into this database instead of the site's.")
        parser.add_argument("--media-root", help="Restore the public media here instead of MEDIA_ROOT.")
        parser.add_argument("--private-media-root", help="Restore the private media here, not PRIVATE_MEDIA_ROOT.")

    def handle(self, *args, archive, force, database_url, media_root, private_media_root, **options):
        database = Database.from_url(database_url) if database_url else None
        roots = None
        if media_root or private_media_root:
            if not (media_root and private_media_root):
                raise CommandError("Give both --media-root and --private-media-root, or neither.")
            roots = dict(zip(MEDIA_MEMBERS, (Path(media_root), Path(private_media_root)), strict=True))
        try:
            result = restore(Path(archive), database=database, media_roots=roots, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        files = ", ".join(f"{name}: {count} files" for name, count in result.files.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {result.created_at}: {result.tables} tables, {result.rows} rows, every "
                f"table's count checked; media ({files}). Checksums verified."
            )
        )
