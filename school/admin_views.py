"""Back-office pages for enrolments: the list (a Wagtail viewset), one enrolment with its history and
the actions staff take (approve, reject, move, withdraw), cancelling a class, and referrals."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet

import django_filters

from school.errors import EnrolmentError
from school.models import Cohort, Course, Enrollment
from school.permissions import is_staff
from school.services import enrolment as service
from school.viewsets import SchoolIndexView, label


def require_staff(request):
    if not is_staff(request.user):
        raise PermissionDenied


class EnrollmentFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("status"), choices=Enrollment.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    course = django_filters.ModelChoiceFilter(
        label=gettext_lazy("course"), field_name="cohort__course", queryset=Course.objects.all()
    )
    cohort = django_filters.ModelChoiceFilter(label=gettext_lazy("class"), queryset=Cohort.objects.all())
    referred = django_filters.BooleanFilter(
        label=gettext_lazy("Came through a referral"), field_name="referred_by", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Enrollment
        fields = ["status", "course", "cohort", "referred"]


class EnrollmentViewSet(ModelViewSet):
    model = Enrollment
    name = "school_enrolments"
    url_prefix = "school/enrolments"
    icon = "group"
    menu_label = gettext_lazy("Enrolments")
    add_to_admin_menu = True
    menu_order = 210
    index_view_class = SchoolIndexView
    search_backend_name = None
    search_fields = ["student__display_name", "student__phone", "cohort__code", "cohort__course__title"]
    filterset_class = EnrollmentFilterSet
    list_display = [
        TitleColumn(
            "student",
            label=label(Enrollment, "student"),
            accessor=lambda e: e.student.display_name,
            get_url=lambda e: reverse("school_enrolment_manage", args=[e.pk]),
        ),
        Column("phone", label=gettext_lazy("Mobile number"), accessor=lambda e: e.student.phone),
        "cohort",
        "status",
        Column("referred_by", label=label(Enrollment, "referred_by"), accessor=lambda e: e.referred_by or ""),
        "created_at",
    ]
    list_export = [
        "student.display_name",
        "student.phone",
        "cohort.code",
        "cohort.course.title",
        "get_status_display",
        "referrer_name",
        "final_score",
        "attendance_rate",
        "created_at",
    ]
    export_headings = {
        "student.display_name": label(Enrollment, "student"),
        "student.phone": gettext_lazy("Mobile number"),
        "cohort.code": label(Enrollment, "cohort"),
        "cohort.course.title": gettext_lazy("Course"),
        "get_status_display": label(Enrollment, "status"),
        "referrer_name": label(Enrollment, "referred_by"),
    }
    export_filename = "enrolments"
    ordering = ["-created_at"]
    form_fields = ["status"]  # never used to edit: changes go through the actions on the manage page

    def get_index_view_kwargs(self, **kwargs):
        queryset = Enrollment.objects.select_related("student", "cohort__course", "referred_by")
        return super().get_index_view_kwargs(queryset=queryset, **kwargs)


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason (the student sees it)"), max_length=300, required=False)


class MoveForm(forms.Form):
    to_cohort = forms.ModelChoiceField(label=gettext_lazy("Move to class"), queryset=Cohort.objects.none())

    def __init__(self, *args, enrollment: Enrollment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_cohort"].queryset = (
            Cohort.objects.filter(course_id=enrollment.cohort.course_id)
            .exclude(pk=enrollment.cohort_id)
            .filter(status__in=[Cohort.Status.PLANNED, Cohort.Status.OPEN, Cohort.Status.FULL])
        )


class CancelCohortForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason (every student is told)"), max_length=300)


def manage_enrollment(request, pk: int):
    require_staff(request)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("student__student_profile", "cohort__course", "referred_by"), pk=pk
    )
    reject_form = RejectForm(request.POST or None, prefix="reject")
    move_form = MoveForm(request.POST or None, prefix="move", enrollment=enrollment)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                service.approve(enrollment=enrollment, actor=request.user)
            elif action == "reject" and reject_form.is_valid():
                service.reject(enrollment=enrollment, actor=request.user, reason=reject_form.cleaned_data["reason"])
            elif action == "withdraw":
                service.withdraw(enrollment=enrollment, actor=request.user)
            elif action == "move" and move_form.is_valid():
                enrollment = service.move(
                    enrollment=enrollment, to_cohort=move_form.cleaned_data["to_cohort"], actor=request.user
                )
            else:
                raise EnrolmentError(_("Please correct the form below."), code="invalid")
        except EnrolmentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved. The student has been told."))
            return redirect("school_enrolment_manage", enrollment.pk)
    return TemplateResponse(
        request,
        "school/admin/enrollment_manage.html",
        {
            "enrollment": enrollment,
            "events": enrollment.events.select_related("actor"),
            "reject_form": reject_form,
            "move_form": move_form,
            "header_title": str(enrollment),
        },
    )


def cancel_cohort(request, pk: int):
    require_staff(request)
    cohort = get_object_or_404(Cohort.objects.select_related("course"), pk=pk)
    form = CancelCohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            told = service.cancel_cohort(cohort=cohort, actor=request.user, reason=form.cleaned_data["reason"])
        except EnrolmentError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Class %(code)s cancelled; %(count)s students told.") % {"code": cohort.code, "count": told}
            )
            return redirect("school_cohorts:index")
    affected = cohort.enrollments.active().count()
    return TemplateResponse(
        request, "school/admin/cohort_cancel.html", {"cohort": cohort, "form": form, "affected": affected}
    )


def referrals(request):
    """The "share and benefit" programme: who brought whom, per student and per course."""
    require_staff(request)
    referred = Enrollment.objects.filter(referred_by__isnull=False)
    by_student = (
        referred.values("referred_by__display_name", "referred_by__phone")
        .annotate(
            total=Count("pk"),
            enrolled=Count("pk", filter=Q(status__in=[*Enrollment.SEAT_HOLDING, Enrollment.Status.COMPLETED])),
        )
        .order_by("-total", "referred_by__display_name")
    )
    by_course = (
        referred.values("cohort__course__code", "cohort__course__title")
        .annotate(total=Count("pk"), referrers=Count("referred_by", distinct=True))
        .order_by("-total", "cohort__course__code")
    )
    return TemplateResponse(request, "school/admin/referrals.html", {"by_student": by_student, "by_course": by_course})


urlpatterns = [
    path("school/enrolments/<int:pk>/manage/", manage_enrollment, name="school_enrolment_manage"),
    path("school/cohorts/<int:pk>/cancel/", cancel_cohort, name="school_cohort_cancel"),
    path("school/referrals/", referrals, name="school_referrals"),
]
