"""Media on several machines: production selects an S3-compatible bucket from the environment (local
folders otherwise), and every path that writes or reads a stored file goes through the storage API, so it
works on a storage that has no local path at all (Django's InMemoryStorage here, S3 in production)."""

import importlib
import io
import os
import sys
import zipfile

from django.core.files.images import ImageFile
from django.core.files.storage import FileSystemStorage, StorageHandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from wagtail.images.models import Image

import pytest
from PIL import Image as PillowImage
from pypdf import PdfReader
from storages.backends.s3 import S3Storage

import baijia.settings
from accounts.roles import Role
from jobs.models import GraduateProfile
from school.models import Certificate
from school.services import certificates as services
from tests.baijia.test_settings import REAL_KEY
from tests.factories import (
    CertificateTemplateFactory,
    CompletedEnrollmentFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
)
from tests.jobs.test_graduate_profile import PDF, pdf_upload, profile_data


def production_storages(monkeypatch, **env) -> StorageHandler:
    """The storages the production settings make in this environment: the settings modules are loaded
    afresh (and the test run's own put back), the storages built from them but never asked to connect."""
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in {"SECRET_KEY": REAL_KEY, "ALLOWED_HOSTS": "example.org", **env}.items():
        monkeypatch.setenv(name, value)
    names = ("baijia.settings.base", "baijia.settings.production")
    saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
    try:
        production = importlib.import_module("baijia.settings.production")
    finally:
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
        if "baijia.settings.base" in saved:
            baijia.settings.base = saved["baijia.settings.base"]
    return StorageHandler(production.STORAGES)


def test_production_with_a_bucket_keeps_media_and_private_files_in_s3(monkeypatch):
    storages = production_storages(
        monkeypatch,
        AWS_STORAGE_BUCKET_NAME="baijia-media",
        AWS_S3_ENDPOINT_URL="https://oss-cn-zhengzhou.aliyuncs.com",
        AWS_S3_REGION_NAME="cn-zhengzhou",
        AWS_S3_CUSTOM_DOMAIN="media.baijia.example",
        AWS_ACCESS_KEY_ID="test-key",
        AWS_SECRET_ACCESS_KEY="test-secret",  # noqa: S106 - never sent anywhere
    )

    public, private = storages["default"], storages["private"]
    for storage in (public, private):
        assert isinstance(storage, S3Storage)
        assert storage.bucket_name == "baijia-media"
        assert storage.endpoint_url == "https://oss-cn-zhengzhou.aliyuncs.com"
        assert storage.file_overwrite is False  # one upload never replaces another of the same name
    assert (public.location, private.location) == ("media", "private")
    # Public media by plain address; a private file only ever by a signed, expiring one.
    assert public.url("cms/x.png") == "https://media.baijia.example/media/cms/x.png"
    signed = private.url("certificates/x.pdf")
    assert "/private/certificates/x.pdf?" in signed and "Signature" in signed and "Expires" in signed


def test_production_without_a_bucket_keeps_files_in_local_folders(monkeypatch, tmp_path):
    storages = production_storages(monkeypatch, PRIVATE_MEDIA_ROOT=str(tmp_path / "private"))

    assert type(storages["default"]) is type(storages["private"]) is FileSystemStorage
    assert storages["private"].location == str(tmp_path / "private")


# --- Every stored file read and written through the storage API ------------------------------------


@pytest.fixture
def memory_storage(settings):
    """Public and private media in memory: any code that asks a stored file for its .path fails here."""
    memory = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    settings.STORAGES = {**settings.STORAGES, "default": memory, "private": {**memory, "OPTIONS": {"location": "p"}}}


def seal_image() -> Image:
    output = io.BytesIO()
    PillowImage.new("RGBA", (60, 60), (200, 22, 29, 235)).save(output, format="PNG")
    return Image.objects.create(title="印章", file=ImageFile(io.BytesIO(output.getvalue()), name="seal.png"))


@pytest.mark.django_db
def test_certificates_are_rendered_stored_and_downloaded_without_a_file_system(client, memory_storage):
    instructor = UserFactory(role=Role.INSTRUCTOR)
    template = CertificateTemplateFactory(seal=seal_image())  # read back by the PDF renderer
    first = CompletedEnrollmentFactory(profile__real_name="王小丽", cohort__course__certificate_template=template)
    first.cohort.instructors.add(instructor)
    CompletedEnrollmentFactory(cohort=first.cohort, profile__real_name="李明")
    services.issue_certificates(cohort=first.cohort, issued_by=StaffFactory())
    mine = Certificate.objects.get(holder_name="王小丽")

    client.force_login(first.student)
    download = client.get(reverse("certificates:pdf", args=[mine.code]))
    assert download.status_code == 200
    pdf = b"".join(download.streaming_content)
    assert "王小丽" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert any("/XObject" in page["/Resources"] for page in PdfReader(io.BytesIO(pdf)).pages)  # the seal

    client.force_login(instructor)
    with translation.override("en"):
        zip_url = reverse("school:certificate_zip", args=[first.cohort.code])
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(zip_url).streaming_content)))
    assert sorted(archive.namelist()) == sorted(f"{c.number}-{c.holder_name}.pdf" for c in Certificate.objects.all())
    assert archive.read(f"{mine.number}-王小丽.pdf") == pdf


@pytest.mark.django_db
def test_a_resume_is_uploaded_and_downloaded_without_a_file_system(client, memory_storage):
    graduate = StudentFactory()
    client.force_login(graduate)

    client.post("/en/jobs/profile/", profile_data(resume=pdf_upload()))
    profile = GraduateProfile.objects.get(user=graduate)
    response = client.get(f"/en/jobs/profile/{profile.pk}/resume/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_a_second_upload_of_the_same_name_never_replaces_the_first(memory_storage):
    first, second = (StudentFactory() for _ in range(2))
    for user, content in ((first, PDF), (second, PDF + b"%second\n")):
        profile = GraduateProfile.objects.create(user=user)
        profile.resume.save("resume.pdf", SimpleUploadedFile("resume.pdf", content), save=True)

    names = [p.resume.name for p in GraduateProfile.objects.order_by("pk")]
    assert len(set(names)) == 2
    with GraduateProfile.objects.get(user=first).resume.open("rb") as stored:
        assert stored.read() == PDF
