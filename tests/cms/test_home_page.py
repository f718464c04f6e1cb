import re

from wagtail.models import Site

import pytest

from cms.demo import seed_site
from cms.models import HomePage

pytestmark = pytest.mark.django_db


def test_the_home_page_is_the_root_of_the_default_site():
    site = Site.objects.get(is_default_site=True)

    assert isinstance(site.root_page.specific, HomePage)
    assert not HomePage.can_create_at(site.root_page.get_parent())  # only one home page


def test_visitors_see_the_home_page_in_chinese_with_the_school_contact_details(client):
    seed_site()

    page = client.get("/").content.decode()

    assert '<html lang="zh-hans">' in page
    assert "首页" in page and "注册" in page
    assert "河南省洛阳市洛龙区" in page
    assert 'href="tel:0379-65888000"'.replace("-", "") in page.replace("-", "")


def test_the_language_switcher_leads_to_the_same_page_in_english(client):
    chinese = client.get("/").content.decode()
    assert 'href="/en/"' in chinese and 'hreflang="en"' in chinese

    english = client.get("/en/").content.decode()

    assert '<html lang="en">' in english
    assert "Sign up" in english and "Home" in english
    assert 'href="/"' in english  # and back to Chinese


def test_the_header_shows_who_is_signed_in(client, student):
    client.force_login(student)

    page = client.get("/").content.decode()

    assert student.display_name in page
    assert "退出" in page


def test_pages_load_nothing_from_other_sites(client):
    page = client.get("/").content.decode()

    assets = re.findall(r'<(?:script|img|source)[^>]+src="([^"]+)"', page)
    assets += re.findall(r'<link[^>]+rel="(?:stylesheet|icon)"[^>]+href="([^"]+)"', page)
    assert assets
    assert all(url.startswith("/") for url in assets), assets
