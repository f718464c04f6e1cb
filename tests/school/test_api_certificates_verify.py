"""GET /api/v1/certificates/<code>/: a hiring system checks a certificate as JSON — the same facts as the
verification page, for anyone, throttled per address, and nothing more about the holder."""

import pytest

from school.models import Certificate
from school.services import certificates as services
from tests.factories import CompletedEnrollmentFactory, StaffFactory, days_from_today

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
FIELDS = {
    "code",
    "number",
    "holder_name",
    "course",
    "course_en",
    "hours",
    "start_date",
    "end_date",
    "issued_on",
    "expires_on",
    "school",
    "status",
    "status_label",
    "revoked_on",
    "revoked_reason",
    "verify_url",
}


@pytest.fixture
def certificate():
    enrollment = CompletedEnrollmentFactory(
        profile__real_name="孙丽丽",
        student__phone="13800001111",
        cohort__course__title="家政服务员",
        cohort__course__title_en="Housekeeping",
        cohort__course__hours=32,
        final_score="77.00",
    )
    return services.issue_certificate(enrollment=enrollment, issued_by=StaffFactory())


def lookup(client, code, **extra):
    return client.get(f"/api/v1/certificates/{code}/", **{**EN, **extra})


def test_anyone_gets_the_verification_facts_as_json(client, certificate, settings):
    response = lookup(client, certificate.display_code.lower())  # as typed: dashes, lower case
    assert response.status_code == 200
    data = response.json()
    assert set(data) == FIELDS  # no score, phone, e-mail or ID
    assert data == {
        "code": certificate.display_code,
        "number": certificate.number,
        "holder_name": "孙丽丽",
        "course": "家政服务员",
        "course_en": "Housekeeping",
        "hours": 32,
        "start_date": certificate.start_date.isoformat(),
        "end_date": certificate.end_date.isoformat(),
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": None,
        "school": "百佳商务培训",
        "status": "valid",
        "status_label": "Valid",
        "revoked_on": None,
        "revoked_reason": "",
        "verify_url": f"{settings.SITE_URL}/certificates/verify/{certificate.code}/",
    }
    assert "13800001111" not in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_the_status_label_is_in_the_callers_language(client, certificate):
    assert lookup(client, certificate.code, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["status"] == "valid"
    assert lookup(client, certificate.code).json()["status_label"] == "Valid"


def test_revoked_replaced_and_expired_certificates_say_so(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=days_from_today(-1))
    expired = lookup(client, certificate.code).json()
    assert (expired["status"], expired["status_label"]) == ("expired", "Expired")
    assert expired["expires_on"] == days_from_today(-1).isoformat()

    Certificate.objects.filter(pk=certificate.pk).update(expires_on=None)
    new = services.reissue_certificate(certificate=certificate, actor=StaffFactory(), holder_name="孙莉莉")
    replaced = lookup(client, certificate.code)
    assert replaced.json()["status"] == "superseded"
    for about_the_new_one in (new.number, new.code, "孙莉莉"):
        assert about_the_new_one not in replaced.content.decode()

    services.revoke_certificate(certificate=new, actor=StaffFactory(), reason="材料不实")
    revoked = lookup(client, new.code).json()
    assert (revoked["status"], revoked["revoked_reason"]) == ("revoked", "材料不实")
    assert revoked["revoked_on"] == days_from_today(0).isoformat()


def test_an_unknown_or_malformed_code_is_404_with_a_message(client):
    response = lookup(client, "ABCD-EFGH-JKMN-PQRS")
    assert response.status_code == 404
    assert response.json() == {"detail": "No certificate has this verification code. Check the code and try again."}
    assert lookup(client, "ABCD-EFGH-JKMN-PQR").status_code == 404


def test_a_certificate_still_being_issued_is_not_found(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.PENDING, sha256="", pdf="")
    assert lookup(client, certificate.code).status_code == 404


def test_lookups_are_throttled_per_address(client, settings):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["certificate-verify"]
    assert rate == "30/min"
    statuses = [lookup(client, "ABCD-EFGH-JKMN-PQRS").status_code for _ in range(31)]
    assert statuses == [404] * 30 + [429]
    throttled = lookup(client, "ABCD-EFGH-JKMN-PQRS")
    assert throttled.status_code == 429 and "Retry-After" in throttled
    assert "throttled" in throttled.json()["detail"]
    assert lookup(client, "ABCD-EFGH-JKMN-PQRS", REMOTE_ADDR="10.0.0.9").status_code == 404


def test_signed_in_callers_are_counted_the_same_way(client, certificate):
    client.force_login(StaffFactory())
    assert lookup(client, certificate.code).status_code == 200
    assert lookup(client, certificate.code).json()["holder_name"] == "孙丽丽"


def test_the_verification_endpoint_is_in_the_schema(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/certificates/{code}/"]["get"]
    assert operation["summary"] == "Verify a certificate"
    assert operation["security"] == [{}] or not operation.get("security")  # public
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/CertificateVerification")
    assert {"404", "429"} <= set(operation["responses"])
    properties = schema["components"]["schemas"]["CertificateVerification"]["properties"]
    assert set(properties) == FIELDS
