"""Private files (certificates, résumés, licences) never land in the developer's or the server's folder
during tests, and never under MEDIA_URL."""

from django.core.files.base import ContentFile

from jobs.models import GraduateProfile, Merchant
from school.models import Certificate


def test_private_fields_follow_the_per_test_storage(settings, tmp_path):
    for field in (
        Certificate._meta.get_field("pdf"),
        GraduateProfile._meta.get_field("resume"),
        Merchant._meta.get_field("licence"),
    ):
        name = field.storage.save("probe.txt", ContentFile(b"x"))
        assert (tmp_path / "private-media" / name).exists()
        assert not str(field.storage.path(name)).startswith(str(settings.MEDIA_ROOT))
