"""Recommendations through the API: a graduate's best postings and their fit to one posting, and a
merchant's best candidates for one of its postings, each with the score, its six parts, the reasons in the
caller's language and the required skills the graduate lacks (with a course that teaches each).

Thin: jobs.matching.recommend scores and explains; here the rows shown are read through the same
selectors as the board and candidate search, so a closed posting or a withdrawn consent drops out at once.
Recommendations inform; people decide (PIPL): nothing here applies, invites or rejects anyone."""

from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from jobs import recommendations
from jobs.api_board import JobBoardApiMixin, PostingSerializer
from jobs.api_pipeline import CandidateSerializer, IsApprovedMerchantMember, SkillBriefSerializer
from jobs.matching import score
from jobs.models import JobPosting, MerchantMember
from jobs.selectors import board_postings
from jobs.services import JobError
from school.api_enrolment import IsStudent, RefusalSerializer

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
REASON_CODES = (
    "certified, completed, declared (a required skill and its evidence); preferred_course, program, wanted "
    "(training for this kind of work); same_district, near; pay, pay_above; available, available_later; recent"
)


# --- Serializers -----------------------------------------------------------------------------------


class RoundedFloatField(serializers.FloatField):
    def __init__(self, *, places: int, **kwargs):
        self.places = places
        super().__init__(**kwargs)

    def to_representation(self, value):
        return round(float(value), self.places)


def _component_help(name: str, what: str) -> str:
    return f"{what} (0–1; {score.WEIGHTS[name]:.0%} of the score)."


class MatchComponentsSerializer(serializers.Serializer):
    """The six parts of the score, each from 0 to 1."""

    skills = RoundedFloatField(places=3, help_text=_component_help("skills", "Required skills the school proves"))
    program = RoundedFloatField(places=3, help_text=_component_help("program", "Training for this kind of work"))
    distance = RoundedFloatField(places=3, help_text=_component_help("distance", "Closeness to where they want work"))
    pay = RoundedFloatField(places=3, help_text=_component_help("pay", "Expected pay against the pay range"))
    availability = RoundedFloatField(
        places=3, help_text=_component_help("availability", "Can start before the posting closes")
    )
    recency = RoundedFloatField(places=3, help_text=_component_help("recency", "How recently they trained"))


class MatchReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=f"A stable code: {REASON_CODES}.")
    text = serializers.CharField(help_text="The reason, in the caller's language (Accept-Language).")


class TeachingCourseSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(source="display_title")
    url = serializers.SerializerMethodField(help_text="The course's page on the website, or null if it has none.")

    def get_url(self, course) -> str | None:
        page = getattr(course, "page", None)  # select_related by recommend; a course without a page raises
        if page is None or not page.live:
            return None
        request = self.context.get("request")
        address = page.get_url(request)
        return request.build_absolute_uri(address) if request and address else address


class MissingSkillSerializer(serializers.Serializer):
    skill = SkillBriefSerializer()
    level = serializers.IntegerField(help_text="The level the posting requires, 1 (basic) to 5 (expert).")
    course = TeachingCourseSerializer(
        allow_null=True, help_text="A course of the school that teaches the skill to that level, or null."
    )


class MatchSerializer(serializers.Serializer):
    """What matching says about one pair (read from `match`, a jobs.matching.recommend.Match)."""

    score = RoundedFloatField(
        places=1, source="match.score", min_value=0, max_value=100, help_text="How well they fit, 0–100."
    )
    components = MatchComponentsSerializer(source="match.components")
    reasons = MatchReasonSerializer(
        source="match.reasons", many=True, help_text="Why they fit, strongest first, in the caller's language."
    )
    missing_skills = MissingSkillSerializer(
        source="match.missing", many=True, help_text="Required skills the graduate lacks at the level required."
    )


class PostingSummarySerializer(PostingSerializer):
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)

    class Meta(PostingSerializer.Meta):
        fields = [
            "id",
            "title",
            "merchant_name",
            "district",
            "district_label",
            "pay_min",
            "pay_max",
            "pay_period",
            "closing_date",
            "url",
        ]


class PostingMatchSerializer(MatchSerializer):
    posting = PostingSummarySerializer()


class RecommendedCandidateSerializer(CandidateSerializer, MatchSerializer):
    """A consenting graduate as candidate search shows them, with how well they fit the posting."""


