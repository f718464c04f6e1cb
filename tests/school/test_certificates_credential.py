"""The verifiable credential: a holder downloads their certificate as an Open Badges 3.0 credential, and
anyone verifies it offline with a JOSE library (PyJWT) against the key the school publishes."""

import base64
import datetime
import hashlib
import io
import json
import logging
import stat

from django.core.management import call_command

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from school.certificates import credential
from school.models import Certificate, CertificateEvent
from school.services import certificates as services
from tests.factories import CompletedEnrollmentFactory, StaffFactory, days_from_today

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def certificate():
    enrollment = CompletedEnrollmentFactory(
        profile__real_name="赵𠮷",
        cohort__course__title="电子商务运营",
        cohort__course__code="EC-101",
        cohort__course__hours=48,
    )
    return services.issue_certificate(enrollment=enrollment, issued_by=StaffFactory())


def download(client, certificate, user=None, prefix="/en"):
    client.force_login(user or certificate.enrollment.student)
    return client.get(f"{prefix}/certificates/{certificate.code}/credential/")


def verify(client, token: str) -> dict:
    """What a verifier does: fetch the published JWKS, pick the key the token names, check the signature."""
    keys = jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").json())
    kid = jwt.get_unverified_header(token)["kid"]
    [key] = [key for key in keys.keys if key.key_id == kid]
    return jwt.decode(token, key=key, algorithms=["EdDSA"])


def pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_the_holders_credential_verifies_against_the_published_key(client, certificate, settings):
    response = download(client, certificate)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.number}.jwt"'
    token = response.content.decode()

    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["kid"]
    claims = verify(client, token)
    vc = claims["vc"]
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["iss"] == vc["issuer"]["id"] == settings.SITE_URL
    assert vc["issuer"]["type"] == ["Profile"] and vc["issuer"]["name"] == "百佳商务培训"
    assert claims["jti"] == vc["id"] and vc["id"].startswith("urn:uuid:")
    subject = vc["credentialSubject"]
    assert claims["sub"] == subject["id"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == "赵𠮷"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "电子商务运营"
    assert achievement["id"] == f"{settings.SITE_URL}/api/v1/courses/EC-101/"
    assert achievement["description"] and achievement["criteria"]["narrative"]
    assert achievement["humanCode"] == certificate.number
    issued = datetime.datetime.combine(certificate.issued_on, datetime.time.min, tzinfo=SHANGHAI)
    assert claims["nbf"] == int(issued.timestamp())
    assert vc["validFrom"] == issued.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "exp" not in claims and "validUntil" not in vc  # this course's certificates do not expire
    assert CertificateEvent.objects.filter(
        certificate=certificate, action=CertificateEvent.Action.CREDENTIAL, actor=certificate.enrollment.student
    ).exists()


def test_the_credentials_status_address_answers_with_the_certificates_current_status(client, certificate, settings):
    claims = verify(client, download(client, certificate).content.decode())
    status_url = claims["vc"]["credentialStatus"]["id"]
    client.logout()
    path = status_url.removeprefix(settings.SITE_URL)
    assert client.get(path).json()["status"] == "valid"
    services.revoke_certificate(certificate=certificate, actor=StaffFactory(), reason="证书信息有误")
    assert client.get(path).json()["status"] == "revoked"


def test_the_credential_is_the_same_however_often_and_in_whichever_language_it_is_downloaded(client, certificate):
    first = verify(client, download(client, certificate).content.decode())
    second = verify(client, download(client, certificate, user=StaffFactory(), prefix="").content.decode())
    assert first["jti"] == second["jti"] and first["vc"] == second["vc"]


def test_a_tampered_credential_fails_verification(client, certificate):
    token = download(client, certificate).content.decode()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["vc"]["credentialSubject"]["identifier"][0]["identityHash"] = "冒名者"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        verify(client, f"{header}.{forged_payload}.{signature}")

    # Re-signed with another key but claiming the school's key id: still refused.
    forged = jwt.encode(
        claims,
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"kid": jwt.get_unverified_header(token)["kid"]},
    )
    with pytest.raises(jwt.InvalidSignatureError):
        verify(client, forged)


