"""Back up and restore the whole site: the database and both media folders in one timestamped archive.

The archive (an uncompressed tar: the dump is compressed already, media are mostly PDFs and images) holds
- `manifest.json`: when, from which engine, the rows of every table, and the SHA-256 of every other member;
- `database.pgdump` (PostgreSQL, `pg_dump -Fc`) or `database.sqlite3` (SQLite's online backup API, a
  consistent copy while the site runs);
- `media.tar` and `private-media.tar`: MEDIA_ROOT and PRIVATE_MEDIA_ROOT.

Restoring checks every checksum before it touches anything, refuses a database that has tables (or media
folders with files) unless forced, restores, then counts every table again against the manifest.
Used by `manage.py backup` / `manage.py restore` (`make backup`, `make restore BACKUP=…`)."""

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import storages
from django.db import connection

import dj_database_url

FORMAT = 1
# Archive member → the storage alias whose folder it holds (MEDIA_ROOT, PRIVATE_MEDIA_ROOT by default).
MEDIA_MEMBERS = {"media.tar": "default", "private-media.tar": "private"}


class BackupError(Exception):
    """Something the person running the command must fix; the message says what."""


def media_folders() -> dict[str, Path]:
    """The folders of the media storages, as the settings configure them now."""
    folders = {}
    for member, alias in MEDIA_MEMBERS.items():
        location = getattr(storages[alias], "location", None)
        if location is None:
            raise BackupError(f"The {alias!r} storage is not a folder on disk: back it up with its own tools.")
        folders[member] = Path(location)
    return folders


@dataclass
class Database:
    """Where a database is, in the shape of Django's DATABASES entries."""

    engine: str
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict) -> "Database":
        engine = settings_dict["ENGINE"].rsplit(".", 1)[-1]
        if engine not in ("postgresql", "sqlite3"):
            raise BackupError(f"Backups support PostgreSQL and SQLite, not {settings_dict['ENGINE']}.")
        return cls(
            engine=engine,
            name=str(settings_dict["NAME"]),
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
        )

    @classmethod
    def from_url(cls, url: str) -> "Database":
        return cls.from_settings(dj_database_url.parse(url))

    @classmethod
    def default(cls) -> "Database":
        return cls.from_settings(connection.settings_dict)

    def pg_args(self) -> list[str]:
        args = []
        for flag, value in (("--host", self.host), ("--port", self.port), ("--username", self.user)):
            if value:
                args += [flag, value]
        return args

    def pg_env(self) -> dict:
        return {**os.environ, "PGPASSWORD": self.password} if self.password else dict(os.environ)

    def connect(self):
        """A plain DB-API connection (not Django's): restore targets need not be the site's database."""
        if self.engine == "sqlite3":
            return sqlite3.connect(self.name)
        import psycopg

        return psycopg.connect(
            dbname=self.name, host=self.host or None, port=self.port or None, user=self.user or None,
            password=self.password or None, autocommit=True,
        )  # fmt: skip


def table_counts(database: Database) -> dict[str, int]:
    """Rows of every table of the database (the public schema on PostgreSQL), by name."""
    with closing(database.connect()) as conn:
        cursor = conn.cursor()
        if database.engine == "sqlite3":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        else:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        names = sorted(name for (name,) in cursor.fetchall())
        counts = {}
        for name in names:
            # Names come from the catalogue, quoted: never from input.
            cursor.execute(f'SELECT COUNT(*) FROM "{name}"')  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _major(version_output: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_output)
    if not match:
        raise BackupError(f"Cannot read a version from {version_output!r}.")
    return int(match.group(1))


def _check_pg_client(tool: str, database: Database) -> None:
    """pg_dump refuses a newer server, and an older pg_restore cannot read a newer dump: say so plainly."""
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client).")
    version = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    client = _major(version.stdout)
    with closing(database.connect()) as conn:
        server = conn.info.server_version // 10000
    if client < server:
        raise BackupError(
            f"{tool} is version {client} but the server runs {server}: install postgresql-client-{server}."
        )


def _tar_folder(folder: Path, target: Path) -> int:
    """The folder's files as a tar (empty when the folder does not exist); returns how many files."""
    files = 0
    with tarfile.open(target, "w") as archive:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(folder)), recursive=False)
                    files += 1
    return files


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: dict[str, int] = field(default_factory=dict)


