import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_describes_the_api(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


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


def test_an_address_no_api_route_matches_gets_a_json_404(client, student):
    client.force_login(student)

    response = client.get("/api/v1/courses/a.b/")

    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")
