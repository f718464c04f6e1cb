"""The merchant's pipeline through the API: its postings' applications (list, move a stage, hire) and
candidate search among graduates who consent to share their profile, with "invite to apply". The same
selectors and services as the pages: a merchant never sees another merchant's applications, nor a
graduate who has not consented."""

from django.utils.translation import gettext_lazy as _

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jobs import services
from jobs.candidates import (
    CandidateFilter,
    consenting_graduates,
    invitable_postings,
    merchant_applications,
    record_facts,
    shared_profile,
)
from jobs.models import Application, JobPosting, PayPeriod
from school.api_enrolment import SchoolApiMixin, refusal_handler
from school.filters import IdFilter


def job_refusal_handler(exc, context):
    """The job board's refusals as 400s of the same shape as the school's: {"detail", "code"}."""
    if isinstance(exc, services.JobError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
    return refusal_handler(exc, context)


class JobsApiMixin(SchoolApiMixin):
    def get_exception_handler(self):
        return job_refusal_handler


class IsMerchantMember(permissions.BasePermission):
    message = _("Only the members of a partner merchant can see its applications.")

    def has_permission(self, request, view):
        user = request.user
        return user.is_authenticated and user.merchant_memberships.exists()


class IsApprovedMerchantMember(permissions.BasePermission):
    message = _("Candidate search is for the members of approved partner merchants.")

    def has_permission(self, request, view):
        return services.approved_memberships(request.user).exists()


# --- Serializers -----------------------------------------------------------------------------------


class CourseBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(source="display_title")


class CertificateBriefSerializer(serializers.Serializer):
    number = serializers.CharField()
    course_title = serializers.CharField()
    expires_on = serializers.DateField(allow_null=True)
    verify_url = serializers.CharField(source="get_verify_url", help_text="The public verification page.")


class SkillBriefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField(source="display_name")


class RecordSerializer(serializers.Serializer):
    """What the school proves: completed courses, valid certificates, skills (with declared ones and
    districts only when the profile is shared)."""

    courses = CourseBriefSerializer(many=True)
    certificates = CertificateBriefSerializer(many=True)
    skills = SkillBriefSerializer(many=True)
    districts = serializers.ListField(child=serializers.CharField())


class SharedProfileSerializer(serializers.Serializer):
    expected_pay = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    expected_pay_period = serializers.CharField()
    available_from = serializers.DateField(allow_null=True)
    introduction = serializers.CharField()
    desired_districts = serializers.ListField(child=serializers.CharField())


class ApplicationSerializer(serializers.ModelSerializer):
    posting_title = serializers.CharField(source="posting.title")
    name = serializers.CharField(source="graduate.display_name")
    status_display = serializers.CharField(source="get_status_display")
    record = serializers.SerializerMethodField()
    profile = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "posting",
            "posting_title",
            "name",
            "status",
            "status_display",
            "invited",
            "message",
            "interview_at",
            "interview_place",
            "created_at",
            "updated_at",
            "record",
            "profile",
        ]

    @extend_schema_field(RecordSerializer)
    def get_record(self, application):
        return RecordSerializer(record_facts(application.graduate, shared_profile(application))).data

    @extend_schema_field(SharedProfileSerializer(allow_null=True))
    def get_profile(self, application):
        profile = shared_profile(application)
        return SharedProfileSerializer(profile).data if profile is not None else None


class MoveSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Application.Status.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    interview_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    interview_place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class HireSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    pay = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0)
    pay_period = serializers.ChoiceField(choices=PayPeriod.choices, default=PayPeriod.MONTH)
    position = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    social_insurance = serializers.BooleanField(required=False, default=False)


class PlacementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.CharField()
    start_date = serializers.DateField()
    pay = serializers.DecimalField(max_digits=9, decimal_places=2)
    pay_period = serializers.CharField()
    social_insurance = serializers.BooleanField()
    follow_ups = serializers.SerializerMethodField()

    def get_follow_ups(self, placement) -> list[str]:
        return [follow_up.due_on.isoformat() for follow_up in placement.follow_ups.all()]


class CandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The graduate's job profile id (to invite them).")
    name = serializers.CharField(source="user.display_name")
    record = serializers.SerializerMethodField()
    profile = SharedProfileSerializer(source="*")

    @extend_schema_field(RecordSerializer)
    def get_record(self, profile):
        return RecordSerializer(record_facts(profile.user, profile)).data


class InviteSerializer(serializers.Serializer):
    posting = serializers.PrimaryKeyRelatedField(queryset=JobPosting.objects.none())


class InvitationSerializer(serializers.Serializer):
    posting = serializers.IntegerField(source="posting_id")
    graduate_name = serializers.CharField(source="graduate.display_name")
    created_at = serializers.DateTimeField()


# --- Viewsets --------------------------------------------------------------------------------------


class ApplicationFilter(django_filters.FilterSet):
    posting = IdFilter(field_name="posting_id")
    status = django_filters.ChoiceFilter(choices=Application.Status.choices)

    class Meta:
        model = Application
        fields = ["posting", "status"]


@extend_schema_view(
    list=extend_schema(tags=["jobs: merchant"], summary="Applications to my merchant's postings (?posting=<id>)"),
    retrieve=extend_schema(tags=["jobs: merchant"], summary="One application to my merchant's postings"),
)
class MerchantApplicationViewSet(JobsApiMixin, viewsets.ReadOnlyModelViewSet):
    """Only the applications to postings of merchants the caller is a member of; any other is 404."""

    serializer_class = ApplicationSerializer
    permission_classes = [IsMerchantMember]
    filterset_class = ApplicationFilter
    queryset = Application.objects.none()  # for the schema; get_queryset() is what callers see

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return merchant_applications(self.request.user)

    @extend_schema(
        tags=["jobs: merchant"],
        summary="Move an application to its next stage (an interview needs its time and place)",
        request=MoveSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        application = self.get_object()
        data = self.validated(MoveSerializer)
        services.move_application(application=application, actor=request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=application.pk)).data)

    @extend_schema(
        tags=["jobs: merchant"],
        summary="Hire (from an offer): the placement and its 30/90/180-day follow-ups",
        request=HireSerializer,
        responses={201: PlacementSerializer},
    )
    @action(detail=True, methods=["post"])
    def hire(self, request, pk=None):
        application = self.get_object()
        placement = services.hire(application=application, actor=request.user, **self.validated(HireSerializer))
        return Response(PlacementSerializer(placement).data, status=status.HTTP_201_CREATED)

    def validated(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


@extend_schema_view(
    list=extend_schema(tags=["jobs: merchant"], summary="Search graduates who share their profile with merchants"),
    retrieve=extend_schema(tags=["jobs: merchant"], summary="One graduate who shares their profile"),
)
class CandidateViewSet(JobsApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Consenting graduates only: a withdrawn consent removes the graduate from here at once."""

    serializer_class = CandidateSerializer
    permission_classes = [IsApprovedMerchantMember]
    filterset_class = CandidateFilter

    def get_queryset(self):
        return consenting_graduates()

    @extend_schema(
        tags=["jobs: merchant"],
        summary="Invite the graduate to apply for one of my published postings (they are told)",
        request=InviteSerializer,
        responses={201: InvitationSerializer},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        profile = self.get_object()
        serializer = InviteSerializer(data=request.data)
        serializer.fields["posting"].queryset = invitable_postings(request.user)
        serializer.is_valid(raise_exception=True)
        invitation = services.invite_candidate(
            posting=serializer.validated_data["posting"], graduate=profile.user, actor=request.user
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)
