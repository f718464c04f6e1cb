"""Enrolment API for students (enrol, withdraw, my enrolments) and the teaching API for instructors (the
roster, sessions, attendance and scores of the classes they run).

Thin, like the pages: serializers check the shape of the input, the services decide. A refusal is a 400
with {"detail", "code"} in the caller's language (Accept-Language), plus `errors` (each problem, with the
cell it belongs to) or `fields` (input that is malformed). Objects are looked up only among those the
caller may see, so another person's enrolment or another instructor's class answers 404."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.encoding import smart_str
from django.utils.translation import gettext as _

from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler

from accounts.authentication import TokenAuthentication
from accounts.roles import Role
from school.api import CohortSerializer
from school.errors import EnrolmentError
from school.models import AssessmentItem, Attendance, ClassSession, Cohort, Enrollment
from school.permissions import cohorts_run_by, has_student_profile, is_staff, is_student
from school.services import assessment as assessment_services
from school.services import attendance as attendance_services
from school.services import enrolment as enrolment_services

Status = Enrollment.Status
# Who is on a class's roster for its instructors: everyone but those who left or were turned away.
ROSTER_STATUSES = (*Enrollment.ACTIVE, Status.COMPLETED, Status.FAILED)
STATUS_HELP = "The enrolment's status: " + ", ".join(Status.values) + "."


# --- Refusals ---------------------------------------------------------------------------------------


def _problems(error: DjangoValidationError) -> list[dict]:
    """Each message of a Django ValidationError, translated, with its code and, where the service says,
    the field or the (enrolment, item) cell it belongs to."""
    if hasattr(error, "error_dict"):
        located = [(field, item) for field, items in error.error_dict.items() for item in items]
    else:
        located = [(None, item) for item in error.error_list]
    problems = []
    for field, item in located:
        params = item.params or {}
        problem = {"message": str(item.message % params if params else item.message), "code": item.code or "invalid"}
        if field and field != NON_FIELD_ERRORS:
            problem["field"] = field
        if "enrollment_id" in params:
            problem["enrollment"] = params["enrollment_id"]
        if "item_id" in params:
            problem["item"] = params["item_id"]
        problems.append(problem)
    return problems


def _first_detail(detail):
    """The first ErrorDetail in DRF's nested {field: [ErrorDetail]} validation errors."""
    if isinstance(detail, dict):
        detail = next(iter(detail.values()), "")
    if isinstance(detail, list):
        detail = detail[0] if detail else ""
    return _first_detail(detail) if isinstance(detail, dict | list) else detail