# Built when shown, so in the caller's language.
LIMIT_MESSAGE = lazy(lambda: _("limit is a whole number from 1 to %(most)d.") % {"most": MAX_LIMIT}, str)()


class RecommendationLimitSerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_LIMIT,
        default=DEFAULT_LIMIT,
        required=False,
        error_messages={"invalid": LIMIT_MESSAGE, "min_value": LIMIT_MESSAGE, "max_value": LIMIT_MESSAGE},
        help_text=f"How many to return, 1–{MAX_LIMIT} (default {DEFAULT_LIMIT}; empty means the default).",
    )


# --- Views -----------------------------------------------------------------------------------------


class MatchingApiView(JobBoardApiMixin, generics.GenericAPIView):
    """Lists that are a ranking, not a page of a collection: no pagination, no filters but `limit`."""

    pagination_class = None
    filter_backends = []

    def requested_limit(self) -> int:
        given = RecommendationLimitSerializer(data=self.request.query_params)
        given.is_valid(raise_exception=True)
        return given.validated_data["limit"]


class MyRecommendationsView(MatchingApiView):
    """The signed-in graduate's best postings on the board, best first (not those they applied to)."""

    permission_classes = [IsStudent]
    serializer_class = PostingMatchSerializer

    @extend_schema(
        tags=["jobs"],
        summary="My recommended postings, best first, with the reasons and the skills I lack",
        parameters=[RecommendationLimitSerializer],
        responses={200: PostingMatchSerializer(many=True), 400: RefusalSerializer},
    )
    def get(self, request):
        # As the pages: only postings still on the board, each with its merchant.
        shown = recommendations.postings_for(request.user, limit=self.requested_limit())
        return Response(self.get_serializer(shown, many=True).data)


class PostingMatchView(MatchingApiView):
    """The signed-in graduate's fit to one posting on the board."""

    permission_classes = [IsStudent]
    serializer_class = PostingMatchSerializer

    def get_queryset(self) -> QuerySet[JobPosting]:
        return board_postings()

    @extend_schema(
        tags=["jobs"],
        summary="How well I fit a posting on the board, with the reasons and the skills I lack",
        description="404 for a posting not on the board. 400 (code `nothing_to_match`) while the school knows "
        "nothing to match: no completed course and no job profile.",
        responses={200: PostingMatchSerializer, 400: RefusalSerializer},
    )
    def get(self, request, pk):
        posting = self.get_object()
        match = recommendations.match_for(request.user, posting)
        if match is None:
            raise JobError(
                _("There is nothing to match yet: complete a course or fill in your job profile."),
                code="nothing_to_match",
            )
        return Response(self.get_serializer(recommendations.RecommendedPosting(posting, match)).data)


class RecommendedCandidatesView(MatchingApiView):
    """The best consenting graduates for a posting of a merchant the caller belongs to, best first (not
    those already hired through the school, nor those who applied to it). As on the page: another
    merchant's posting is not found (404), and a merchant the school has not approved sees no one (403)."""

    permission_classes = [IsApprovedMerchantMember]
    serializer_class = RecommendedCandidateSerializer

    def get_queryset(self) -> QuerySet[JobPosting]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema, built without a user
            return JobPosting.objects.none()
        return JobPosting.objects.filter(
            merchant__in=MerchantMember.objects.filter(user=self.request.user).values("merchant")
        ).select_related("merchant")

    def get_object(self) -> JobPosting:
        posting = super().get_object()
        if not posting.merchant.is_approved:
            raise PermissionDenied(IsApprovedMerchantMember.message)
        return posting

    @extend_schema(
        tags=["jobs: merchant"],
        summary="Recommended candidates for my posting, best first, with the reasons and the skills they lack",
        description="Only graduates who share their profile with merchants: one who withdraws consent drops out "
        "at once.",
        parameters=[RecommendationLimitSerializer],
        responses={200: RecommendedCandidateSerializer(many=True), 400: RefusalSerializer},
    )
    def get(self, request, pk):
        posting = self.get_object()
        # As the page: read through candidate search's own query, which checks consent as of now.
        shown = recommendations.candidates_for(posting, viewer=request.user, limit=self.requested_limit())
        for candidate in shown:
            candidate.profile.match = candidate.match
        return Response(self.get_serializer([c.profile for c in shown], many=True).data)
