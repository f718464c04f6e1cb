"""The Content-Security-Policy: strict on the public site and the API, looser only in Wagtail's admin.
That every page the suite renders keeps it is checked for all tests (tests/page_policy.py)."""

from django.test import Client

import pytest

from tests.factories import CohortFactory, CourseFactory
from tests.page_policy import check_page, inline_code

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, set[str]]:
    policy = response["Content-Security-Policy"]
    return {name: set(sources) for name, *sources in (part.split() for part in policy.split(";") if part.strip())}


STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


PUBLIC_PAGES = ["/", "/en/", "/accounts/sign-in/", "/certificates/verify/", "/jobs/", "/api/v1/docs/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_get_the_strict_policy(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert directives(response) == STRICT


def test_the_api_gets_the_strict_policy_too(client, student):
    client.force_login(student)

    assert directives(client.get("/api/v1/me/")) == STRICT
    assert directives(client.get("/api/v1/nothing-here/")) == STRICT


def test_a_page_served_from_the_public_page_cache_keeps_the_policy(client, catalogue):
    page = catalogue.publish(CourseFactory(code="EC-201", title="直播电商运营"))
    CohortFactory(course=page.course)

    client.get(page.url)
    cached = client.get(page.url)

    assert cached["X-Page-Cache"] == "hit"
    assert directives(cached) == STRICT


def test_wagtails_admin_gets_the_looser_policy(client, staff_user):
    client.force_login(staff_user)

    for response in (client.get("/admin/login/"), client.get("/admin/")):
        policy = directives(response)
        assert "'unsafe-inline'" in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert policy["frame-ancestors"] == {"'self'"}  # the preview panel frames admin pages
        assert policy["object-src"] == {"'none'"}


def test_the_api_docs_start_swagger_ui_from_a_script_file(client):
    page = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/?script=")

    assert not inline_code(page.content.decode())
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content


def test_the_page_check_finds_what_the_strict_policy_refuses():
    page = """<html><head><style>p{}</style><script src="/static/a.js"></script>
      <script type="application/json" id="data">{"a": 1}</script><script>alert(1)</script></head>
      <body><button onclick="go()">Go</button><a href="javascript:go()">Go</a>
      <p style="color:red">x</p></body></html>"""

    found = inline_code(page)

    assert found == [
        "<style>: an inline stylesheet",
        "<script> without src: 'alert(1)'",
        "<button onclick=…>: an inline event handler",
        "<a href=javascript:…>",
        "<p style=…>: an inline style",
    ]
    assert inline_code('<script src="/static/a.js"></script><script type="application/json">{}</script>') == []


def test_the_page_check_fails_a_page_without_its_policy(client):
    response = client.get("/")
    del response["Content-Security-Policy"]

    with pytest.raises(AssertionError, match="Content-Security-Policy None"):
        check_page("/", response)


def test_a_refused_cross_site_form_gets_a_page_the_policy_allows():
    response = Client(enforce_csrf_checks=True).post("/accounts/sign-in/", {"username": "13800000001"})

    assert response.status_code == 403
    assert "表单未能提交" in response.content.decode()
    assert not inline_code(response.content.decode())  # Django's own page has an inline <style>
