"""Outcome measures through the API, for school staff (the same check as placement rounds): the headline
figures for a period, program or course, optionally one row per program, course, class, instructor, month
or quarter, and hires per merchant. Thin: jobs.outcomes.measures computes every figure in the database;
here the query is checked and the figures are shaped. A refusal is a 400 {"detail", "code", "fields"}."""

import datetime

from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response

from jobs.api_pipeline import JobsApiMixin
from jobs.outcomes import may_see_outcomes
from jobs.outcomes.measures import GROUPS, MEASURES, Filters, headline, hires_per_merchant, outcome_table
from school.api_enrolment import RefusalSerializer
from school.models import Course, Program

TAGS = ["jobs: staff"]
KINDS = [("count", "count"), ("rate", "rate"), ("money", "money"), ("days", "days")]


class ReadsOutcomes(permissions.BasePermission):
    message = _("Outcome reports are for school staff.")

    def has_permission(self, request, view):
        return may_see_outcomes(request.user)


# --- Query -----------------------------------------------------------------------------------------


class OutcomeQuerySerializer(serializers.Serializer):
    """Which enrolments count: those whose class's last day falls between `start` and `end`."""

    start = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD) of classes' last days counted.")
    end = serializers.DateField(required=False, help_text="Last day (YYYY-MM-DD) of classes' last days counted.")
    program = serializers.SlugField(required=False, help_text="A program's slug: only its courses.")
    course = serializers.CharField(required=False, max_length=30, help_text="A course's code: only its classes.")

    def validate_program(self, slug):
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise serializers.ValidationError(_("There is no program “%(slug)s”.") % {"slug": slug}, code="unknown")
        return program

    def validate_course(self, code):
        course = Course.objects.filter(code=code).first()
        if course is None:
            raise serializers.ValidationError(_("There is no course “%(code)s”.") % {"code": code}, code="unknown")
        return course

    def validate(self, data):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise serializers.ValidationError(
                {"end": [_("The end of the period comes before its start.")]}, code="period"
            )
        return data

    def filters(self) -> Filters:
        data = self.validated_data
        return Filters(
            start=data.get("start"), end=data.get("end"), program=data.get("program"), course=data.get("course")
        )


class OutcomeTableQuerySerializer(OutcomeQuerySerializer):
    group_by = serializers.ChoiceField(
        choices=GROUPS,
        required=False,
        help_text="One row per program, course, class (cohort), instructor, month or quarter.",
        # DRF fills in {input} when it refuses.
        error_messages={
            "invalid_choice": _(
                "“{input}” is not a grouping: group rows by program, course, cohort, instructor, month or quarter."
            )
        },
    )


# --- Serializers -----------------------------------------------------------------------------------


class OutcomeValueSerializer(serializers.Serializer):
    value = serializers.FloatField(
        allow_null=True,
        help_text="The figure: a count, a rate from 0 to 1, CNY a month, or days; null when nothing to measure.",
    )
    numerator = serializers.IntegerField(
        allow_null=True, help_text="Enrolments counted in the figure (counts and rates)."
    )
    denominator = serializers.IntegerField(
        allow_null=True, help_text="Enrolments it is a share of (rates), or the number of values a median is of."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if isinstance(instance.value, int):
            data["value"] = instance.value  # a count stays an integer
        return data


# One field per measure, so the schema names each figure the API returns.
OutcomeValuesSerializer = type(
    "OutcomeValuesSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "Each measure's figure, by the measure's key.",
        **{measure.key: OutcomeValueSerializer(help_text=str(measure.definition)) for measure in MEASURES},
    },
)


class MeasureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(help_text="In the caller's language (Accept-Language).")
    definition = serializers.CharField(help_text="What the figure counts, in the caller's language.")
    kind = serializers.ChoiceField(choices=KINDS, help_text="count, rate (0–1), money (CNY a month) or days.")


class OutcomeRowSerializer(serializers.Serializer):
    key = serializers.SerializerMethodField(
        help_text="The program's, course's, class's or instructor's id, or the period's first day (YYYY-MM-DD)."
    )
    label = serializers.CharField(help_text="The program, course, class code, instructor, or 2025-03 / 2025 Q1.")
    values = OutcomeValuesSerializer()

    def get_key(self, row) -> str:
        key = row.key
        if isinstance(key, datetime.datetime):
            key = key.date()
        return key.isoformat() if isinstance(key, datetime.date) else str(key)


class AppliedFiltersSerializer(serializers.Serializer):
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    program = serializers.CharField(allow_null=True, help_text="The program's slug.")
    course = serializers.CharField(allow_null=True, help_text="The course's code.")


class OutcomeTableFiltersSerializer(AppliedFiltersSerializer):
    group_by = serializers.ChoiceField(choices=GROUPS, allow_null=True)


class OutcomesSerializer(serializers.Serializer):
    filters = OutcomeTableFiltersSerializer()
    measures = MeasureSerializer(many=True)
    headline = OutcomeValuesSerializer(help_text="The figures for every enrolment the filters pick.")
    rows = OutcomeRowSerializer(many=True, required=False, help_text="Only when `group_by` is given, in order.")


class MerchantHiresSerializer(serializers.Serializer):
    merchant = serializers.IntegerField(source="merchant.pk")
    name = serializers.CharField(source="merchant.name")
    hires = serializers.IntegerField()


class MerchantOutcomesSerializer(serializers.Serializer):
    filters = AppliedFiltersSerializer()
    merchants = MerchantHiresSerializer(
        many=True,
        help_text="Jobs the filtered students found through the school after their class began (from `start`), "
        "most hires first.",
    )


def _applied(data: dict) -> dict:
    return {
        "start": data.get("start"),
        "end": data.get("end"),
        "program": data["program"].slug if data.get("program") else None,
        "course": data["course"].code if data.get("course") else None,
    }


# --- Views -----------------------------------------------------------------------------------------


class OutcomesApiView(JobsApiMixin, generics.GenericAPIView):
    permission_classes = [ReadsOutcomes]
    pagination_class = None
    filter_backends = []

    def query(self, serializer_class):
        query = serializer_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query


class OutcomesView(OutcomesApiView):
    """The outcome measures as the staff dashboard shows them."""

    serializer_class = OutcomesSerializer

    @extend_schema(
        tags=TAGS,
        summary="Outcome measures: the headline figures, and one row per group when `group_by` is given",
        parameters=[OutcomeTableQuerySerializer],
        responses={200: OutcomesSerializer, 400: RefusalSerializer},
    )
    def get(self, request):
        query = self.query(OutcomeTableQuerySerializer)
        filters, group_by = query.filters(), query.validated_data.get("group_by")
        data = {
            "filters": {**_applied(query.validated_data), "group_by": group_by},
            "measures": MEASURES,
            "headline": headline(filters).values,
        }
        if group_by:
            data["rows"] = outcome_table(filters, group_by)
        return Response(OutcomesSerializer(data).data)


class MerchantOutcomesView(OutcomesApiView):
    """Where the school's students found work."""

    serializer_class = MerchantOutcomesSerializer

    @extend_schema(
        tags=TAGS,
        summary="Hires per merchant of the students the filters pick, most first",
        parameters=[OutcomeQuerySerializer],
        responses={200: MerchantOutcomesSerializer, 400: RefusalSerializer},
    )
    def get(self, request):
        query = self.query(OutcomeQuerySerializer)
        data = {
            "filters": _applied(query.validated_data),
            "merchants": [
                {"merchant": merchant, "hires": hires} for merchant, hires in hires_per_merchant(query.filters())
            ],
        }
        return Response(MerchantOutcomesSerializer(data).data)
