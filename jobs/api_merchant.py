"""The merchant's own postings through the API: list, read, create, update and close. Postings are
looked up only among the merchants the caller belongs to, so another merchant's posting answers 404.

Thin, like the pages: the serializer checks the input's shape; jobs.services decides (review rules,
approval, closing dates). A refusal is a 400 {"detail", "code"} in the caller's language."""

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.authentication import TokenAuthentication
from jobs import services
from jobs.models import JobCategory, JobPosting, Merchant
from jobs.services import JobError
from school.api_enrolment import RefusalSerializer, refusal_handler
from school.models import Course, Skill, SkillLevel


def job_refusal_handler(exc, context):
    """The school's refusal handler, with the job board's refusals in the same shape."""
    if isinstance(exc, JobError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
    return refusal_handler(exc, context)


class RequiredSkillSerializer(serializers.Serializer):
    skill = serializers.SlugRelatedField(slug_field="slug", queryset=Skill.objects.all(), help_text="The skill's slug.")
    min_level = serializers.ChoiceField(
        choices=SkillLevel.choices, default=SkillLevel.WORKING, help_text="1 (basic) to 5 (expert)."
    )


class MerchantPostingSerializer(serializers.ModelSerializer):
    merchant = serializers.PrimaryKeyRelatedField(
        queryset=Merchant.objects.none(),
        required=False,
        help_text="Which of your merchants posts it; needed only if you work for several. Fixed once created.",
    )
    category = serializers.SlugRelatedField(slug_field="slug", queryset=JobCategory.objects.all())
    description = serializers.CharField(
        max_length=20000,
        help_text="HTML: paragraphs, bold, italic, lists and links are kept; anything else is removed.",
    )
    required_skills = RequiredSkillSerializer(many=True, required=False)
    preferred_courses = serializers.SlugRelatedField(
        slug_field="code", queryset=Course.objects.all(), many=True, required=False, help_text="Course codes."
    )
    submit = serializers.BooleanField(
        write_only=True,
        default=False,
        help_text="Publish it (trusted merchants) or send it to review; otherwise a new posting stays a draft.",
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    application_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = JobPosting
        fields = [
            "id",
            "merchant",
            "title",
            "category",
            "description",
            "employment_type",
            "district",
            "address",
            "pay_min",
            "pay_max",
            "pay_period",
            "openings",
            "closing_date",
            "required_skills",
            "preferred_courses",
            "submit",
            "status",
            "status_label",
            "review_reason",
            "hired_count",
            "application_count",
            "published_at",
            "updated_at",
        ]
        read_only_fields = ["status", "review_reason", "hired_count", "published_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["merchant"].queryset = Merchant.objects.filter(members__user=request.user)

    def validate(self, attrs):
        pay_min = attrs.get("pay_min", getattr(self.instance, "pay_min", None))
        pay_max = attrs.get("pay_max", getattr(self.instance, "pay_max", None))
        if pay_min is not None and pay_max is not None and pay_max < pay_min:
            raise serializers.ValidationError(
                {"pay_max": _("The top of the pay range cannot be below its bottom.")}, code="pay_range"
            )
        skills = [entry["skill"].pk for entry in attrs.get("required_skills", [])]
        if len(skills) != len(set(skills)):
            raise serializers.ValidationError({"required_skills": _("A skill is listed twice.")}, code="duplicate")
        return attrs

    def save_through_service(self, *, user, posting: JobPosting) -> JobPosting:
        data = dict(self.validated_data)
        submit = data.pop("submit", False)
        data.pop("merchant", None)
        skills = data.pop("required_skills", None)
        courses = data.pop("preferred_courses", None)
        for name, value in data.items():
            setattr(posting, name, value)
        return services.posting_save(
            posting=posting,
            user=user,
            submit=submit,
            skills=None if skills is None else [(entry["skill"], entry["min_level"]) for entry in skills],
            courses=courses,
        )


class IsMerchantMember(permissions.BasePermission):
    message = gettext_lazy("Only members of a partner merchant can manage postings.")

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.merchant_memberships.exists()


@extend_schema_view(
    list=extend_schema(tags=["merchant"], summary="My merchants' postings, most recently changed first"),
    retrieve=extend_schema(tags=["merchant"], summary="One of my merchants' postings"),
)
class MerchantPostingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The postings of the merchants the caller works for. Another merchant's posting is not found (404)."""

    queryset = JobPosting.objects.none()  # for the schema; the real one is the caller's
    serializer_class = MerchantPostingSerializer
    permission_classes = [permissions.IsAuthenticated, IsMerchantMember]
    authentication_classes = [SessionAuthentication, TokenAuthentication]
    filter_backends = []

    def get_exception_handler(self):
        return job_refusal_handler

    def get_queryset(self):
        return (
            JobPosting.objects.filter(merchant__members__user=self.request.user)
            .select_related("category")
            .prefetch_related("required_skills__skill", "preferred_courses")
            .annotate(application_count=Count("applications", distinct=True))
            .order_by("-updated_at", "-pk")
        )

    def _answer(self, posting: JobPosting, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=posting.pk)).data, status=code)

    @extend_schema(
        tags=["merchant"],
        summary="Write a posting",
        description="Saved as a draft, or with `submit` published (trusted merchants) or sent to the school's "
        "review. Only approved merchants post.",
        responses={201: MerchantPostingSerializer, 400: RefusalSerializer},
    )
    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        merchant = given.validated_data.get("merchant")
        if merchant is None:
            merchants = list(Merchant.objects.filter(members__user=request.user)[:2])
            if len(merchants) != 1:
                raise JobError(_("Say which of your merchants posts this job."), code="merchant_required")
            merchant = merchants[0]
        posting = given.save_through_service(user=request.user, posting=JobPosting(merchant=merchant))
        return self._answer(posting, status.HTTP_201_CREATED)

    @extend_schema(
        tags=["merchant"],
        summary="Change a posting",
        description="A substantive change (title, category, description, employment type, pay) of a published "
        "posting of an untrusted merchant sends it back to review. Skills and courses are replaced when given.",
        responses={200: MerchantPostingSerializer, 400: RefusalSerializer},
    )
    def update(self, request, *args, **kwargs):
        posting = self.get_object()
        given = self.get_serializer(posting, data=request.data, partial=kwargs.get("partial", False))
        given.is_valid(raise_exception=True)
        return self._answer(given.save_through_service(user=request.user, posting=posting))

    @extend_schema(
        tags=["merchant"],
        summary="Change some of a posting",
        responses={200: MerchantPostingSerializer, 400: RefusalSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        tags=["merchant"],
        summary="Close a posting",
        description="It leaves the board at once and takes no more applications; it stays in reports.",
        request=None,
        responses={200: MerchantPostingSerializer, 400: RefusalSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        posting = services.posting_close(posting=self.get_object(), user=request.user)
        return self._answer(posting)
