"""Instructors' assessment pages (score grid, import, finalise). urlpatterns are included by school/urls.py.

Only the class's instructors and staff may open them: every view checks on the server."""

import csv
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from school.errors import ImportRowsError
from school.models import AssessmentItem, Cohort, Enrollment
from school.permissions import teaches
from school.services import assessment as services

Status = Enrollment.Status
IMPORT_EXTENSIONS = (".csv", ".xlsx")


def _cohort(request, code: str) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("course"), code__iexact=code)
    if not teaches(request.user, cohort):
        raise PermissionDenied
    return cohort


def _cell_name(enrollment_id: int, item_id: int) -> str:
    return f"score-{enrollment_id}-{item_id}"


def _read_grid(data, enrollments, items):
    """What was typed in each editable cell, the scores as numbers, and the cells that are not numbers."""
    typed, scores, errors = {}, {}, {}
    for enrollment in enrollments:
        if enrollment.status != Status.ENROLLED:
            continue
        for item in items:
            key = (enrollment.pk, item.pk)
            text = data.get(_cell_name(*key), "").strip()
            typed[key] = text
            if not text:
                scores[key] = None
                continue
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite():
                errors[key] = [_("Enter a number.")]
            else:
                scores[key] = value
    return typed, scores, errors


@login_required
@require_http_methods(["GET", "POST"])
def score_grid(request, code: str):
    cohort = _cohort(request, code)
    items = list(AssessmentItem.objects.filter(course_id=cohort.course_id))
    enrollments = list(
        services.roster(cohort)
        .filter(status__in=[Status.ENROLLED, Status.COMPLETED, Status.FAILED])
        .prefetch_related("scores")
    )
    values = {
        (enrollment.pk, score.item_id): services.plain(score.score)
        for enrollment in enrollments
        for score in enrollment.scores.all()
    }
    cell_errors: dict[tuple[int, int], list[str]] = {}
    errors: list[str] = []
    if request.method == "POST":
        typed, scores, cell_errors = _read_grid(request.POST, enrollments, items)
        # Show every problem at once: the service's checks run on the cells that are numbers.
        problems = services.score_problems(cohort=cohort, scores=scores)
        if not cell_errors and not problems:
            try:
                services.save_scores(cohort=cohort, scores=scores, actor=request.user)
            except ValidationError as error:
                problems = error.error_list
            else:
                missing = sum(1 for value in scores.values() if value is None)
                messages.success(request, _("Scores saved."))
                if missing:
                    messages.warning(
                        request,
                        ngettext(
                            "%(count)s score is still missing: the class cannot be finalised yet.",
                            "%(count)s scores are still missing: the class cannot be finalised yet.",
                            missing,
                        )
                        % {"count": missing},
                    )
                return redirect("school:assessment_scores", code=cohort.code)
        for problem in problems:
            key = (problem.params or {}).get("enrollment_id"), (problem.params or {}).get("item_id")
            message = problem.message % problem.params if problem.params else problem.message
            if key in typed:
                cell_errors.setdefault(key, []).append(message)
            else:
                errors.append(message)
        values.update(typed)
        if cell_errors and not errors:
            errors.append(_("Some scores need correcting: nothing has been saved."))
    editable = cohort.status not in (Cohort.Status.FINISHED, Cohort.Status.CANCELLED)
    rows = [
        {
            "name": services.student_name(enrollment),
            "enrollment": enrollment,
            "editable": editable and enrollment.status == Status.ENROLLED,
            "cells": [
                {
                    "item": item,
                    "name": _cell_name(enrollment.pk, item.pk),
                    "value": values.get((enrollment.pk, item.pk), ""),
                    "errors": cell_errors.get((enrollment.pk, item.pk), []),
                }
                for item in items
            ],
        }
        for enrollment in enrollments
    ]
    return render(
        request,
        "school/assessment_scores.html",
        {
            "cohort": cohort,
            "items": items,
            "rows": rows,
            "errors": errors,
            "editable": editable and any(row["editable"] for row in rows),
            "total_weight": sum(item.weight for item in items),
        },
        status=400 if errors else 200,
    )


class ScoreImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Scores file"),
        help_text=gettext_lazy("CSV or Excel (.xlsx), at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > services.MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."), code="too_big")
        if not uploaded.name.lower().endswith(IMPORT_EXTENSIONS):
            raise ValidationError(_("Choose a CSV or Excel (.xlsx) file."), code="extension")
        # The content is checked too, when the file is read: a renamed file is refused there.
        return uploaded


@login_required
@require_http_methods(["GET", "POST"])
def score_import(request, code: str):
    cohort = _cohort(request, code)
    row_errors: list[tuple[int, str]] = []
    form = ScoreImportForm(request.POST, request.FILES) if request.method == "POST" else ScoreImportForm()
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.import_scores(cohort=cohort, uploaded_file=form.cleaned_data["file"], actor=request.user)
        except ImportRowsError as error:
            row_errors = error.errors
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.success(
                request, ngettext("%(count)s score imported.", "%(count)s scores imported.", saved) % {"count": saved}
            )
            return redirect("school:assessment_scores", code=cohort.code)
    invalid = request.method == "POST" and (row_errors or form.errors)
    return render(
        request,
        "school/assessment_import.html",
        {
            "cohort": cohort,
            "form": form,
            "row_errors": row_errors,
            "items": AssessmentItem.objects.filter(course_id=cohort.course_id),
        },
        status=400 if invalid else 200,
    )


@login_required
@require_http_methods(["GET"])
def score_template(request, code: str):
    cohort = _cohort(request, code)
    # UTF-8 with a BOM: Excel then opens the Chinese names correctly.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="scores-{cohort.code}.csv"'
    response.write("\ufeff")
    csv.writer(response).writerows(services.score_template_rows(cohort=cohort))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def finalise(request, code: str):
    cohort = _cohort(request, code)
    errors: list[str] = []
    if request.method == "POST" and cohort.status != Cohort.Status.FINISHED:
        try:
            summary = services.finalise_cohort(cohort=cohort, actor=request.user, force=bool(request.POST.get("force")))
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("The class is finalised: %(completed)s completed, %(failed)s not completed.") % summary,
            )
            return redirect("school:assessment_finalise", code=cohort.code)
    elif request.method == "POST":
        return redirect("school:assessment_finalise", code=cohort.code)
    finished = cohort.status == Cohort.Status.FINISHED
    context = {"cohort": cohort, "errors": errors, "finished": finished}
    if finished:
        context["results"] = [
            {"name": services.student_name(enrollment), "enrollment": enrollment}
            for enrollment in services.roster(cohort).filter(status__in=[Status.COMPLETED, Status.FAILED])
        ]
    else:
        outcomes = services.cohort_outcomes(cohort=cohort)
        context["outcomes"] = outcomes
        context["missing"] = any(outcome.missing for outcome in outcomes)
        context["has_items"] = AssessmentItem.objects.filter(course_id=cohort.course_id).exists()
        context["can_finalise"] = cohort.status != Cohort.Status.CANCELLED and context["has_items"] and outcomes
    return render(request, "school/assessment_finalise.html", context, status=400 if errors else 200)


urlpatterns = [
    path("teach/classes/<str:code>/scores/", score_grid, name="assessment_scores"),
    path("teach/classes/<str:code>/scores/import/", score_import, name="assessment_score_import"),
    path("teach/classes/<str:code>/scores/template.csv", score_template, name="assessment_score_template"),
    path("teach/classes/<str:code>/finalise/", finalise, name="assessment_finalise"),
]
