"""Back office: outcome reports (issue #8). Headline figures with their definitions, trends by month and
programs compared (server-drawn SVG charts, each with its data table), a table per program and per course,
hires per merchant; every figure leads to the students behind it, and every table exports to CSV and
XLSX. Under the "Reports" menu (jobs/wagtail_hooks.py); school staff only, checked in each view. The
figures come from jobs.outcomes.measures and nowhere else."""

import calendar
import csv
import datetime
import io
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.menu import MenuItem

from jobs.outcomes import charts, may_see_outcomes
from jobs.outcomes.measures import MEASURES, Filters, headline, hires_per_merchant, outcome_table, students_behind
from school.filters import FilterForm
from school.models import Cohort, Course, Program

PER_PAGE = 50
MEASURE_BY_KEY = {measure.key: measure for measure in MEASURES}
PARTS = ("numerator", "denominator")
TREND = ("enrolments", "completion_rate", "placement_90_rate")
COMPARED = ("completion_rate", "certification_rate", "placement_90_rate", "placement_180_rate")
# The tables a page shows or exports; the grouped ones narrow the filters by the row's key.
GROUPED = ("program", "course", "cohort", "instructor", "month")
TABLES = ("headline", *GROUPED, "merchants")
GROUP_HEADINGS = {
    "program": gettext_lazy("Program"),
    "course": gettext_lazy("Course"),
    "cohort": gettext_lazy("Class"),
    "instructor": gettext_lazy("Instructor"),
    "month": gettext_lazy("Month"),
}
FILTER_FIELDS = ("start", "end", "program", "course", "cohort", "instructor")
NO_GROUP = {"course": None, "cohort": None, "instructor": None}


def _require(request) -> None:
    if not may_see_outcomes(request.user):
        raise PermissionDenied


def last_twelve_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """From the first day of the month eleven months back to today: twelve calendar months in the trend."""
    year, month = divmod(today.year * 12 + today.month - 1 - 11, 12)
    return datetime.date(year, month + 1, 1), today


class OutcomeFilterForm(FilterForm):
    start = forms.DateField(
        label=gettext_lazy("Classes ending from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"),
        queryset=Program.objects.order_by("sort_order", "name"),
        required=False,
        empty_label=gettext_lazy("All programs"),
    )
    # Set by a row's links (a course's, a class's, an instructor's figures), not shown on the dashboard.
    course = forms.ModelChoiceField(queryset=Course.objects.all(), required=False, widget=forms.HiddenInput)
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.all(), required=False, widget=forms.HiddenInput)
    instructor = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(cohorts_taught__isnull=False).distinct(),
        required=False,
        widget=forms.HiddenInput,
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period is before its start."))
        return cleaned

    def filters(self) -> Filters:
        return Filters(**{name: self.cleaned_data.get(name) for name in FILTER_FIELDS})

    def query(self, **narrower) -> dict:
        """The filters as a query string's parameters (empty dates kept: they mean "no limit")."""
        params = {}
        for name in FILTER_FIELDS:
            value = narrower[name] if name in narrower else self.cleaned_data.get(name)
            if isinstance(value, datetime.date):
                params[name] = value.isoformat()
            elif value is not None and value != "":
                params[name] = value.pk if hasattr(value, "pk") else value
            elif name in ("start", "end"):
                params[name] = ""
        return params


def filter_form(request) -> OutcomeFilterForm:
    data = request.GET.copy()
    if "start" not in data and "end" not in data:
        start, end = last_twelve_months(timezone.localdate())
        data["start"], data["end"] = start.isoformat(), end.isoformat()
    form = OutcomeFilterForm(data)
    form.is_valid()
    return form


# --- Figures as the page shows them ----------------------------------------------------------------


def _narrower(form: OutcomeFilterForm, group_by: str, key) -> dict:
    """The filters for one row of a table grouped by `group_by`: its program, course … or month."""
    if group_by == "month":
        first = key.date() if isinstance(key, datetime.datetime) else key
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
        return {"start": max(first, start) if start else first, "end": min(last, end) if end else last}
    return {group_by: key}


def _students_url(measure_key: str, part: str, query: dict) -> str:
    return f"{reverse('jobs_outcomes_students')}?{urlencode({'measure': measure_key, 'part': part, **query})}"


def _cell(measure, value, query: dict) -> dict:
    """One figure: as shown, with its numerator and denominator and the links to the students behind them."""
    return {
        "measure": measure,
        "text": charts.formatted(measure.kind, value.value),
        "numerator": value.numerator,
        "denominator": value.denominator,
        "url": _students_url(measure.key, "numerator", query) if value.numerator is not None else None,
        "denominator_url": _students_url(measure.key, "denominator", query) if value.denominator is not None else None,
    }


def _table(form: OutcomeFilterForm, rows, group_by: str, keys) -> list[dict]:
    measures = [MEASURE_BY_KEY[key] for key in keys]
    table = []
    for row in rows:
        query = form.query(**_narrower(form, group_by, row.key))
        table.append({"label": row.label, "cells": [_cell(m, row.values[m.key], query) for m in measures]})
    return table


