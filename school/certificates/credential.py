"""The verifiable credential: each certificate as an Open Badges 3.0 `OpenBadgeCredential`, signed as a
VC-JWT (EdDSA, Ed25519) with the school's key. The public key is published as a JWKS at
/.well-known/jwks.json, so anyone can check a credential offline with any JOSE library.

The private key never touches the database: it is the PEM text in the environment variable
CREDENTIAL_SIGNING_KEY, or else the file settings.CREDENTIAL_SIGNING_KEY_FILE that
`manage.py create_signing_key` (run by `make setup`) creates. Its `kid` is the RFC 7638 thumbprint of
the public key, so the key names itself and a rotated key gets a new name."""

import base64
import datetime
import hashlib
import json
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ALGORITHM = "EdDSA"
# credentialStatus: GET its id for the certificate's current status (valid, expired, revoked, superseded).
STATUS_TYPE = "BaijiaCertificateStatus"


class SigningKeyMissing(Exception):
    """No signing key is configured, or it cannot be read: credentials cannot be signed."""


# --- The key --------------------------------------------------------------------------------------


def key_file() -> Path:
    return Path(settings.CREDENTIAL_SIGNING_KEY_FILE)


def _pem() -> bytes:
    text = getattr(settings, "CREDENTIAL_SIGNING_KEY", "") or ""
    if text.strip():
        return text.encode()
    path = key_file()
    try:
        return path.read_bytes()
    except OSError as error:
        raise SigningKeyMissing(
            f"No credential signing key: set CREDENTIAL_SIGNING_KEY or run 'manage.py create_signing_key' "
            f"to create {path} ({error.strerror})."
        ) from error


def private_key() -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(_pem(), password=None)
    except (ValueError, TypeError) as error:
        raise SigningKeyMissing(f"The credential signing key is not a readable PEM private key: {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing("The credential signing key must be an Ed25519 key.")
    return key


def new_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def create_key_file(path: Path) -> bool:
    """Write a new key to `path` (owner-only, 0600) unless a file is there; True if it wrote one.
    O_EXCL makes two set-ups running at once keep the first key rather than overwrite it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "wb") as file:
        file.write(new_private_key_pem())
    os.chmod(path, 0o600)  # whatever the umask
    return True


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(public_key: Ed25519PublicKey) -> str:
    """RFC 7638: SHA-256 of the JWK's required members (crv, kty, x), in that order, without spaces."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}, separators=(",", ":"))
    return _b64url(hashlib.sha256(members.encode()).digest())


def public_jwk(key: Ed25519PrivateKey | None = None) -> dict:
    public = (key or private_key()).public_key()
    jwk = OKPAlgorithm.to_jwk(public, as_dict=True)
    return {**jwk, "kid": thumbprint(public), "alg": ALGORITHM, "use": "sig"}


def jwks() -> dict:
    """The JSON Web Key Set published at /.well-known/jwks.json."""
    return {"keys": [public_jwk()]}


# --- The credential -------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _at_start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def _at_end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=timezone.get_default_timezone())


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def verify_url(certificate) -> str:
    """The certificate's public page at its canonical address (the default language's, unprefixed), in
    whatever language the caller happens to be."""
    with translation.override(settings.LANGUAGE_CODE):
        return _absolute(certificate.get_verify_url())


def credential_id(certificate) -> str:
    """A UUID URN derived from the certificate's public verification address: stable, and the same
    however often, and in whichever language, the credential is downloaded."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, verify_url(certificate))}"


def subject_id(certificate) -> str:
    """A pseudonymous, stable identifier for the holder (the same for all their certificates from this
    school) that reveals nothing about them."""
    school = uuid.uuid5(uuid.NAMESPACE_URL, settings.SITE_URL)
    return f"urn:uuid:{uuid.uuid5(school, f'student:{certificate.enrollment.student_id}')}"


def valid_from(certificate) -> datetime.datetime:
    return _at_start_of(certificate.issued_on)


def valid_until(certificate) -> datetime.datetime | None:
    return _at_end_of(certificate.expires_on) if certificate.expires_on else None


def build_credential(certificate) -> dict:
    """The OpenBadgeCredential (JSON-LD) for a certificate, in the school's language: what it says is
    what the certificate says, from its snapshot."""
    school = settings.WAGTAIL_SITE_NAME
    course_url = _absolute(reverse("api:course-detail", args=[certificate.enrollment.cohort.course.code]))
    with translation.override(settings.LANGUAGE_CODE):
        description = _("Completed the course “%(course)s” (%(hours)s hours) at %(school)s, %(start)s to %(end)s.") % {
            "course": certificate.course_title,
            "hours": certificate.hours,
            "school": school,
            "start": certificate.start_date.isoformat(),
            "end": certificate.end_date.isoformat(),
        }
        narrative = _(
            "Attended the course's %(hours)s hours and passed its assessment, meeting %(school)s's completion rule."
        ) % {"hours": certificate.hours, "school": school}
        name = _("Certificate of completion: %(course)s") % {"course": certificate.course_title}
    credential = {
        "@context": CONTEXTS,
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {"id": settings.SITE_URL, "type": ["Profile"], "name": school, "url": settings.SITE_URL},
        "validFrom": _iso(valid_from(certificate)),
        "credentialSubject": {
            "id": subject_id(certificate),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                }
            ],
            "achievement": {
                "id": course_url,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": certificate.course_title,
                "description": description,
                "criteria": {"narrative": narrative},
                "humanCode": certificate.number,
                "inLanguage": "zh-CN",
                "creator": {"id": settings.SITE_URL, "type": ["Profile"], "name": school},
            },
        },
        "credentialStatus": {
            "id": _absolute(reverse("api:certificate-verify-detail", args=[certificate.code])),
            "type": STATUS_TYPE,
        },
    }
    until = valid_until(certificate)
    if until:
        credential["validUntil"] = _iso(until)
    return credential


def sign(certificate) -> str:
    """The certificate's credential as a compact VC-JWT. Raises SigningKeyMissing without a key."""
    key = private_key()
    credential = build_credential(certificate)
    claims = {
        "iss": credential["issuer"]["id"],
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "nbf": int(valid_from(certificate).timestamp()),
        "iat": int(timezone.now().timestamp()),
        "vc": credential,
    }
    until = valid_until(certificate)
    if until:
        claims["exp"] = int(until.timestamp())
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": thumbprint(key.public_key()), "typ": "JWT"})
