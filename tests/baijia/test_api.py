import re

from django.test import Client

import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_describes_the_api(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_schema_documents_the_header_that_says_follow_up_work_waits(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    enrolling = schema["paths"]["/api/v1/enrolments/"]["post"]["responses"]
    assert "X-Tasks-Delayed" in enrolling["201"]["headers"]
    assert "headers" not in enrolling["400"]
    assert "headers" not in schema["paths"]["/api/v1/me/"]["get"]["responses"]["200"]


def test_the_api_docs_page_loads_its_assets_from_this_site(client):
    page = client.get("/api/v1/docs/").content.decode()

    asset_urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui" in url for url in asset_urls)
    assert all(url.startswith("/") for url in asset_urls), asset_urls


def test_the_api_refuses_anonymous_callers(client):
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_a_user_gets_a_token_with_their_mobile_number_and_uses_it(client, student, password):
    token = client.post("/api/v1/auth/token/", {"username": student.phone, "password": password}).json()["token"]

    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").json()

    assert me["display_name"] == student.display_name
    assert me["roles"] == ["student"]


def test_a_wrong_password_gets_no_token_and_a_clear_message(client, student):
    response = client.post("/api/v1/auth/token/", {"username": student.phone, "password": "nope"})

    assert response.status_code == 400
    assert "无法使用提供的认证信息登录" in str(response.json())


def test_an_address_no_api_route_matches_gets_a_json_404(student):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)

    for response in (
        client.get("/api/v1/courses/a.b/"),
        client.post("/api/v1/teaching/cohorts/A/sessions/-1/attendance/", {"x": "1"}),
        client.get("/api/v2/"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("role", "path"),
    [("merchant", "/api/v1/jobs/merchant/applications/?posting="), ("staff", "/api/v1/certificates/?cohort=")],
)
@pytest.mark.parametrize("value", ["99999999999999999999", "-1.7976931348623157e308", "1.5"])
def test_an_id_filter_refuses_what_is_not_an_id_instead_of_failing(client, role, path, value):
    from tests.factories import MerchantFactory, UserFactory

    user = UserFactory(role=role, is_staff=role == "staff")
    if role == "merchant":
        MerchantFactory(owner=user)
    client.force_login(user)

    response = client.get(path + value)

    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "max_value", "min_value"}
