"""Job board API: public postings (the board's filters), and for a graduate their own job profile (with the
consent switch) and their own applications (apply, withdraw).

Thin, like the pages: the same selectors, FilterSet and services. Refusals are 400s with {"detail", "code"}
in the caller's language. A graduate's profile and applications are looked up only among their own, so
another graduate's answer 404."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from baijia.http import client_ip
from jobs import services
from jobs.filters import PostingFilter, category_name
from jobs.models import Application, GraduateProfile, JobCategory, JobPosting
from jobs.selectors import (
    board_postings,
    graduate_applications,
    is_taking_applications,
    public_postings,
    valid_certificates,
)
from jobs.services import CONSENT_WORDING, JobError
from school.api_enrolment import IsStudent, RefusalSerializer, SchoolApiMixin, refusal_handler
from school.models import LUOYANG_DISTRICTS


def job_refusal_handler(exc, context):
    """The school's refusal handler, with the job board's refusals (JobError) in the same shape."""
    if isinstance(exc, JobError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
    return refusal_handler(exc, context)


class JobBoardApiMixin(SchoolApiMixin):
    def get_exception_handler(self):
        return job_refusal_handler


# --- Public postings --------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    display_name = serializers.SerializerMethodField()

    class Meta:
        model = JobCategory
        fields = ["slug", "name", "name_en", "display_name"]

    def get_display_name(self, category) -> str:
        return category_name(category)


class MerchantProfileSerializer(serializers.Serializer):
    """What the public sees of an employer: no licence, no credit code, no contact person."""

    name = serializers.CharField()
    district = serializers.CharField()
    district_label = serializers.CharField(source="get_district_display")
    industry = serializers.CharField()
    industry_label = serializers.CharField(source="get_industry_display")
    description = serializers.CharField()


class PostingSerializer(serializers.ModelSerializer):
    merchant = MerchantProfileSerializer(read_only=True)
    category = CategorySerializer(read_only=True)
    district_label = serializers.CharField(source="get_district_display", read_only=True)
    employment_type_label = serializers.CharField(source="get_employment_type_display", read_only=True)
    taking_applications = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The posting's page on the website.")

    class Meta:
        model = JobPosting
        fields = [
            "id",
            "title",
            "merchant",
            "category",
            "employment_type",
            "employment_type_label",
            "district",
            "district_label",
            "address",
            "pay_min",
            "pay_max",
            "pay_period",
            "openings",
            "closing_date",
            "published_at",
            "status",
            "taking_applications",
            "url",
        ]

    def get_taking_applications(self, posting) -> bool:
        return is_taking_applications(posting)

    def get_url(self, posting) -> str:
        path = reverse("jobs:posting_detail", args=[posting.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class BoardRequiredSkillSerializer(serializers.Serializer):
    slug = serializers.CharField(source="skill.slug")
    name = serializers.CharField(source="skill.name")
    name_en = serializers.CharField(source="skill.name_en")
    min_level = serializers.IntegerField()


class PreferredCourseSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    title_en = serializers.CharField()


class PostingDetailSerializer(PostingSerializer):
    required_skills = BoardRequiredSkillSerializer(many=True, read_only=True)
    preferred_courses = PreferredCourseSerializer(many=True, read_only=True)

    class Meta(PostingSerializer.Meta):
        fields = [*PostingSerializer.Meta.fields, "description", "required_skills", "preferred_courses"]


@extend_schema_view(
    list=extend_schema(summary="Postings on the job board (the board's filters, search and sort)"),
    retrieve=extend_schema(summary="A posting (closed and filled ones too; they take no applications)"),
)
class PostingViewSet(JobBoardApiMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    filterset_class = PostingFilter

    def get_queryset(self):
        return board_postings() if self.action == "list" else public_postings()

    def get_serializer_class(self):
        return PostingSerializer if self.action == "list" else PostingDetailSerializer

    def filter_queryset(self, queryset):
        # The FilterSet is for the list; a posting's page is found by id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset


# --- The graduate's own profile ------------------------------------------------------------------------


class CertificateSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    course_title = serializers.CharField()
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(allow_null=True)
    verify_url = serializers.SerializerMethodField()

    def get_verify_url(self, certificate) -> str:
        request = self.context.get("request")
        path = certificate.get_verify_url()
        return request.build_absolute_uri(path) if request else path


class ProfileSerializer(serializers.ModelSerializer):
    desired_categories = serializers.SlugRelatedField(
        slug_field="slug", queryset=JobCategory.objects.all(), many=True, required=False
    )
    desired_districts = serializers.ListField(
        child=serializers.ChoiceField(choices=LUOYANG_DISTRICTS), required=False, max_length=len(LUOYANG_DISTRICTS)
    )
    shared_with_merchants = serializers.BooleanField(
        required=False,
        help_text="Consent to show the profile to partner merchants. Turning it on needs agree=true "
        "(the graduate has read consent_wording); turning it off takes effect at once.",
    )
    agree = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text="The graduate agrees to consent_wording."
    )
    consent_wording = serializers.SerializerMethodField()
    resume_url = serializers.SerializerMethodField(help_text="Download of the résumé, or null.")
    certificates = serializers.SerializerMethodField(help_text="Valid certificates, added by the school.")

    class Meta:
        model = GraduateProfile
        fields = [
            "desired_categories",
            "desired_districts",
            "expected_pay",
            "expected_pay_period",
            "available_from",
            "introduction",
            "shared_with_merchants",
            "agree",
            "consent_wording",
            "resume_url",
            "certificates",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def get_consent_wording(self, profile) -> str:
        return str(CONSENT_WORDING)

    def get_resume_url(self, profile) -> str | None:
        if not profile.resume:
            return None
        return self.context["request"].build_absolute_uri(reverse("jobs:resume", args=[profile.pk]))

    @extend_schema_field(CertificateSummarySerializer(many=True))
    def get_certificates(self, profile):
        return CertificateSummarySerializer(valid_certificates(profile.user), many=True, context=self.context).data

    def update(self, instance, validated_data):
        # Consent is given or withdrawn through services.set_consent (logged), never by a plain save.
        validated_data.pop("shared_with_merchants", None)
        validated_data.pop("agree", None)
        return super().update(instance, validated_data)

    def validate(self, data):
        if data.get("shared_with_merchants") and not data.get("agree"):
            raise JobError(
                _("To share your profile with merchants, agree to the consent wording (agree=true)."),
                code="agree_required",
            )
        return data


@extend_schema(tags=["jobs"])
class MyProfileView(JobBoardApiMixin, APIView):
    """The signed-in graduate's job profile. Changing shared_with_merchants gives or withdraws consent, logged
    with the wording and the caller's IP address; withdrawing hides the profile from merchants at once."""

    permission_classes = [IsStudent]
    serializer_class = ProfileSerializer

    @extend_schema(responses=ProfileSerializer)
    def get(self, request):
        profile = services.profile_for(request.user)
        return Response(ProfileSerializer(profile, context={"request": request}).data)

    @extend_schema(request=ProfileSerializer, responses={200: ProfileSerializer, 400: RefusalSerializer})
    def patch(self, request):
        profile = services.profile_for(request.user)
        serializer = ProfileSerializer(profile, data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        granted = serializer.validated_data.get("shared_with_merchants")
        serializer.save()
        if granted is not None and granted != profile.shared_with_merchants:
            services.set_consent(user=request.user, granted=granted, ip_address=client_ip(request))
        profile.refresh_from_db()
        return Response(ProfileSerializer(profile, context={"request": request}).data)


# --- The graduate's own applications -------------------------------------------------------------------


class GraduateApplicationSerializer(serializers.ModelSerializer):
    posting_title = serializers.CharField(source="posting.title", read_only=True)
    merchant_name = serializers.CharField(source="posting.merchant.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    can_withdraw = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "posting",
            "posting_title",
            "merchant_name",
            "status",
            "status_label",
            "message",
            "interview_at",
            "interview_place",
            "can_withdraw",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_can_withdraw(self, application) -> bool:
        return Application.Status.WITHDRAWN in Application.NEXT[application.status]


class ApplyRequestSerializer(serializers.Serializer):
    posting = serializers.PrimaryKeyRelatedField(queryset=public_postings(), help_text="The posting's id.")
    message = serializers.CharField(max_length=1000, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="My applications, newest first, with their current stage"),
    retrieve=extend_schema(summary="One of my applications"),
    create=extend_schema(
        summary="Apply for a posting (once; only while it takes applications)",
        request=ApplyRequestSerializer,
        responses={201: GraduateApplicationSerializer, 400: RefusalSerializer},
    ),
)
class MyApplicationViewSet(
    JobBoardApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsStudent]
    serializer_class = GraduateApplicationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema, built without a user
            return Application.objects.none()
        return graduate_applications(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = ApplyRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.apply(
            graduate=request.user,
            posting=serializer.validated_data["posting"],
            message=serializer.validated_data["message"],
        )
        return Response(GraduateApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw my application",
        request=None,
        responses={200: GraduateApplicationSerializer, 400: RefusalSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = get_object_or_404(self.get_queryset(), pk=pk)
        application = services.move_application(
            application=application, to_status=Application.Status.WITHDRAWN, actor=request.user
        )
        return Response(GraduateApplicationSerializer(application).data)
