"""Certificate issuing API: issue one student's certificate or a whole class's (a batch, with its
progress), list the certificates a person may see, and revoke (staff).

The same services and permissions as the instructors' pages: an instructor issues only for the classes
they teach (another class, or its students, answers 404), staff for any; students list their own
certificates. Refusals are 400s with {"detail", "code"} in the caller's language (refusal_handler)."""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from school.api_enrolment import RefusalSerializer, RunsClasses, SchoolApiMixin
from school.filters import IdFilter
from school.models import Certificate, CertificateBatch, Enrollment
from school.models.certificates import normalise_code
from school.permissions import cohorts_run_by, is_staff
from school.selectors import certificates_visible_to
from school.services import certificates as services

TAGS = ["certificates"]


class IsSchoolStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return is_staff(request.user)


# --- Serializers ------------------------------------------------------------------------------------


class CertificateSerializer(serializers.ModelSerializer):
    cohort = serializers.CharField(source="enrollment.cohort.code", read_only=True, help_text="The class's code.")
    enrollment = serializers.IntegerField(source="enrollment_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    public_status = serializers.CharField(read_only=True, help_text="valid, expired, revoked or superseded.")
    display_code = serializers.CharField(
        read_only=True, help_text="The verification code as printed, e.g. 7K3M-9QXD-2HNF-RT4B."
    )
    verify_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    credential_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "code",
            "display_code",
            "status",
            "status_label",
            "public_status",
            "holder_name",
            "course_title",
            "hours",
            "start_date",
            "end_date",
            "final_score",
            "issued_on",
            "expires_on",
            "issued_at",
            "revoked_at",
            "revoked_reason",
            "cohort",
            "enrollment",
            "verify_url",
            "pdf_url",
            "credential_url",
        ]
        read_only_fields = fields

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_verify_url(self, certificate) -> str:
        return self._absolute(certificate.get_verify_url())

    def get_pdf_url(self, certificate) -> str:
        return self._absolute(reverse("certificates:pdf", args=[certificate.code]))

    def get_credential_url(self, certificate) -> str:
        return self._absolute(reverse("certificates:credential", args=[certificate.code]))