def backup(output_dir: Path, *, database: Database | None = None, now: datetime.datetime | None = None) -> BackupResult:
    """Write `baijia-YYYYmmdd-HHMMSS.tar` into `output_dir` and return what it holds."""
    database = database or Database.default()
    now = now or datetime.datetime.now(datetime.UTC)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"baijia-{now:%Y%m%d-%H%M%S}.tar"
    with tempfile.TemporaryDirectory(prefix="baijia-backup-") as scratch:
        scratch = Path(scratch)
        if database.engine == "postgresql":
            _check_pg_client("pg_dump", database)
            dump = scratch / "database.pgdump"
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"]
            # The arguments come from the settings, never from a request; pg_dump is found on PATH.
            subprocess.run(  # noqa: S603
                [*command, *database.pg_args(), database.name], env=database.pg_env(), check=True, capture_output=True
            )
        else:
            dump = scratch / "database.sqlite3"
            with closing(sqlite3.connect(database.name)) as source, closing(sqlite3.connect(dump)) as copy:
                source.backup(copy)  # consistent even while the site writes
        # Counted after the dump: on a busy site a few rows may differ from the dump (restore reports it).
        counts = table_counts(database)
        members = {dump.name: dump}
        files = {}
        for member, folder in media_folders().items():
            members[member] = scratch / member
            files[member] = _tar_folder(folder, members[member])
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(timespec="seconds"),
            "engine": database.engine,
            "database": dump.name,
            "tables": counts,
            "media_files": files,
            "sha256": {name: _sha256(path) for name, path in members.items()},
        }
        partial = target.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(now.timestamp())
            archive.addfile(info, io.BytesIO(data))
            for name, path in members.items():
                archive.add(path, arcname=name)
        partial.rename(target)  # a half-written archive never carries the final name
    return BackupResult(path=target, tables=len(counts), rows=sum(counts.values()), files=files)


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: dict[str, int]
    created_at: str


def _read_verified(archive_path: Path, scratch: Path) -> dict:
    """Extract the archive into `scratch` and check every member against the manifest's checksums."""
    if not archive_path.is_file():
        raise BackupError(f"No backup at {archive_path}.")
    with tarfile.open(archive_path) as archive:
        archive.extractall(scratch, filter="data")  # no absolute paths, links out or devices
    manifest_path = scratch / "manifest.json"
    if not manifest_path.is_file():
        raise BackupError(f"{archive_path} is not a backup of this site: it has no manifest.json.")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for name, expected in manifest["sha256"].items():
        member = scratch / name
        if not member.is_file() or _sha256(member) != expected:
            raise BackupError(f"{name} in {archive_path} does not match its checksum: the backup is damaged.")
    return manifest


def _media_is_empty(folder: Path) -> bool:
    return not folder.is_dir() or not any(path.is_file() for path in folder.rglob("*"))


def restore(
    archive_path: Path,
    *,
    database: Database | None = None,
    media_roots: dict[str, Path] | None = None,
    force: bool = False,
) -> RestoreResult:
    """Restore the archive into `database` (default: the site's) and the media folders, then check that
    every table has the rows the manifest counted."""
    database = database or Database.default()
    media_roots = media_roots or media_folders()
    with tempfile.TemporaryDirectory(prefix="baijia-restore-") as scratch:
        scratch = Path(scratch)
        manifest = _read_verified(archive_path, scratch)
        if manifest["engine"] != database.engine:
            raise BackupError(f"This backup is of a {manifest['engine']} database; the target is {database.engine}.")
        if not force:
            if database.engine == "postgresql" or Path(database.name).exists():
                existing = table_counts(database)
                if existing:
                    raise BackupError(
                        f"The database {database.name} already has {len(existing)} tables: restore into an empty "
                        "database, or add --force to replace it."
                    )
            for folder in media_roots.values():
                if not _media_is_empty(folder):
                    raise BackupError(f"{folder} already has files: add --force to restore over them.")
        if database.engine == "postgresql":
            _restore_postgresql(scratch / manifest["database"], database, force=force)
        else:
            _restore_sqlite(scratch / manifest["database"], database)
        for member, folder in media_roots.items():
            folder.mkdir(parents=True, exist_ok=True)
            with tarfile.open(scratch / member) as archive:
                archive.extractall(folder, filter="data")
    counts = table_counts(database)
    differ = {name: (rows, counts.get(name)) for name, rows in manifest["tables"].items() if counts.get(name) != rows}
    if differ:
        listed = ", ".join(
            f"{name}: {want} in the backup, {got} restored" for name, (want, got) in sorted(differ.items())
        )
        raise BackupError(f"The restored database does not match the backup: {listed}.")
    return RestoreResult(
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=manifest["media_files"],
        created_at=manifest["created_at"],
    )


def _restore_postgresql(dump: Path, database: Database, *, force: bool) -> None:
    _check_pg_client("pg_restore", database)
    args = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if force:
        args += ["--clean", "--if-exists"]
    result = subprocess.run(  # noqa: S603
        [*args, *database.pg_args(), f"--dbname={database.name}", str(dump)],
        env=database.pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")


def _restore_sqlite(copy: Path, database: Database) -> None:
    if database.name == ":memory:" or "mode=memory" in database.name:
        raise BackupError("Cannot restore into an in-memory SQLite database.")
    if database.name == str(connection.settings_dict["NAME"]):
        connection.close()  # the site's own database: let go of it while it is replaced
    Path(database.name).parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(copy)) as source, closing(sqlite3.connect(database.name)) as target:
        source.backup(target)  # replaces the whole database, pages and schema, in one step
