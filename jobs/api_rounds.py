"""Placement rounds through the API, for school staff (the same check and the same services as the back
office's pages): list and create rounds, read one with each graduate's proposal, score, reasons and
missing skills, and propose, adjust (pin), unpin and send. A refusal is a 400 {"detail", "code"}."""

from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jobs import placement_rounds as service
from jobs.api_matching import MatchReasonSerializer, MissingSkillSerializer
from jobs.api_pipeline import JobsApiMixin
from jobs.models import PlacementRound
from school.api_enrolment import RefusalSerializer
from school.models import Cohort

TAGS = ["jobs: staff"]


class RunsPlacementRounds(permissions.BasePermission):
    message = _("Placement rounds are run by school staff.")

    def has_permission(self, request, view):
        return service.may_run_rounds(request.user)


# --- Serializers -----------------------------------------------------------------------------------


class ProposalSerializer(serializers.Serializer):
    """One graduate of the round and the posting proposed for them (none: `posting` is null)."""

    graduate = serializers.IntegerField(source="proposal.graduate_id")
    name = serializers.CharField(source="proposal.graduate.display_name")
    posting = serializers.IntegerField(source="proposal.posting_id", allow_null=True)
    posting_title = serializers.CharField(source="proposal.posting.title", allow_null=True)
    merchant = serializers.CharField(source="proposal.posting.merchant.name", allow_null=True)
    score = serializers.FloatField(source="proposal.score", allow_null=True, help_text="0–100.")
    pinned = serializers.BooleanField(source="proposal.pinned", help_text="Chosen by staff: proposing keeps it.")
    invited = serializers.SerializerMethodField(help_text="The invitation to apply has been sent.")
    reasons = MatchReasonSerializer(many=True, help_text="Why they fit, strongest first, in the caller's language.")
    missing = MissingSkillSerializer(many=True, help_text="Skills the posting asks for that they have not shown.")

    def get_invited(self, line) -> bool:
        return line.proposal.invitation_id is not None


class RoundPostingSerializer(serializers.Serializer):
    posting = serializers.IntegerField(source="entry.posting_id")
    title = serializers.CharField(source="posting.title")
    merchant = serializers.CharField(source="posting.merchant.name")
    capacity = serializers.IntegerField(source="entry.capacity", help_text="Places in this round.")
    assigned = serializers.IntegerField(help_text="Graduates proposed for it.")


class PlacementRoundSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.display_name", allow_null=True)
    graduates = serializers.IntegerField(source="graduate_count")
    assigned = serializers.IntegerField(source="assigned_count", help_text="Graduates proposed for a posting.")

    class Meta:
        model = PlacementRound
        fields = [
            "id",
            "name",
            "status",
            "min_score",
            "created_by",
            "created_at",
            "proposed_at",
            "sent_at",
            "graduates",
            "assigned",
        ]


class PlacementRoundDetailSerializer(serializers.Serializer):
    """A round as staff read it: its totals, its postings and every graduate's proposal."""

    id = serializers.IntegerField(source="round.pk")
    name = serializers.CharField(source="round.name")
    status = serializers.ChoiceField(choices=PlacementRound.Status.choices, source="round.status")
    min_score = serializers.FloatField(source="round.min_score")
    created_by = serializers.CharField(source="round.created_by.display_name", allow_null=True)
    created_at = serializers.DateTimeField(source="round.created_at")
    proposed_at = serializers.DateTimeField(source="round.proposed_at", allow_null=True)
    sent_at = serializers.DateTimeField(source="round.sent_at", allow_null=True)
    graduates = serializers.IntegerField()
    assigned = serializers.IntegerField(help_text="Graduates proposed for a posting.")
    places = serializers.IntegerField(help_text="Places of all the round's postings.")
    total_score = serializers.FloatField(help_text="The sum of the proposed pairs' scores.")
    postings = RoundPostingSerializer(many=True)
    proposals = ProposalSerializer(many=True, source="lines")


def id_field(**kwargs) -> serializers.IntegerField:
    """A row's id: a whole number the database's bigint holds (a larger one failed in the query, a 500)."""
    return serializers.IntegerField(min_value=1, max_value=2**63 - 1, **kwargs)


class PlacesSerializer(serializers.Serializer):
    posting = id_field()
    places = serializers.IntegerField(min_value=0, max_value=32767)  # PositiveSmallIntegerField


class PlacementRoundCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    graduates = serializers.ListField(
        child=id_field(), required=False, default=list, help_text="Users (ids) to include."
    )
    cohorts = serializers.PrimaryKeyRelatedField(
        queryset=Cohort.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text="Classes whose students who completed them join the round.",
    )
    unplaced = serializers.BooleanField(
        required=False, default=False, help_text="Include every graduate not yet placed."
    )
    postings = serializers.ListField(
        child=id_field(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Open postings (ids); every open posting when left out.",
    )
    capacities = PlacesSerializer(
        many=True, required=False, default=list, help_text="Places per posting; its openings left when not given."
    )
    min_score = serializers.FloatField(min_value=0, max_value=100, required=False, allow_null=True, default=None)

    def validate(self, data):
        if not (data["graduates"] or data["cohorts"] or data["unplaced"]):
            raise serializers.ValidationError(
                _("Pick graduates, one or more classes, or every graduate not yet placed."), code="no_graduates"
            )
        return data


class AdjustSerializer(serializers.Serializer):
    graduate = id_field(help_text="A graduate (user id) of the round.")
    posting = id_field(allow_null=True, help_text="One of the round's postings, or null for none.")


class UnpinSerializer(serializers.Serializer):
    graduate = id_field(help_text="A graduate (user id) of the round.")


class SentSerializer(serializers.Serializer):
    invited = serializers.IntegerField(help_text="Graduates invited and told now.")
    skipped = serializers.IntegerField(help_text="Left out: the posting closed or filled, or the graduate applied.")
    round = serializers.SerializerMethodField()

    @extend_schema_field(PlacementRoundDetailSerializer)
    def get_round(self, sent):
        return self.context["round"]


# --- Viewset ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="Placement rounds, the latest first"),
    retrieve=extend_schema(
        tags=TAGS,
        summary="One round: its totals, postings, and each graduate's proposal with the reasons",
        responses=PlacementRoundDetailSerializer,
    ),
    create=extend_schema(
        tags=TAGS,
        summary="Make a round of graduates and open postings, and propose it",
        request=PlacementRoundCreateSerializer,
        responses={201: PlacementRoundDetailSerializer, 400: RefusalSerializer},
    ),
)
class PlacementRoundViewSet(
    JobsApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = PlacementRoundSerializer
    permission_classes = [RunsPlacementRounds]
    queryset = PlacementRound.objects.none()  # for the schema; get_queryset() is what callers see

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return service.rounds_for_list()

    def detail_data(self, placement_round) -> dict:
        summary = service.round_summary(placement_round)
        summary.lines = service.proposal_lines(service.proposals_of(placement_round))
        return PlacementRoundDetailSerializer(summary, context={"request": self.request}).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self.detail_data(self.get_object()))

    def create(self, request, *args, **kwargs):
        data = self.validated(PlacementRoundCreateSerializer)
        graduates = set(data["graduates"])
        if data["cohorts"]:
            graduates |= set(service.graduates_of(data["cohorts"]).values_list("pk", flat=True))
        if data["unplaced"]:
            graduates |= set(service.unplaced_graduates().values_list("pk", flat=True))
        postings = data["postings"]
        if postings is None:
            postings = list(service.open_postings().values_list("pk", flat=True))
        placement_round = service.round_create(
            name=data["name"],
            graduates=graduates,
            postings=postings,
            capacities={entry["posting"]: entry["places"] for entry in data["capacities"]},
            min_score=data["min_score"],
            actor=request.user,
        )
        placement_round = service.round_propose(round=placement_round, actor=request.user)
        return Response(self.detail_data(placement_round), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="Propose again: the best total fit around staff's pinned choices",
        request=None,
        responses={200: PlacementRoundDetailSerializer, 400: RefusalSerializer},
    )
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        placement_round = service.round_propose(round=self.get_object(), actor=request.user)
        return Response(self.detail_data(placement_round))

    @extend_schema(
        tags=TAGS,
        summary="Place a graduate on one of the round's postings, or on none (pinned)",
        request=AdjustSerializer,
        responses={200: PlacementRoundDetailSerializer, 400: RefusalSerializer},
    )
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        placement_round = self.get_object()
        data = self.validated(AdjustSerializer)
        service.round_adjust(
            round=placement_round, graduate=data["graduate"], posting=data["posting"], actor=request.user
        )
        return Response(self.detail_data(placement_round))

    @extend_schema(
        tags=TAGS,
        summary="Let the next proposal decide for a graduate again",
        request=UnpinSerializer,
        responses={200: PlacementRoundDetailSerializer, 400: RefusalSerializer},
    )
    @action(detail=True, methods=["post"])
    def unpin(self, request, pk=None):
        placement_round = self.get_object()
        service.round_unpin(
            round=placement_round, graduate=self.validated(UnpinSerializer)["graduate"], actor=request.user
        )
        return Response(self.detail_data(placement_round))

    @extend_schema(
        tags=TAGS,
        summary="Invite each graduate to apply for the posting proposed for them (sending again sends nothing new)",
        request=None,
        responses={200: SentSerializer, 400: RefusalSerializer},
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        placement_round = self.get_object()
        sent = service.round_send(round=placement_round, actor=request.user)
        placement_round.refresh_from_db()
        return Response(SentSerializer(sent, context={"round": self.detail_data(placement_round)}).data)

    def validated(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
