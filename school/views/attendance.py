"""Instructors' pages: the teaching dashboard, a class's sessions, the phone-first attendance roster
and the students at risk. Every page checks on the server that the person teaches the class (or is
staff). urlpatterns are included by school/urls.py."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.roles import Role
from school.models import Attendance, ClassSession, Cohort, Enrollment
from school.permissions import cohorts_run_by, is_staff, teaches
from school.services import attendance as service

Status = Enrollment.Status
MARK_FIELD = "mark-"


class ExtraSessionForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=gettext_lazy("Starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=gettext_lazy("Ends"), widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("E.g. make-up class for the public holiday."),
    )


class CancelSessionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)


def _cohort_taught(request, code: str) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("course"), code__iexact=code)
    if not teaches(request.user, cohort):
        raise PermissionDenied
    return cohort


def _session_taught(request, code: str, session_id: int) -> ClassSession:
    cohort = _cohort_taught(request, code)
    session = get_object_or_404(ClassSession, pk=session_id, cohort=cohort)
    session.cohort = cohort  # already loaded, with its course
    return session


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _posted_marks(data) -> dict[int, str]:
    """Enrolment id → mark from radio buttons named mark-<enrolment id>; the service checks both."""
    marks = {}
    for key, value in data.items():
        if key.startswith(MARK_FIELD) and key[len(MARK_FIELD) :].isdigit() and value:
            marks[int(key[len(MARK_FIELD) :])] = value
    return marks


# --- Dashboard ------------------------------------------------------------------------------------


@login_required
def instructor_dashboard(request):
    user = request.user
    if not (is_staff(user) or user.has_role(Role.INSTRUCTOR)):
        raise PermissionDenied
    today = timezone.localdate()
    next_session = ClassSession.objects.filter(cohort=OuterRef("pk"), cancelled=False, date__gte=today).order_by(
        "date", "starts"
    )
    # Running classes first, then those about to start, then the rest.
    ended = Q(status__in=[Cohort.Status.FINISHED, Cohort.Status.CANCELLED]) | Q(end_date__lt=today)
    cohorts = list(
        cohorts_run_by(user)
        .select_related("course")
        .annotate(
            next_session_id=Subquery(next_session.values("pk")[:1]),
            next_session_date=Subquery(next_session.values("date")[:1]),
            next_session_starts=Subquery(next_session.values("starts")[:1]),
            order_group=Case(
                When(ended, then=Value(2)),
                When(status=Cohort.Status.RUNNING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("order_group", "start_date", "code")
    )
    active = [cohort for cohort in cohorts if cohort.order_group < 2]
    status_counts = (
        Enrollment.objects.filter(cohort__in=[cohort.pk for cohort in active])
        .values("cohort_id", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = {(row["cohort_id"], row["status"]): row["count"] for row in status_counts}
    at_risk = service.at_risk_counts(cohorts=active)
    for cohort in active:
        cohort.enrolled_count = counts.get((cohort.pk, Status.ENROLLED), 0)
        cohort.waitlisted_count = counts.get((cohort.pk, Status.WAITLISTED), 0)
        cohort.pending_count = counts.get((cohort.pk, Status.PENDING), 0)
        cohort.at_risk_count = at_risk.get(cohort.pk, 0)
    return render(
        request,
        "school/instructor_dashboard.html",
        {"active": active, "past": [cohort for cohort in cohorts if cohort.order_group == 2], "today": today},
    )


# --- Sessions -------------------------------------------------------------------------------------


@login_required
def session_list(request, code: str):
    cohort = _cohort_taught(request, code)
    form = ExtraSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = service.add_session(cohort=cohort, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Session added: %(date)s %(time)s.")
                % {"date": date_format(session.date), "time": session.starts.strftime("%H:%M")},
            )
            return redirect("school:attendance_sessions", code=cohort.code)
    # Explicit order: Meta.ordering is not applied to queries that aggregate.
    sessions = cohort.sessions.annotate(marked=Count("attendance")).order_by("date", "starts")
    roster_size = cohort.enrollments.filter(status__in=service.ROSTER_STATUSES).count()
    return render(
        request,
        "school/attendance_sessions.html",
        {
            "cohort": cohort,
            "sessions": sessions,
            "roster_size": roster_size,
            "form": form,
            "cancel_form": CancelSessionForm(),
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def session_generate(request, code: str):
    cohort = _cohort_taught(request, code)
    try:
        created = service.generate_sessions(cohort=cohort)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s session added from the weekly schedule.",
                "%(count)s sessions added from the weekly schedule.",
                created,
            )
            % {"count": created},
        )
    return redirect("school:attendance_sessions", code=cohort.code)


@login_required
@require_POST
def session_cancel(request, code: str, session_id: int):
    session = _session_taught(request, code, session_id)
    form = CancelSessionForm(request.POST)
    if form.is_valid():
        try:
            service.cancel_session(session=session, note=form.cleaned_data["note"], actor=request.user)
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(request, _("Session of %(date)s cancelled.") % {"date": date_format(session.date)})
    else:
        messages.error(request, _("The reason is too long."))
    return redirect("school:attendance_sessions", code=session.cohort.code)


# --- Roster ---------------------------------------------------------------------------------------


def _roster_context(session: ClassSession, marks: dict[int, str]) -> dict:
    students = [
        {"enrollment": enrollment, "mark": marks.get(enrollment.pk, "")}
        for enrollment in service.roster(session=session)
    ]
    today = timezone.localdate()
    return {
        "cohort": session.cohort,
        "session": session,
        "students": students,
        "marked": sum(1 for student in students if student["mark"]),
        "mark_choices": Attendance.Mark.choices,
        "can_mark": not session.cancelled and session.date <= today,
    }


@login_required
def roster(request, code: str, session_id: int):
    session = _session_taught(request, code, session_id)
    if request.method == "POST":
        marks = _posted_marks(request.POST)
        try:
            if "all_present" in request.POST:
                exceptions = {pk: mark for pk, mark in marks.items() if mark != Attendance.Mark.PRESENT}
                count = service.mark_all_present(session=session, actor=request.user, except_marks=exceptions)
                if exceptions:
                    message = _("%(count)s marked present; %(exceptions)s marked otherwise.") % {
                        "count": count,
                        "exceptions": len(exceptions),
                    }
                else:
                    message = ngettext(
                        "%(count)s student marked present.", "All %(count)s students marked present.", count
                    ) % {"count": count}
            else:
                service.mark_attendance(session=session, marks=marks, actor=request.user)
                message = _("Attendance saved.")
        except ValidationError as error:
            _show_errors(request, error)
            # Keep what was chosen so nothing has to be entered again.
            context = _roster_context(session, {**service.marks_for(session=session), **marks})
            return render(request, "school/attendance_roster.html", context, status=400)
        messages.success(request, message)
        return redirect("school:attendance_roster", code=session.cohort.code, session_id=session.pk)
    return render(
        request, "school/attendance_roster.html", _roster_context(session, service.marks_for(session=session))
    )


@login_required
@require_POST
def mark_one(request, code: str, session_id: int, enrollment_id: int):
    """One student's mark, saved in place by htmx when a radio button changes; without htmx it
    saves and goes back to the roster."""
    session = _session_taught(request, code, session_id)
    # A student who is not on this session's roster answers 404, as another class's session does.
    enrollment = get_object_or_404(service.roster(session=session), pk=enrollment_id)
    mark = request.POST.get(f"{MARK_FIELD}{enrollment_id}", "")
    error = ""
    try:
        service.mark_attendance(session=session, marks={enrollment_id: mark}, actor=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Attendance saved."))
        return redirect("school:attendance_roster", code=session.cohort.code, session_id=session.pk)
    current = Attendance.objects.filter(session=session, enrollment=enrollment).values_list("mark", flat=True)
    return render(
        request,
        "school/attendance_roster_student.html",
        {
            "cohort": session.cohort,
            "session": session,
            "student": {"enrollment": enrollment, "mark": next(iter(current), "")},
            "mark_choices": Attendance.Mark.choices,
            "can_mark": True,
            "saved": not error,
            "error": error,
        },
    )


# --- At risk --------------------------------------------------------------------------------------


@login_required
def at_risk(request, code: str):
    cohort = _cohort_taught(request, code)
    rows = service.attendance_summary(cohort=cohort)
    return render(
        request,
        "school/attendance_at_risk.html",
        {
            "cohort": cohort,
            "rows": rows,
            "at_risk": [row for row in rows if row.at_risk],
            "held": rows[0].held if rows else None,
            "remaining": rows[0].remaining if rows else None,
        },
    )


urlpatterns = [
    path("teach/", instructor_dashboard, name="instructor_dashboard"),
    path("teach/classes/<str:code>/sessions/", session_list, name="attendance_sessions"),
    path("teach/classes/<str:code>/sessions/generate/", session_generate, name="attendance_generate"),
    path("teach/classes/<str:code>/sessions/<int:session_id>/", roster, name="attendance_roster"),
    path("teach/classes/<str:code>/sessions/<int:session_id>/cancel/", session_cancel, name="attendance_cancel"),
    path(
        "teach/classes/<str:code>/sessions/<int:session_id>/students/<int:enrollment_id>/",
        mark_one,
        name="attendance_mark",
    ),
    path("teach/classes/<str:code>/at-risk/", at_risk, name="attendance_at_risk"),
]
