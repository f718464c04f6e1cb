"""The staff's outcomes dashboard (issue #8): headline figures with their definitions, charts drawn on the
server as inline SVG each with a table of the same figures, tables per program and course, hires per
merchant, the students behind each number, CSV and XLSX exports, filters, and staff only."""

import csv
import datetime
import io
import re
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from wagtail.users.models import UserProfile

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from jobs.models import Placement
from tests.factories import (
    CohortFactory,
    CompletedEnrollmentFactory,
    CourseFactory,
    EnrollmentFactory,
    MerchantFactory,
    MerchantUserFactory,
    ProgramFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/outcomes/"
STUDENTS = "/admin/outcomes/students/"


def finished_class(program, *, ended_days_ago: int, code: str):
    course = CourseFactory(program=program, code=code)
    return CohortFactory(
        course=course,
        start_date=days_from_today(-ended_days_ago - 60),
        end_date=days_from_today(-ended_days_ago),
        enrolment_opens=days_from_today(-ended_days_ago - 120),
        enrolment_closes=days_from_today(-ended_days_ago - 61),
        status="finished",
    )


def student(name: str):
    return StudentFactory(display_name=name)


def hire(graduate, merchant, *, start: datetime.date):
    return Placement.objects.create(
        graduate=graduate, merchant=merchant, position="育婴师", start_date=start, pay=Decimal("5000.00")
    )


@pytest.fixture
def school(committed):
    """Two programs. Housekeeping's class ended 200 days ago: Ann placed after 30 days, Bo after 120, Cai
    not placed, Dan withdrew. Care's class ended 100 days ago: Eva placed after 10 days, Fu failed. An
    old class (500 days ago) is outside the last twelve months: Gao, placed."""
    # As a request would leave it: the outcome rows are refreshed after commit.
    with committed():
        housekeeping = ProgramFactory(name="家政服务", name_en="Housekeeping", sort_order=1)
        care = ProgramFactory(name="养老护理", name_en="Elderly care", sort_order=2)
        first = finished_class(housekeeping, ended_days_ago=200, code="HK-101")
        second = finished_class(care, ended_days_ago=100, code="EC-201")
        old = finished_class(housekeeping, ended_days_ago=500, code="HK-100")
        people = {name: student(name) for name in ("Ann", "Bo", "Cai", "Dan", "Eva", "Fu", "Gao")}
        for name in ("Ann", "Bo", "Cai"):
            CompletedEnrollmentFactory(student=people[name], cohort=first)
        EnrollmentFactory(student=people["Dan"], cohort=first, status="withdrawn")
        CompletedEnrollmentFactory(student=people["Eva"], cohort=second)
        EnrollmentFactory(student=people["Fu"], cohort=second, status="failed")
        CompletedEnrollmentFactory(student=people["Gao"], cohort=old)
        homes, carers = MerchantFactory(name="洛阳好帮手"), MerchantFactory(name="颐和养老")
        hire(people["Ann"], homes, start=first.end_date + datetime.timedelta(days=30))
        hire(people["Bo"], homes, start=first.end_date + datetime.timedelta(days=120))
        hire(people["Eva"], carers, start=second.end_date + datetime.timedelta(days=10))
        hire(people["Gao"], homes, start=old.end_date + datetime.timedelta(days=20))
    return {"housekeeping": housekeeping, "care": care, "first": first, "second": second, **people}


@pytest.fixture
def staff_client(client):
    staff = StaffFactory()
    profile = UserProfile.get_for_user(staff)
    profile.preferred_language = "en"  # the admin speaks each user's chosen language
    profile.save()
    client.force_login(staff)
    return client


def headline(response) -> dict[str, dict]:
    return {cell["measure"].key: cell for cell in response.context["headline"]}


def table_cells(html: str, table_id: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(row label, [(measure key, figure as shown)]) for each row of a table in the page."""
    body = html[html.index(f'id="{table_id}"') :]
    body = body[: body.index("</table>")]
    rows = []
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", body, re.S):
        cells = re.findall(r'<td data-measure="([^"]+)">(?:<a href="[^"]*">)?([^<]+)', row[1])
        rows.append((row[0], cells))
    return rows


def chart_values(svg: str) -> list[str]:
    return re.findall(r'<desc class="value">([^<]*)</desc>', svg)


# --- The dashboard ------------------------------------------------------------------------------------


def test_staff_see_the_headline_figures_of_the_last_twelve_months_with_their_definitions(staff_client, school):
    response = staff_client.get(DASHBOARD)
    assert response.status_code == 200
    figures = headline(response)
    assert figures["enrolments"]["text"] == "6"  # Gao's class ended before the period
    assert (figures["completion_rate"]["numerator"], figures["completion_rate"]["denominator"]) == (4, 6)
    assert figures["completion_rate"]["text"] == "66.7%"
    # Matured: completed at least 90 days ago (Ann, Bo, Cai, Eva); placed within 90 days: Ann, Eva.
    assert (figures["placement_90_rate"]["numerator"], figures["placement_90_rate"]["denominator"]) == (2, 4)
    assert figures["placement_90_rate"]["text"] == "50.0%"
    # Completed at least 180 days ago: Ann, Bo, Cai; placed within 180 days: Ann, Bo.
    assert figures["placement_180_rate"]["text"] == "66.7%"
    html = response.content.decode()
    assert "Of the students who finished with a class" in html  # the definition, beside the figure
    assert 'data-measure="enrolments"' in html and "—" in html  # a count has no denominator


def test_the_charts_are_inline_svg_with_a_title_and_no_script(staff_client, school):
    html = staff_client.get(DASHBOARD).content.decode()
    svgs = re.findall(r"<svg [^>]*class=\"pygal-chart\".*?</svg>", html, re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert re.search(r"<title id=\"[^\"]+\">[^<]+</title>", svg)
        assert 'role="img"' in svg and "aria-labelledby" in svg and "<desc id=" in svg
        assert "<script" not in svg
    assert "<?xml" not in html
    assert not re.search(r"<script[^>]+src=\"(https?:)?//", html)  # nothing from a CDN


def test_the_table_beside_each_chart_has_the_same_figures(staff_client, school):
    response = staff_client.get(DASHBOARD)
    html = response.content.decode()
    enrolment_svg, rate_svg, comparison_svg = re.findall(r"<svg [^>]*class=\"pygal-chart\".*?</svg>", html, re.S)

    trend = table_cells(html, "outcomes-trend-table")
    assert len(trend) == 2  # the months in which the two classes ended
    by_measure = {key: [dict(cells)[key] for _label, cells in trend] for key in dict(trend[0][1])}
    assert chart_values(enrolment_svg) == by_measure["enrolments"] == ["4", "2"]
    assert chart_values(rate_svg) == by_measure["completion_rate"] + by_measure["placement_90_rate"]
    assert by_measure["completion_rate"] == ["75.0%", "50.0%"]

    comparison = table_cells(html, "outcomes-comparison-table")
    assert sorted(label for label, _cells in comparison) == sorted(["Housekeeping", "Elderly care"])
    series = [[dict(cells)[key] for _label, cells in comparison] for key in dict(comparison[0][1])]
    assert chart_values(comparison_svg) == [value for values in series for value in values if value != "—"]
    assert dict(dict(comparison)["Elderly care"])["placement_90_rate"] == "100.0%"


def test_tables_per_program_and_course_and_hires_per_merchant(staff_client, school):
    response = staff_client.get(DASHBOARD)
    html = response.content.decode()
    programs = dict(table_cells(html, "outcomes-programs"))
    assert dict(programs["Housekeeping"])["enrolments"] == "4"
    assert dict(programs["Elderly care"])["completion_rate"] == "50.0%"
    assert len(table_cells(html, "outcomes-courses")) == 2
    assert [(merchant.name, hires) for merchant, hires in response.context["merchants"]] == [
        ("洛阳好帮手", 2),
        ("颐和养老", 1),
    ]


def test_filters_change_the_figures(staff_client, school):
    care = staff_client.get(DASHBOARD, {"program": school["care"].pk, "start": "", "end": ""})
    assert headline(care)["enrolments"]["text"] == "2"
    everything = staff_client.get(DASHBOARD, {"start": "", "end": ""})
    assert headline(everything)["enrolments"]["text"] == "7"  # Gao's old class too
    last_quarter = staff_client.get(DASHBOARD, {"start": days_from_today(-150).isoformat(), "end": ""})
    assert headline(last_quarter)["enrolments"]["text"] == "2"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-05-01", "end": "2026-01-01"}, "end"),
        ({"program": "999999"}, "program"),
        ({"start": "not a date"}, "start"),
    ],
)
def test_bad_filters_show_a_form_error_and_no_figures(staff_client, school, params, field):
    response = staff_client.get(DASHBOARD, params)
    assert response.status_code == 200
    form = response.context["filter_form"]
    assert field in form.errors
    assert "headline" not in response.context
    with translation.override("en"):  # the staff's admin language
        assert str(form.errors[field][0]) in response.content.decode()


def test_staff_see_the_outcomes_in_the_reports_menu(staff_client):
    assert DASHBOARD in staff_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("jobs_outcomes") == DASHBOARD and reverse("jobs_outcomes_students") == STUDENTS


# --- The students behind a number ---------------------------------------------------------------------


def names(response) -> list[str]:
    return [enrolment.student.display_name for enrolment in response.context["enrolments"]]


def test_every_figure_leads_to_the_students_behind_it(staff_client, school):
    figures = headline(staff_client.get(DASHBOARD))
    placed = staff_client.get(figures["placement_90_rate"]["url"])
    assert placed.status_code == 200
    assert sorted(names(placed)) == ["Ann", "Eva"]
    html = placed.content.decode()
    assert "HK-101" in html and "EC-201" in html  # the class, and the course beside it
    out_of = staff_client.get(figures["placement_90_rate"]["denominator_url"])
    assert sorted(names(out_of)) == ["Ann", "Bo", "Cai", "Eva"]
    assert sorted(names(staff_client.get(figures["enrolments"]["url"]))) == ["Ann", "Bo", "Cai", "Dan", "Eva", "Fu"]


def test_a_row_s_figure_leads_to_that_row_s_students(staff_client, school):
    response = staff_client.get(DASHBOARD)
    programs = {row["label"]: row for row in response.context["programs"]}
    completed = next(c for c in programs["Housekeeping"]["cells"] if c["measure"].key == "completion_rate")
    assert sorted(names(staff_client.get(completed["url"]))) == ["Ann", "Bo", "Cai"]
    months = response.context["trend"]
    enrolled = next(c for c in months[1]["cells"] if c["measure"].key == "enrolments")
    assert sorted(names(staff_client.get(enrolled["url"]))) == ["Eva", "Fu"]


def test_the_students_list_is_paginated(staff_client, school, committed):
    with committed():
        cohort = finished_class(school["care"], ended_days_ago=30, code="EC-202")
        for _n in range(55):
            EnrollmentFactory(cohort=cohort, status="withdrawn")
    params = {"measure": "enrolments", "part": "numerator", "program": school["care"].pk}
    first = staff_client.get(STUDENTS, params)
    assert len(names(first)) == 50 and first.context["items"].paginator.count == 57
    assert len(names(staff_client.get(STUDENTS, {**params, "p": 2}))) == 7


def test_an_unknown_measure_is_not_found(staff_client, school):
    assert staff_client.get(STUDENTS, {"measure": "happiness", "part": "numerator"}).status_code == 404
    assert staff_client.get(STUDENTS, {"measure": "enrolments", "part": "half"}).status_code == 404


def test_bad_filters_on_the_students_list_show_a_form_error(staff_client, school):
    response = staff_client.get(STUDENTS, {"measure": "enrolments", "start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 200 and "end" in response.context["filter_form"].errors
    assert "enrolments" not in response.context


# --- Exports ------------------------------------------------------------------------------------------


def test_csv_export_has_the_table_s_rows_and_a_byte_order_mark_for_excel(staff_client, school):
    response = staff_client.get(DASHBOARD, {"format": "csv", "table": "program"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    heading, *body = rows
    enrolments, completion = heading.index("Enrolments"), heading.index("Completion rate")
    assert sorted((row[0], row[enrolments], row[completion]) for row in body) == sorted(
        [("Housekeeping", "4", "75.0%"), ("Elderly care", "2", "50.0%")]
    )


def test_xlsx_export_opens_with_the_table_s_rows(staff_client, school):
    response = staff_client.get(DASHBOARD, {"format": "xlsx", "table": "program"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    heading, *body = list(sheet.iter_rows(values_only=True))
    enrolments, completion = heading.index("Enrolments"), heading.index("Completion rate")
    assert sorted((row[0], row[enrolments], row[completion]) for row in body) == sorted(
        [("Housekeeping", 4, 0.75), ("Elderly care", 2, 0.5)]
    )
    assert sheet.cell(row=2, column=completion + 1).number_format == "0.0%"


@pytest.mark.parametrize("table", ["headline", "program", "course", "cohort", "instructor", "month", "merchants"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_table_exports(staff_client, school, table, file_format):
    response = staff_client.get(DASHBOARD, {"format": file_format, "table": table})
    assert response.status_code == 200
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    expected = {"headline": 14, "program": 2, "course": 2, "cohort": 2, "instructor": 0, "month": 2, "merchants": 2}
    assert len(rows) == 1 + expected[table]


def test_the_merchants_export_lists_hires(staff_client, school):
    response = staff_client.get(DASHBOARD, {"format": "csv", "table": "merchants", "start": "", "end": ""})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1:] == [["洛阳好帮手", "3"], ["颐和养老", "1"]]


def test_exports_refuse_bad_filters_and_unknown_tables(staff_client, school):
    assert staff_client.get(DASHBOARD, {"format": "csv", "table": "program", "program": "999999"}).status_code == 400
    assert staff_client.get(DASHBOARD, {"format": "csv", "table": "salaries"}).status_code == 404


# --- Who may see it -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STUDENT, Role.MERCHANT, Role.INSTRUCTOR])
@pytest.mark.parametrize(
    "address", [DASHBOARD, f"{DASHBOARD}?format=csv&table=program", f"{STUDENTS}?measure=enrolments"]
)
def test_nobody_but_staff_sees_the_outcomes(client, school, role, address):
    client.force_login(UserFactory(role=role, is_staff=True))
    response = client.get(address)
    assert response.status_code in (302, 403)
    assert "家政服务" not in response.content.decode()


def test_a_merchant_without_admin_access_is_refused(client, school):
    client.force_login(MerchantUserFactory())
    assert client.get(DASHBOARD).status_code in (302, 403)


def test_anonymous_visitors_are_sent_to_the_admin_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response.url
    assert reverse("wagtailadmin_login") in client.get(STUDENTS).url


def test_staff_without_the_placements_permission_are_refused(client, school):
    client.force_login(StaffFactory())
    run_rounds = Permission.objects.get(content_type__app_label="jobs", codename="change_placementround")
    Group.objects.get(name=Role.STAFF).permissions.remove(run_rounds)
    assert client.get(DASHBOARD).status_code in (302, 403)


# --- Queries ------------------------------------------------------------------------------------------


def test_the_dashboard_reads_as_many_queries_at_two_sizes(
    staff_client, school, committed, django_assert_max_num_queries
):
    staff_client.get(DASHBOARD)  # warm the session and the site's settings
    with CaptureQueriesContext(connection) as small:
        staff_client.get(DASHBOARD)
    with committed():
        for number in range(4):
            program = ProgramFactory()
            cohort = finished_class(program, ended_days_ago=120 + 30 * number, code=f"XL-{number}")
            merchant = MerchantFactory()
            for _n in range(5):
                enrolment = CompletedEnrollmentFactory(cohort=cohort)
                hire(enrolment.student, merchant, start=cohort.end_date + datetime.timedelta(days=15))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff_client.get(DASHBOARD)
    assert len(response.context["programs"]) == 6
    assert len(response.context["merchants"]) == 6
