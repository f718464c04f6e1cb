from wagtail.models import Site

from cms.models import SchoolSettings


def seed_site() -> None:
    """The school's contact details as the footer shows them."""
    site = Site.objects.get(is_default_site=True)
    SchoolSettings.objects.update_or_create(
        site=site,
        defaults={
            "name": "百佳商务培训",
            "address": "河南省洛阳市洛龙区开元大道 188 号百佳大厦 3 楼",
            "phone": "0379-6588 8000",
            "email": "info@baijia.example",
            "opening_hours": "周一至周六 8:30–17:30",
        },
    )
