"""`make backup` / `make restore`: one archive with the database and both media folders, restored into a
fresh database and fresh folders with every table's rows and every file back."""

import dataclasses
import json
import tarfile
from contextlib import closing
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

import pytest

from baijia.backup import Database, table_counts
from baijia.storage import private_storage
from tests.factories import CompletedEnrollmentFactory


def _url(database: Database) -> str:
    if database.engine == "sqlite3":
        return f"sqlite:///{database.name}"
    auth = f"{database.user}:{database.password}@" if database.password else f"{database.user}@"
    return f"postgres://{auth}{database.host or '127.0.0.1'}:{database.port or 5432}/{database.name}"


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the same engine as the tests': a new file, or a new PostgreSQL database."""
    source = Database.default()
    if source.engine == "sqlite3":
        yield dataclasses.replace(source, name=str(tmp_path / "restored.sqlite3"))
        return
    target = dataclasses.replace(source, name=f"{source.name}_restore")
    admin = dataclasses.replace(source, name="postgres")
    with closing(admin.connect()) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.name}"')
        conn.execute(f'CREATE DATABASE "{target.name}"')
    yield target
    with closing(admin.connect()) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_and_fresh_media_folders(tmp_path, fresh_database, capsys):
    enrollment = CompletedEnrollmentFactory(student__display_name="备份测试", student__phone="13712345678")
    default_storage.save("images/logo.png", ContentFile(b"\x89PNG picture"))
    private_storage().save("resumes/cv.pdf", ContentFile(b"%PDF-1.4 resume"))
    source_counts = table_counts(Database.default())

    call_command("backup", output_dir=str(tmp_path / "backups"))
    [archive] = (tmp_path / "backups").glob("baijia-*.tar")
    assert str(archive) in capsys.readouterr().out

    media, private = tmp_path / "restored-media", tmp_path / "restored-private"
    restore_args = {"database_url": _url(fresh_database), "media_root": str(media), "private_media_root": str(private)}
    call_command("restore", str(archive), **restore_args)
    assert "Checksums verified" in capsys.readouterr().out

    assert table_counts(fresh_database) == source_counts  # every table, every row
    assert source_counts["accounts_user"] >= 1 and source_counts["school_enrollment"] >= 1
    with closing(fresh_database.connect()) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT display_name FROM accounts_user WHERE phone = '13712345678'")
        assert cursor.fetchone()[0] == "备份测试"
        cursor.execute(f"SELECT status FROM school_enrollment WHERE id = {int(enrollment.pk)}")  # noqa: S608
        assert cursor.fetchone()[0] == "completed"
    assert (media / "images" / "logo.png").read_bytes() == b"\x89PNG picture"
    assert (private / "resumes" / "cv.pdf").read_bytes() == b"%PDF-1.4 resume"

    # A database with tables is not overwritten without --force; with it, it is replaced by the backup.
    with pytest.raises(CommandError, match="already has"):
        call_command("restore", str(archive), **restore_args)
    changed_name = "UPDATE accounts_user SET display_name = 'changed' WHERE phone = '13712345678'"
    with closing(fresh_database.connect()) as conn:
        conn.cursor().execute(changed_name)
        conn.commit()
    (media / "images" / "logo.png").write_bytes(b"changed")
    call_command("restore", str(archive), force=True, **restore_args)
    assert table_counts(fresh_database) == source_counts
    with closing(fresh_database.connect()) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT display_name FROM accounts_user WHERE phone = '13712345678'")
        assert cursor.fetchone()[0] == "备份测试"
    assert (media / "images" / "logo.png").read_bytes() == b"\x89PNG picture"


@pytest.mark.django_db
def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path):
    archive = tmp_path / "baijia-20261207-000000.tar"
    manifest = {"format": 1, "engine": "sqlite3", "database": "database.sqlite3", "tables": {}, "media_files": {}}
    manifest["sha256"] = {"database.sqlite3": "0" * 64}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "database.sqlite3").write_bytes(b"not what was backed up")
    with tarfile.open(archive, "w") as tar:
        for name in ("manifest.json", "database.sqlite3"):
            tar.add(tmp_path / name, arcname=name)
    target = tmp_path / "target.sqlite3"

    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(archive), database_url=f"sqlite:///{target}", media_root=str(tmp_path / "m"),
                     private_media_root=str(tmp_path / "p"))  # fmt: skip
    assert not target.exists() and not Path(tmp_path / "m").exists()