def dashboard(request):
    """The outcomes of the classes that ended in the period (the last twelve months unless chosen)."""
    _require(request)
    form = filter_form(request)
    if request.GET.get("format"):
        return export(request, form)
    context = {"filter_form": form, "measures": MEASURES, "trend_measures": [MEASURE_BY_KEY[k] for k in TREND]}
    if form.is_valid():
        filters = form.filters()
        months = outcome_table(filters, "month")
        programs = outcome_table(filters, "program")
        courses = outcome_table(filters, "course")
        figures = headline(filters)
        query = form.query()
        context.update(
            {
                "headline": [_cell(m, figures.values[m.key], query) for m in MEASURES],
                "enrolment_chart": charts.enrolment_trend_chart(months),
                "rate_chart": charts.rate_trend_chart(months),
                "trend": _table(form, months, "month", TREND),
                "comparison_chart": charts.comparison_chart(programs),
                "comparison_measures": [MEASURE_BY_KEY[k] for k in COMPARED],
                "comparison": _table(form, programs, "program", COMPARED),
                "programs": _table(form, programs, "program", [m.key for m in MEASURES]),
                "courses": _table(form, courses, "course", [m.key for m in MEASURES]),
                "merchants": hires_per_merchant(filters),
                "exports": [
                    (
                        table,
                        f"?{urlencode({**query, 'format': 'csv', 'table': table})}",
                        f"?{urlencode({**query, 'format': 'xlsx', 'table': table})}",
                    )
                    for table in TABLES
                ],
                "export_names": dict(zip(TABLES, _table_names(), strict=True)),
            }
        )
    return TemplateResponse(request, "jobs/admin/outcomes_dashboard.html", context)


def _table_names():
    return [
        _("Headline figures"),
        _("By program"),
        _("By course"),
        _("By class"),
        _("By instructor"),
        _("By month"),
        _("Hires per merchant"),
    ]


def students(request):
    """The students behind one figure: those counted (numerator) or those it is out of (denominator)."""
    _require(request)
    measure = MEASURE_BY_KEY.get(request.GET.get("measure", ""))
    part = request.GET.get("part", "numerator")
    if measure is None or part not in PARTS:
        raise Http404
    form = filter_form(request)
    context = {
        "filter_form": form,
        "measure": measure,
        "part": part,
        "keep": [("measure", measure.key), ("part", part)],
        "listed": form.is_valid(),
    }
    if form.is_valid():
        paginator = Paginator(students_behind(measure.key, form.filters(), part=part), PER_PAGE)
        page = paginator.get_page(request.GET.get("p"))
        context.update(
            {
                "items": page,
                "enrolments": page.object_list,
                "elided_page_range": paginator.get_elided_page_range(page.number),
                "dashboard_url": f"{reverse('jobs_outcomes')}?{urlencode(form.query(**NO_GROUP))}",
            }
        )
    return TemplateResponse(request, "jobs/admin/outcomes_students.html", context)


# --- Exports ---------------------------------------------------------------------------------------


def _export_rows(table: str, filters: Filters) -> tuple[list[str], list[list], list[list[str]]]:
    """(headings, rows, kinds): the table's rows as raw figures, and each cell's kind for its format."""
    if table == "merchants":
        rows = [[merchant.name, hires] for merchant, hires in hires_per_merchant(filters)]
        return [_("Merchant"), _("Hires")], rows, [["text", "count"]] * len(rows)
    if table == "headline":
        values = headline(filters).values
        rows = [
            [str(m.label), str(m.definition), values[m.key].value, values[m.key].numerator, values[m.key].denominator]
            for m in MEASURES
        ]
        kinds = [["text", "text", m.kind, "count", "count"] for m in MEASURES]
        return [_("Measure"), _("Definition"), _("Value"), _("Numerator"), _("Denominator")], rows, kinds
    headings, kinds = [str(GROUP_HEADINGS[table])], ["text"]
    for m in MEASURES:
        headings += [str(m.label), f"{m.label}: {_('numerator')}", f"{m.label}: {_('denominator')}"]
        kinds += [m.kind, "count", "count"]
    rows = []
    for row in outcome_table(filters, table):
        cells = [row.label]
        for m in MEASURES:
            value = row.values[m.key]
            cells += [value.value, value.numerator, value.denominator]
        rows.append(cells)
    return headings, rows, [kinds] * len(rows)


def _csv_cell(kind: str, value):
    if value is None:
        return ""
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind in ("money", "days"):
        return f"{value:.1f}" if isinstance(value, float) else value
    return value


def export(request, form: OutcomeFilterForm) -> HttpResponse:
    table, file_format = request.GET.get("table", ""), request.GET["format"]
    if table not in TABLES or file_format not in ("csv", "xlsx"):
        raise Http404
    if not form.is_valid():
        errors = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    headings, rows, cell_kinds = _export_rows(table, form.filters())
    period = "-".join(form.cleaned_data[name].isoformat() for name in ("start", "end") if form.cleaned_data[name])
    filename = f"outcomes-{table}{'-' + period if period else ''}.{file_format}"
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headings)
        for row, row_kinds in zip(rows, cell_kinds, strict=True):
            writer.writerow([_csv_cell(kind, value) for kind, value in zip(row_kinds, row, strict=True)])
        # A byte-order mark, or Excel reads UTF-8 as the local code page and garbles Chinese.
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            _xlsx(headings, rows, cell_kinds, title=dict(zip(TABLES, _table_names(), strict=True))[table]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_FORMATS = {"rate": "0.0%", "money": "#,##0", "days": "0.0", "count": "0"}


def _xlsx(headings, rows, cell_kinds, *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's limit
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row, row_kinds in zip(rows, cell_kinds, strict=True):
        sheet.append(row)
        for cell, kind in zip(sheet[sheet.max_row], row_kinds, strict=True):
            if kind in XLSX_FORMATS and cell.value is not None:
                cell.number_format = XLSX_FORMATS[kind]
    sheet.freeze_panes = "B2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- Menu and URLs ---------------------------------------------------------------------------------


class OutcomesMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_outcomes(request.user)


def menu_item() -> MenuItem:
    return OutcomesMenuItem(gettext_lazy("Outcomes"), reverse("jobs_outcomes"), icon_name="table", order=50)


urlpatterns = [
    path("outcomes/", dashboard, name="jobs_outcomes"),
    path("outcomes/students/", students, name="jobs_outcomes_students"),
]