def test_an_expiring_certificate_carries_its_expiry_and_verifiers_enforce_it(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=days_from_today(200))
    certificate.refresh_from_db()
    claims = verify(client, download(client, certificate).content.decode())
    end = datetime.datetime.combine(certificate.expires_on, datetime.time(23, 59, 59), tzinfo=SHANGHAI)
    assert claims["exp"] == int(end.timestamp())
    assert claims["vc"]["validUntil"] == end.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    Certificate.objects.filter(pk=certificate.pk).update(expires_on=days_from_today(-1))
    with pytest.raises(jwt.ExpiredSignatureError):
        verify(client, download(client, certificate).content.decode())


def test_the_jwks_publishes_only_the_public_key_named_by_its_rfc7638_thumbprint(client, settings):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    [jwk] = response.json()["keys"]
    assert {"kty", "crv", "x", "kid"} <= set(jwk) and "d" not in jwk
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
    members = json.dumps({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":")).encode()
    assert jwk["kid"] == base64.urlsafe_b64encode(hashlib.sha256(members).digest()).rstrip(b"=").decode()


def test_a_revoked_or_replaced_certificate_gets_no_credential_even_for_staff(client, certificate):
    new = services.reissue_certificate(certificate=certificate, actor=StaffFactory(), holder_name="赵吉")
    assert download(client, certificate).status_code == 410
    assert download(client, certificate, user=StaffFactory()).status_code == 410
    assert download(client, new).status_code == 200
    services.revoke_certificate(certificate=new, actor=StaffFactory(), reason="重复发放")
    assert download(client, new, user=StaffFactory()).status_code == 410


def test_without_a_key_the_holder_gets_a_friendly_page_and_the_error_is_logged(
    client, certificate, settings, tmp_path, caplog
):
    settings.CREDENTIAL_SIGNING_KEY = ""
    settings.CREDENTIAL_SIGNING_KEY_FILE = tmp_path / "missing.pem"
    with caplog.at_level(logging.ERROR, logger="school.views.certificates"):
        response = download(client, certificate)
    assert response.status_code == 503
    assert "cannot sign credentials at the moment" in response.content.decode()
    assert "create_signing_key" in caplog.text
    assert not CertificateEvent.objects.filter(action=CertificateEvent.Action.CREDENTIAL).exists()
    assert client.get("/.well-known/jwks.json").status_code == 503


def test_the_set_up_creates_a_private_key_file_once_and_the_site_publishes_it(client, settings, tmp_path):
    settings.CREDENTIAL_SIGNING_KEY = ""
    settings.CREDENTIAL_SIGNING_KEY_FILE = tmp_path / "keys" / "credential-ed25519.pem"
    first, second = io.StringIO(), io.StringIO()
    call_command("create_signing_key", stdout=first)
    key_file = settings.CREDENTIAL_SIGNING_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    created = key_file.read_bytes()

    call_command("create_signing_key", stdout=second)
    assert key_file.read_bytes() == created  # kept: replacing it would void every credential handed out
    assert "created" in first.getvalue() and "kept" in second.getvalue()
    [published] = client.get("/.well-known/jwks.json").json()["keys"]
    assert f"kid: {published['kid']}" in first.getvalue() and f"kid: {published['kid']}" in second.getvalue()


def test_a_key_in_the_environment_takes_precedence_over_the_file(client, settings, tmp_path):
    settings.CREDENTIAL_SIGNING_KEY_FILE = tmp_path / "file.pem"
    credential.create_key_file(settings.CREDENTIAL_SIGNING_KEY_FILE)
    from_environment = Ed25519PrivateKey.generate()
    settings.CREDENTIAL_SIGNING_KEY = pem(from_environment)
    [published] = client.get("/.well-known/jwks.json").json()["keys"]
    assert published["kid"] == credential.thumbprint(from_environment.public_key())
