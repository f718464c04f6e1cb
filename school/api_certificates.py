"""Public certificate verification API: GET /api/v1/certificates/<code>/ answers what the verification
page shows, as JSON, to anyone — and no other personal data. Throttled per IP (ScopedRateThrottle,
scope "certificate-verify") against enumeration. Issuing, listing and revoking live in
api_certificate_issuing.py; this viewset only retrieves."""

import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.throttling import ScopedRateThrottle

from school.certificates import credential
from school.models import Certificate
from school.models.certificates import CODE_ALPHABET, CODE_LENGTH, normalise_code

# What verification says of a certificate: its status, from Certificate.public_status.
PUBLIC_STATUSES = {
    "valid": gettext_lazy("Valid"),
    "expired": gettext_lazy("Expired"),
    "revoked": gettext_lazy("Revoked"),
    "superseded": gettext_lazy("Superseded"),
}
CODE_PATTERN = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


class CertificateVerificationSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="display_code", help_text="The verification code, in groups of four.")
    course = serializers.CharField(source="course_title", help_text="The course title, as certified.")
    course_en = serializers.CharField(source="course_title_en", help_text="The course's English title, if any.")
    school = serializers.SerializerMethodField(help_text="The issuing school.")
    status = serializers.ChoiceField(
        source="public_status",
        choices=list(PUBLIC_STATUSES),
        help_text="valid; expired (past expires_on); revoked (see revoked_on, revoked_reason); superseded "
        "(replaced by a corrected certificate, which is not named here).",
    )
    status_label = serializers.SerializerMethodField(help_text="The status in the caller's language.")
    revoked_on = serializers.SerializerMethodField(help_text="The day it was revoked (Asia/Shanghai), if revoked.")
    revoked_reason = serializers.SerializerMethodField(help_text="Why it was revoked, if revoked.")
    verify_url = serializers.SerializerMethodField(help_text="The public verification page (the QR code's address).")

    class Meta:
        model = Certificate
        fields = [
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
        ]

    def get_school(self, certificate) -> str:
        return settings.WAGTAIL_SITE_NAME

    def get_status_label(self, certificate) -> str:
        return str(PUBLIC_STATUSES[certificate.public_status])

    def get_revoked_on(self, certificate) -> str | None:
        if certificate.status != Certificate.Status.REVOKED or not certificate.revoked_at:
            return None
        return timezone.localdate(certificate.revoked_at).isoformat()

    def get_revoked_reason(self, certificate) -> str:
        return certificate.revoked_reason if certificate.status == Certificate.Status.REVOKED else ""

    def get_verify_url(self, certificate) -> str:
        return credential.verify_url(certificate)


NOT_FOUND = inline_serializer("CertificateNotFound", fields={"detail": serializers.CharField()})


@extend_schema(tags=["certificates"])
class CertificateVerificationViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CertificateVerificationSerializer
    queryset = Certificate.objects.none()  # for the schema; get_object looks the code up
    lookup_field = "code"
    # 16 characters, optionally in dashed groups of four, any case: never a word like "issue".
    lookup_value_regex = r"[0-9A-Za-z]{4}(?:-?[0-9A-Za-z]{4}){3}"
    permission_classes = [permissions.AllowAny]
    authentication_classes = []  # public: the same answer for everyone, counted per IP
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "certificate-verify"

    def get_object(self):
        code = normalise_code(self.kwargs["code"])
        certificate = Certificate.objects.issued().filter(code=code).first() if CODE_PATTERN.fullmatch(code) else None
        if certificate is None:
            raise exceptions.NotFound(_("No certificate has this verification code. Check the code and try again."))
        return certificate

    @extend_schema(
        summary="Verify a certificate",
        description="What the public verification page shows, for a verification code (any case, dashes "
        "optional). Certificates still being issued are not found. Anyone may call it; it is throttled per IP "
        "(scope certificate-verify).",
        responses={
            200: CertificateVerificationSerializer,
            404: OpenApiResponse(NOT_FOUND, description="No issued certificate has this code."),
            429: OpenApiResponse(NOT_FOUND, description="Too many lookups from this address; retry later."),
        },
    )
    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"  # a revocation shows at once
        return response
