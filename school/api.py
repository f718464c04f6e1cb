"""Read-only catalogue API: programs, courses (the same filters as the course index) and classes."""

import django_filters
from rest_framework import permissions, serializers, viewsets

from school.filters import CourseFilter
from school.models import Cohort, Course, Program
from school.selectors import catalogue_courses, upcoming_cohorts


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["slug", "name", "name_en", "description"]


class CourseSkillSerializer(serializers.Serializer):
    slug = serializers.CharField(source="skill.slug")
    name = serializers.CharField(source="skill.name")
    name_en = serializers.CharField(source="skill.name_en")
    level = serializers.IntegerField()


class CohortSerializer(serializers.ModelSerializer):
    course = serializers.CharField(source="course.code", read_only=True)
    seats_left = serializers.IntegerField(read_only=True)
    enrolment_open = serializers.BooleanField(source="is_enrolment_open", read_only=True)
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7), read_only=True)

    class Meta:
        model = Cohort
        fields = [
            "code",
            "course",
            "status",
            "start_date",
            "end_date",
            "weekdays",
            "class_starts",
            "class_ends",
            "time_of_week",
            "delivery",
            "location",
            "capacity",
            "seats_left",
            "enrolment_opens",
            "enrolment_closes",
            "enrolment_open",
        ]


class CourseSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    skills = CourseSkillSerializer(source="course_skills", many=True, read_only=True)
    next_start = serializers.DateField(read_only=True, allow_null=True)
    upcoming_cohorts = CohortSerializer(many=True, read_only=True)
    prerequisites = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "title_en",
            "program",
            "summary",
            "hours",
            "level",
            "fee",
            "subsidised",
            "min_attendance_percent",
            "pass_mark",
            "skills",
            "prerequisites",
            "next_start",
            "upcoming_cohorts",
        ]


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """The school's majors."""

    queryset = Program.objects.all()
    serializer_class = ProgramSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    pagination_class = None


class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    """Courses, filtered like the course index page: q (Chinese or pinyin), program, skill, schedule,
    start_month, delivery, fee_min, fee_max, subsidised, sort."""

    queryset = Course.objects.none()  # for the schema; the real one depends on today's date
    serializer_class = CourseSerializer
    filterset_class = CourseFilter
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"

    def get_queryset(self):
        return catalogue_courses().prefetch_related("prerequisites")


class CohortFilter(django_filters.FilterSet):
    course = django_filters.CharFilter(field_name="course__code", lookup_expr="iexact")
    program = django_filters.CharFilter(field_name="course__program__slug")

    class Meta:
        model = Cohort
        fields = ["status", "delivery", "time_of_week"]


class CohortViewSet(viewsets.ReadOnlyModelViewSet):
    """Classes that have not started yet, with the seats left."""

    queryset = Cohort.objects.none()  # for the schema; the real one depends on today's date
    serializer_class = CohortSerializer
    filterset_class = CohortFilter
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"

    def get_queryset(self):
        return upcoming_cohorts().select_related("course")