def refusal_handler(exc, context):
    """DRF's exception handler, with the school's refusals as 400s of one shape."""
    if isinstance(exc, EnrolmentError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        problems = _problems(exc)
        return Response(
            {
                "detail": " ".join(problem["message"] for problem in problems),
                "code": problems[0]["code"],
                "errors": problems,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.ValidationError):
        first = _first_detail(exc.detail)
        return Response(
            {"detail": str(first), "code": getattr(first, "code", "invalid"), "fields": exc.detail},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return exception_handler(exc, context)


class ProblemSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False)
    enrollment = serializers.IntegerField(required=False, help_text="The enrolment (row) the problem is in.")
    item = serializers.IntegerField(required=False, help_text="The assessment item (column) the problem is in.")


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What is wrong, in the caller's language (Accept-Language).")
    code = serializers.CharField(help_text="A stable code, e.g. duplicate, window, closed, profile, invalid.")
    errors = ProblemSerializer(
        many=True, required=False, help_text="Each problem the school's rules found (for scores, with its cell)."
    )
    fields = serializers.DictField(required=False, help_text="Malformed input, by field.")


class StudentTokenAuthentication(TokenAuthentication):
    """An API token, with the user's roles and student profile read in the same query: enrolling checks both."""

    user_related = ("student_profile",)


set_override(StudentTokenAuthentication, "suppress_collision_warning", True)


class SchoolApiMixin:
    """Viewsets that refuse as {"detail", "code"} (refusal_handler), in the caller's language
    (baijia.middleware.ApiLanguageMiddleware). Signed in as by default (session, then API token), with the
    token's query also reading the user's roles, which every permission here checks."""

    authentication_classes = [SessionAuthentication, TokenAuthentication]

    def get_exception_handler(self):
        return refusal_handler


# --- Permissions ------------------------------------------------------------------------------------


class IsStudent(permissions.BasePermission):
    def has_permission(self, request, view):
        return is_student(request.user)


class RunsClasses(permissions.BasePermission):
    """Instructors, and staff, who may run any class."""

    def has_permission(self, request, view):
        user = request.user
        return user.is_authenticated and (is_staff(user) or user.has_role(Role.INSTRUCTOR))


# --- Students: enrolments ---------------------------------------------------------------------------


def with_waitlist_positions(enrollments):
    """Set `position` on each enrolment: its place on the waiting list (1, 2, 3 …), else None. One query."""
    enrollments = list(enrollments)
    waiting = {enrollment.cohort_id for enrollment in enrollments if enrollment.status == Status.WAITLISTED}
    positions = {}
    if waiting:
        positions = dict(Enrollment.objects.filter(cohort_id__in=waiting).waitlist().values_list("pk", "position"))
    for enrollment in enrollments:
        enrollment.position = positions.get(enrollment.pk)
    return enrollments


@extend_schema_field(OpenApiTypes.STR)
class CohortCodeField(serializers.Field):
    """A class by its code, in any letter case, read as enrol() reads it
    (enrolment_services.cohort_to_enrol_in). Refuses as SlugRelatedField does."""

    default_error_messages = serializers.SlugRelatedField.default_error_messages

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        cohort = enrolment_services.cohort_to_enrol_in(data.strip(), student=self.context["request"].user)
        if cohort is None:
            self.fail("does_not_exist", slug_name="code", value=smart_str(data))
        return cohort

    def to_representation(self, value):
        return value.code


class EnrolRequestSerializer(serializers.Serializer):
    cohort = CohortCodeField(help_text="The class's code.")
    referral_code = serializers.CharField(
        max_length=16, allow_blank=True, default="", help_text="Another student's referral code, if any."
    )


# DRF's formats (settings, time zone) for EnrolmentSerializer's written-out answer.
_DATE, _DATE_TIME = serializers.DateField(), serializers.DateTimeField()


# Fields declared, not read from the model: a ModelSerializer builds its fields anew for every response.
class EnrolmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    cohort = serializers.CharField(source="cohort.code", read_only=True)
    course_code = serializers.CharField(source="cohort.course.code", read_only=True)
    course_title = serializers.CharField(source="cohort.course.display_title", read_only=True)
    start_date = serializers.DateField(source="cohort.start_date", read_only=True)
    end_date = serializers.DateField(source="cohort.end_date", read_only=True)
    status = serializers.ChoiceField(
        choices=Status.choices, read_only=True, label=Enrollment._meta.get_field("status").verbose_name
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    waitlist_position = serializers.IntegerField(
        source="position", read_only=True, allow_null=True, help_text="1 is next in line; null unless waitlisted."
    )
    created_at = serializers.DateTimeField(read_only=True, label=Enrollment._meta.get_field("created_at").verbose_name)

    def to_representation(self, enrollment):
        # Written out: every enrolment request answers with one, and DRF's way (the fields copied for each
        # answer, then each read through its source) cost 0.3 ms of a 3.5 ms request. The fields above
        # stay for the schema; a test holds the two to the same values.
        cohort = enrollment.cohort
        return {
            "id": enrollment.pk,
            "cohort": cohort.code,
            "course_code": cohort.course.code,
            "course_title": str(cohort.course.display_title),
            "start_date": _DATE.to_representation(cohort.start_date),
            "end_date": _DATE.to_representation(cohort.end_date),
            "status": enrollment.status,
            "status_label": str(enrollment.get_status_display()),
            "waitlist_position": enrollment.position,
            "created_at": _DATE_TIME.to_representation(enrollment.created_at),
        }


@extend_schema_view(
    list=extend_schema(tags=["enrolment"], summary="My enrolments, newest first"),
    retrieve=extend_schema(tags=["enrolment"], summary="One of my enrolments"),
)
class EnrolmentViewSet(SchoolApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in student's enrolments. Another student's enrolment is not found (404)."""

    queryset = Enrollment.objects.none()  # for the schema; the real one is the caller's
    serializer_class = EnrolmentSerializer
    filter_backends = []
    authentication_classes = [SessionAuthentication, StudentTokenAuthentication]

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated(), IsStudent()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return (
            Enrollment.objects.filter(student=self.request.user)
            .select_related("cohort__course")
            .order_by("-created_at", "-pk")
        )

    def list(self, request, *args, **kwargs):
        enrollments = self.get_queryset()
        page = self.paginate_queryset(enrollments)
        if page is None:
            return Response(self.get_serializer(with_waitlist_positions(enrollments), many=True).data)
        return self.get_paginated_response(self.get_serializer(with_waitlist_positions(page), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(with_waitlist_positions([self.get_object()])[0]).data)

    @extend_schema(
        tags=["enrolment"],
        summary="Enrol in a class",
        description="A seat (enrolled, or pending where the course needs approval), or a place on the waiting "
        "list when the class is full. Students only, with a completed profile.",
        request=EnrolRequestSerializer,
        responses={201: EnrolmentSerializer, 400: RefusalSerializer},
    )
    def create(self, request):
        given = EnrolRequestSerializer(data=request.data, context={"request": request})
        given.is_valid(raise_exception=True)
        cohort = given.validated_data["cohort"]
        if not has_student_profile(request.user):
            return Response(
                {
                    "detail": _("Please complete your profile first: the school needs it to enrol you."),
                    "code": "profile",
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        enrollment = enrolment_services.enrol(
            student=request.user, cohort=cohort, referral_code=given.validated_data["referral_code"]
        )
        # enrol() gives it back with its class (and course) and its `position` on the waiting list.
        return Response(self.get_serializer(enrollment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["enrolment"],
        summary="Withdraw",
        description="Leave the class or its waiting list; a freed seat goes to the next in line.",
        request=None,
        responses={200: EnrolmentSerializer, 400: RefusalSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        enrollment = enrolment_services.withdraw(enrollment=self.get_object(), actor=request.user)
        return Response(self.get_serializer(with_waitlist_positions([enrollment])[0]).data)


# --- Instructors: the classes they run --------------------------------------------------------------


def masked_phone(phone: str) -> str:
    """13800138000 → 138****8000: enough to tell two students apart, not enough to call them."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"


class RosterEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The enrolment's id, as used for attendance and scores.")
    student_name = serializers.CharField()
    phone = serializers.CharField(help_text="Masked, e.g. 138****8000.")
    status = serializers.CharField(help_text=STATUS_HELP)
    status_label = serializers.CharField()
    waitlist_position = serializers.IntegerField(allow_null=True)
    attendance_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="In %, so far; null before anything counts."
    )
    at_risk = serializers.BooleanField(help_text="Below the course's minimum attendance, or unable to reach it.")
    risk_reason = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class ClassSessionSerializer(serializers.ModelSerializer):
    marked = serializers.IntegerField(read_only=True, help_text="How many students have a mark.")

    class Meta:
        model = ClassSession
        fields = ["id", "date", "starts", "ends", "cancelled", "note", "marked"]
        read_only_fields = fields


class SessionMarkSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    student_name = serializers.CharField()
    mark = serializers.ChoiceField(choices=Attendance.Mark.choices, allow_null=True)


class SessionAttendanceSerializer(serializers.Serializer):
    session = ClassSessionSerializer()
    marks = SessionMarkSerializer(many=True)


class MarkAttendanceSerializer(serializers.Serializer):
    marks = serializers.DictField(
        child=serializers.CharField(),
        default=dict,
        help_text='Enrolment id → "present", "late", "absent" or "excused".',
    )
    all_present = serializers.BooleanField(
        default=False, help_text="Mark everyone else on the roster present (those in `marks` get their mark)."
    )

    def validate_marks(self, marks):
        if not all(str(key).isdigit() for key in marks):
            raise serializers.ValidationError(_("Enter a whole number."), code="enrollment")
        return {int(key): mark for key, mark in marks.items()}


class AssessmentItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssessmentItem
        fields = ["id", "name", "weight", "max_score"]
        read_only_fields = fields


class ScoreRowSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    student_name = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    editable = serializers.BooleanField()
    scores = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True),
        help_text="Assessment item id → score (null: none yet).",
    )


class ScoreGridSerializer(serializers.Serializer):
    items = AssessmentItemSerializer(many=True)
    rows = ScoreRowSerializer(many=True)
    editable = serializers.BooleanField()


class ScoreRowWriteSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    scores = serializers.DictField(
        # No limits here: the service checks each value (0 to full marks, one decimal) and says which is wrong.
        child=serializers.DecimalField(max_digits=None, decimal_places=None, allow_null=True),
        help_text="Assessment item id → score; null clears it. Items left out are left as they are.",
    )

    def validate_scores(self, scores):
        if not all(str(key).isdigit() for key in scores):
            raise serializers.ValidationError(_("Enter a whole number."), code="item")
        return {int(key): value for key, value in scores.items()}


class ScoreGridWriteSerializer(serializers.Serializer):
    rows = ScoreRowWriteSerializer(many=True, allow_empty=False)


SESSION_ID = OpenApiParameter("session_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The session's id.")


@extend_schema_view(
    list=extend_schema(tags=["teaching"], summary="The classes I run (staff: every class)"),
    retrieve=extend_schema(tags=["teaching"], summary="One class I run"),
)
class TeachingCohortViewSet(SchoolApiMixin, viewsets.ReadOnlyModelViewSet):
    """The classes the signed-in instructor runs (staff run every class). Another instructor's class is
    not found (404); people who neither teach nor are staff are refused (403)."""

    queryset = Cohort.objects.none()  # for the schema; the real one is the caller's
    serializer_class = CohortSerializer
    permission_classes = [permissions.IsAuthenticated, RunsClasses]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    filter_backends = []

    def get_queryset(self):
        return cohorts_run_by(self.request.user).select_related("course").order_by("start_date", "code")

    def get_object(self):
        cohort = get_object_or_404(self.get_queryset(), code__iexact=self.kwargs["code"])
        self.check_object_permissions(self.request, cohort)
        return cohort

    def _session(self, cohort: Cohort, session_id) -> ClassSession:
        session = get_object_or_404(ClassSession, pk=session_id, cohort=cohort)
        session.cohort = cohort
        return session

    # Roster

    @extend_schema(tags=["teaching"], summary="The class's students", responses=RosterEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def roster(self, request, code=None):
        """Everyone enrolled, awaiting approval, waiting or finished, in enrolment order, with attendance so far."""
        cohort = self.get_object()
        enrollments = with_waitlist_positions(
            Enrollment.objects.filter(cohort=cohort, status__in=ROSTER_STATUSES)
            .select_related("student__student_profile")
            .order_by("created_at", "pk")
        )
        attendance = {row.enrollment.pk: row for row in attendance_services.attendance_summary(cohort=cohort)}
        rows = []
        for enrollment in enrollments:
            summary = attendance.get(enrollment.pk)
            rows.append(
                {
                    "id": enrollment.pk,
                    "student_name": assessment_services.student_name(enrollment),
                    "phone": masked_phone(enrollment.student.phone),
                    "status": enrollment.status,
                    "status_label": enrollment.get_status_display(),
                    "waitlist_position": enrollment.position,
                    "attendance_rate": summary.rate if summary else None,
                    "at_risk": bool(summary and summary.at_risk),
                    "risk_reason": summary.reason if summary else "",
                    "created_at": enrollment.created_at,
                }
            )
        return Response(RosterEntrySerializer(rows, many=True).data)

    # Sessions and attendance

    @extend_schema(
        tags=["teaching"],
        summary="The class's sessions",
        description="Every session, cancelled ones included, by date, with how many students have a mark.",
        responses=ClassSessionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def sessions(self, request, code=None):
        cohort = self.get_object()
        sessions = (
            ClassSession.objects.filter(cohort=cohort).annotate(marked=Count("attendance")).order_by("date", "starts")
        )
        return Response(ClassSessionSerializer(sessions, many=True).data)

    def _attendance(self, session: ClassSession) -> dict:
        marks = attendance_services.marks_for(session=session)
        session.marked = len(marks)
        return {
            "session": session,
            "marks": [
                {
                    "enrollment": enrollment.pk,
                    "student_name": assessment_services.student_name(enrollment),
                    "mark": marks.get(enrollment.pk),
                }
                for enrollment in attendance_services.roster(session=session).select_related("student__student_profile")
            ],
        }

    @extend_schema(
        methods=["GET"],
        tags=["teaching"],
        summary="A session's roster and marks",
        description="The students whose attendance is taken at this session, each with their mark so far.",
        parameters=[SESSION_ID],
        responses=SessionAttendanceSerializer,
    )
    @extend_schema(
        methods=["POST"],
        tags=["teaching"],
        summary="Take attendance",
        description="All or nothing: an unknown mark, or a student not on the roster, and nothing is saved. "
        "Refuses cancelled sessions and sessions after today.",
        parameters=[SESSION_ID],
        request=MarkAttendanceSerializer,
        responses={200: SessionAttendanceSerializer, 400: RefusalSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path=r"sessions/(?P<session_id>[0-9]+)/attendance")
    def attendance(self, request, code=None, session_id=None):
        session = self._session(self.get_object(), session_id)
        if request.method == "POST":
            given = MarkAttendanceSerializer(data=request.data)
            given.is_valid(raise_exception=True)
            marks = given.validated_data["marks"]
            if given.validated_data["all_present"]:
                attendance_services.mark_all_present(session=session, actor=request.user, except_marks=marks)
            else:
                attendance_services.mark_attendance(session=session, marks=marks, actor=request.user)
        return Response(SessionAttendanceSerializer(self._attendance(session)).data)

    # Scores

    def _grid(self, cohort: Cohort) -> dict:
        items = list(AssessmentItem.objects.filter(course_id=cohort.course_id))
        enrollments = (
            assessment_services.roster(cohort)
            .filter(status__in=[Status.ENROLLED, Status.COMPLETED, Status.FAILED])
            .prefetch_related("scores")
            .order_by("created_at", "pk")
        )
        editable = cohort.status not in (Cohort.Status.FINISHED, Cohort.Status.CANCELLED)
        rows = []
        for enrollment in enrollments:
            given = {score.item_id: score.score for score in enrollment.scores.all()}
            rows.append(
                {
                    "enrollment": enrollment.pk,
                    "student_name": assessment_services.student_name(enrollment),
                    "status": enrollment.status,
                    "editable": editable and enrollment.status == Status.ENROLLED,
                    "scores": {str(item.pk): given.get(item.pk) for item in items},
                }
            )
        return {"items": items, "rows": rows, "editable": editable and any(row["editable"] for row in rows)}

    @extend_schema(
        methods=["GET"],
        tags=["teaching"],
        summary="The score grid",
        description="The course's assessment items, and a row of scores for each student enrolled or finished.",
        responses=ScoreGridSerializer,
    )
    @extend_schema(
        methods=["PUT"],
        tags=["teaching"],
        summary="Save scores",
        description="The grid's rows, with the scores to save (null clears one). Every value is checked first: "
        "if any is wrong, `errors` lists each problem with its enrolment and item, and nothing is saved.",
        request=ScoreGridWriteSerializer,
        responses={200: ScoreGridSerializer, 400: RefusalSerializer},
    )
    @action(detail=True, methods=["get", "put"], pagination_class=None)
    def scores(self, request, code=None):
        cohort = self.get_object()
        if request.method == "PUT":
            given = ScoreGridWriteSerializer(data=request.data)
            given.is_valid(raise_exception=True)
            scores = {
                (row["enrollment"], item_id): value
                for row in given.validated_data["rows"]
                for item_id, value in row["scores"].items()
            }
            assessment_services.save_scores(cohort=cohort, scores=scores, actor=request.user)
        return Response(ScoreGridSerializer(self._grid(cohort)).data)