class CertificateBatchSerializer(serializers.ModelSerializer):
    batch = serializers.IntegerField(source="pk", read_only=True)
    cohort = serializers.CharField(source="cohort.code", read_only=True, help_text="The class's code.")
    status = serializers.ChoiceField(choices=CertificateBatch.Status.choices, read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text="0–100.")
    finished = serializers.BooleanField(read_only=True, help_text="Done or failed: nothing more will change.")
    issued = serializers.IntegerField(read_only=True, help_text="Certificates this batch issued.")
    already = serializers.SerializerMethodField(help_text="Students who already had a certificate (when done).")
    error = serializers.CharField(read_only=True, help_text="Why the run failed, in the requester's language.")
    delayed = serializers.SerializerMethodField(
        help_text="The task service (broker) is not answering: the run starts by itself when it is back."
    )
    notice = serializers.SerializerMethodField(help_text="What to tell the person, when there is something to tell.")
    progress_url = serializers.SerializerMethodField()

    class Meta:
        model = CertificateBatch
        fields = [
            "batch",
            "cohort",
            "status",
            "done",
            "total",
            "percent",
            "finished",
            "issued",
            "already",
            "error",
            "created_at",
            "finished_at",
            "delayed",
            "notice",
            "progress_url",
        ]
        read_only_fields = fields

    def get_already(self, batch) -> int:
        return max(batch.total - batch.issued, 0) if batch.status == CertificateBatch.Status.DONE else 0

    def get_delayed(self, batch) -> bool:
        return services.waiting_for_task_service(batch)

    def get_notice(self, batch) -> str:
        return str(services.DELAYED_NOTICE) if services.waiting_for_task_service(batch) else ""

    def get_progress_url(self, batch) -> str:
        url = reverse("api:certificate-batch", args=[batch.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class IssueRequestSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(required=False, help_text="One student's enrolment: issue their certificate.")
    cohort = serializers.IntegerField(
        required=False, help_text="A class's id: issue for every student who completed it."
    )

    def validate(self, data):
        if ("enrollment" in data) == ("cohort" in data):
            raise serializers.ValidationError(_("Give either an enrolment or a class, not both."), code="one_of")
        return data


class RevokeRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300, allow_blank=True, default="", help_text="Why: shown on the verification page."
    )


class CertificateFilter(django_filters.FilterSet):
    cohort = IdFilter(field_name="enrollment__cohort", help_text="A class's id.")
    status = django_filters.ChoiceFilter(choices=Certificate.Status.choices)

    class Meta:
        model = Certificate
        fields = ["cohort", "status"]


# --- Views --------------------------------------------------------------------------------------------


class CertificateViewSet(SchoolApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Certificates: a student sees their own, an instructor those of the classes they teach, staff all."""

    queryset = Certificate.objects.none()  # for the schema; the real one is the caller's
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter
    lookup_field = "code"

    def get_permissions(self):
        if self.action == "issue":
            return [permissions.IsAuthenticated(), RunsClasses()]
        if self.action == "revoke":
            return [permissions.IsAuthenticated(), IsSchoolStaff()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return certificates_visible_to(self.request.user).order_by("-issued_on", "number")

    @extend_schema(tags=TAGS, summary="Certificates I may see (students: mine; instructors: my classes'; staff: all)")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        summary="Issue one student's certificate, or a whole class's",
        description='{"enrollment": id} issues one certificate at once (201). {"cohort": id} starts issuing for '
        "every student who completed the class (202) and answers with the batch: poll progress_url until it has "
        "finished. Instructors of the class and staff only; another class answers 404.",
        request=IssueRequestSerializer,
        responses={
            201: CertificateSerializer,
            202: CertificateBatchSerializer,
            400: RefusalSerializer,
            404: OpenApiResponse(description="No such enrolment or class among those you teach."),
        },
    )
    def issue(self, request):
        given = IssueRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        cohorts = cohorts_run_by(request.user)
        if "enrollment" in given.validated_data:
            enrollment = get_object_or_404(
                Enrollment.objects.filter(cohort__in=cohorts), pk=given.validated_data["enrollment"]
            )
            certificate = services.issue_certificate(enrollment=enrollment, issued_by=request.user)
            certificate = Certificate.objects.select_related("enrollment__cohort").get(pk=certificate.pk)
            return Response(self.get_serializer(certificate).data, status=status.HTTP_201_CREATED)
        cohort = get_object_or_404(cohorts, pk=given.validated_data["cohort"])
        batch = services.start_certificate_batch(cohort=cohort, requested_by=request.user)
        batch = CertificateBatch.objects.select_related("cohort").get(pk=batch.pk)
        return Response(
            CertificateBatchSerializer(batch, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        tags=TAGS,
        summary="Revoke a certificate (staff)",
        description="Verification then shows it as revoked, with the date and the reason.",
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Its code.")],
        request=RevokeRequestSerializer,
        responses={200: CertificateSerializer, 400: RefusalSerializer},
    )
    def revoke(self, request, code=None):
        certificate = get_object_or_404(Certificate.objects.issued(), code=normalise_code(code))
        given = RevokeRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.revoke_certificate(certificate=certificate, actor=request.user, reason=given.validated_data["reason"])
        certificate = Certificate.objects.select_related("enrollment__cohort").get(pk=certificate.pk)
        return Response(self.get_serializer(certificate).data)


class CertificateBatchViewSet(SchoolApiMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A class's issuing run: its progress and result. Only for those who run the class."""

    queryset = CertificateBatch.objects.none()  # for the schema; the real one is the caller's
    serializer_class = CertificateBatchSerializer
    permission_classes = [permissions.IsAuthenticated, RunsClasses]
    filter_backends = []

    def get_queryset(self):
        return CertificateBatch.objects.filter(cohort__in=cohorts_run_by(self.request.user)).select_related("cohort")

    @extend_schema(tags=TAGS, summary="Progress of a class's certificate issuing")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


# Explicit paths, listed in baijia/urls.py before any `certificates/<code>/` route, so `issue/` is never
# read as a code.
urlpatterns = [
    path("certificates/", CertificateViewSet.as_view({"get": "list"}), name="certificate-list"),
    path("certificates/issue/", CertificateViewSet.as_view({"post": "issue"}, detail=False), name="certificate-issue"),
    path(
        "certificates/<str:code>/revoke/",
        CertificateViewSet.as_view({"post": "revoke"}, detail=True),
        name="certificate-revoke",
    ),
    path(
        "certificate-batches/<int:pk>/",
        CertificateBatchViewSet.as_view({"get": "retrieve"}, detail=True),
        name="certificate-batch",
    ),
]
