"""The outcome measures through the API: staff read the same figures as headline() and outcome_table(),
and hires per merchant; everyone else is refused, and a bad query is a 400 in the caller's language."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

import pytest

from jobs.models import FollowUp, Placement
from jobs.outcomes.measures import GROUPS, MEASURE_KEYS, Filters, headline, hires_per_merchant, outcome_table
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    MerchantFactory,
    MerchantMemberFactory,
    ProgramFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
)
from tests.jobs.pipeline_helpers import valid_certificate

pytestmark = pytest.mark.django_db
URL, MERCHANTS_URL = "/api/v1/outcomes/", "/api/v1/outcomes/merchants/"


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def cohort(course, start, end, **fields):
    return CohortFactory(
        course=course,
        start_date=start,
        end_date=end,
        enrolment_opens=start - datetime.timedelta(days=30),
        enrolment_closes=start,
        status="finished",
        **fields,
    )


def job(enrollment, merchant, start, pay, *, hourly=False, insured=False, ended=None, still_employed=None):
    placement = Placement.objects.create(
        graduate=enrollment.student,
        merchant=merchant,
        position="店员",
        start_date=start,
        pay=Decimal(pay),
        pay_period="hour" if hourly else "month",
        social_insurance=insured,
        ended_on=ended,
    )
    for day in (30, 90, 180):
        FollowUp.objects.create(
            placement=placement,
            day=day,
            due_on=start + datetime.timedelta(days=day),
            still_employed=still_employed if day == 180 else None,
        )
    return placement


@pytest.fixture
def school(committed):
    """Two programs: housekeeping (course 育婴师, a class that ended 400 days ago and one 100 days ago) and
    cooking (course 中式面点, a class that ended 250 days ago), with completions, a failure, a withdrawal,
    certificates (one revoked) and jobs at two merchants."""
    # As a request would leave it: the outcome rows are refreshed after commit.
    with committed():
        housekeeping = ProgramFactory(name="家政服务", name_en="Housekeeping", slug="housekeeping")
        cooking = ProgramFactory(name="烹饪", name_en="Cooking", slug="cooking")
        nanny = CourseFactory(program=housekeeping, code="HK-101", title="育婴师")
        pastry = CourseFactory(program=cooking, code="CK-201", title="中式面点")
        old = cohort(nanny, ago(490), ago(400))
        recent = cohort(nanny, ago(190), ago(100))
        bakery = cohort(pastry, ago(340), ago(250))
        teacher = UserFactory(display_name="李建国")
        old.instructors.add(teacher)
        bakery.instructors.add(UserFactory(display_name="王芳"))
        shop, hotel = MerchantFactory(name="好帮手家政"), MerchantFactory(name="牡丹大酒店")

        a = EnrollmentFactory(cohort=old, status="completed")
        b = EnrollmentFactory(cohort=old, status="completed")
        EnrollmentFactory(cohort=old, status="failed")
        EnrollmentFactory(cohort=old, status="withdrawn")
        c = EnrollmentFactory(cohort=recent, status="completed")
        d = EnrollmentFactory(cohort=bakery, status="completed")
        e = EnrollmentFactory(cohort=bakery, status="completed")
        for enrollment in (a, b, c, d):
            made = valid_certificate(enrollment)
            made.issued_on = enrollment.cohort.end_date + datetime.timedelta(days=5)
            made.save(update_fields=["issued_on"])
        valid_certificate(e, status="revoked")
        job(a, shop, ago(380), "5000", insured=True, still_employed=True)
        job(b, hotel, ago(300), "25", hourly=True, ended=ago(100), still_employed=False)
        job(d, hotel, ago(230), "4800", insured=True)
        job(c, shop, ago(60), "4500")
    return {"housekeeping": housekeeping, "cooking": cooking, "nanny": nanny, "pastry": pastry, "old": old}


@pytest.fixture
def staff_api(client):
    client.force_login(StaffFactory(language="en"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def as_json(row_values) -> dict:
    """What the API should say for a row of figures (floats survive JSON exactly)."""
    return {
        key: {"value": value.value, "numerator": value.numerator, "denominator": value.denominator}
        for key, value in row_values.items()
    }


def test_headline_is_the_measures_figures(staff_api, school):
    response = staff_api.get(URL)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["headline"] == as_json(headline(Filters()).values)
    assert body["headline"]["enrolments"]["value"] == 7
    assert [measure["key"] for measure in body["measures"]] == MEASURE_KEYS
    assert body["measures"][1] == {
        "key": "completion_rate",
        "label": "Completion rate",
        "definition": "Of the students who finished with a class (completed, failed or withdrew), the share who "
        "completed it.",
        "kind": "rate",
    }
    assert body["filters"] == {"start": None, "end": None, "program": None, "course": None, "group_by": None}
    assert "rows" not in body


@pytest.mark.parametrize("group_by", GROUPS)
def test_each_grouping_is_the_outcome_table(staff_api, school, group_by):
    response = staff_api.get(URL, {"group_by": group_by})

    assert response.status_code == 200, response.content
    rows = outcome_table(Filters(), group_by)
    assert rows, "the data set has something in every grouping"
    assert [(row["label"], row["values"]) for row in response.json()["rows"]] == [
        (row.label, as_json(row.values)) for row in rows
    ]


def test_filters_pick_the_same_enrolments(staff_api, school):
    start, end = ago(450), ago(200)
    query = {"start": start.isoformat(), "end": end.isoformat(), "program": "housekeeping", "group_by": "course"}

    body = staff_api.get(URL, query).json()

    filters = Filters(start=start, end=end, program=school["housekeeping"])
    assert body["filters"] == {**query, "course": None}
    assert body["headline"] == as_json(headline(filters).values)
    assert body["headline"]["enrolments"]["value"] == 4  # the old class only
    [row] = body["rows"]
    assert row == {"key": str(school["nanny"].pk), "label": "育婴师", "values": body["headline"]}


def test_course_filter_and_period_keys(staff_api, school):
    body = staff_api.get(URL, {"course": "CK-201", "group_by": "month"}).json()

    filters = Filters(course=school["pastry"])
    assert body["headline"] == as_json(headline(filters).values)
    [row] = body["rows"]
    assert row["key"] == ago(250).replace(day=1).isoformat()
    assert row["label"] == f"{ago(250):%Y-%m}"


def test_hires_per_merchant(staff_api, school):
    body = staff_api.get(MERCHANTS_URL).json()

    expected = hires_per_merchant(Filters())
    assert [(m["merchant"], m["name"], m["hires"]) for m in body["merchants"]] == [
        (merchant.pk, merchant.name, hires) for merchant, hires in expected
    ]
    assert sorted(m["hires"] for m in body["merchants"]) == [2, 2]

    body = staff_api.get(MERCHANTS_URL, {"program": "cooking"}).json()
    assert [(m["name"], m["hires"]) for m in body["merchants"]] == [("牡丹大酒店", 1)]
    assert body["filters"]["program"] == "cooking"


@pytest.mark.parametrize("url", [URL, MERCHANTS_URL])
def test_only_staff_read_outcomes(client, url):
    assert client.get(url).status_code in (401, 403)

    client.force_login(StudentFactory())
    assert client.get(url).status_code == 403

    client.force_login(MerchantMemberFactory().user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json()["detail"] == "Outcome reports are for school staff."

    client.force_login(StaffFactory())
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2026-03-01", "end": "2026-02-01"}, "end", "The end of the period comes before its start."),
        ({"program": "astronomy"}, "program", "There is no program “astronomy”."),
        ({"course": "XX-999"}, "course", "There is no course “XX-999”."),
        ({"start": "2026-13-01"}, "start", "Date has wrong format."),
        ({"end": "yesterday"}, "end", "Date has wrong format."),
        (
            {"group_by": "district"},
            "group_by",
            "“district” is not a grouping: group rows by program, course, cohort, instructor, month or quarter.",
        ),
    ],
)
def test_a_bad_query_is_refused_clearly(staff_api, school, query, field, message):
    response = staff_api.get(URL, query)

    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith(message)
    assert field in body["fields"]
    if field != "group_by":
        assert staff_api.get(MERCHANTS_URL, query).status_code == 400


def test_refusals_speak_the_callers_language(staff_api, school):
    response = staff_api.get(URL, {"start": "not-a-date"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert "日期" in response.json()["detail"]  # DRF's own Chinese: 日期格式错误…


def test_schema_lists_the_outcome_paths(client):
    response = client.get(reverse("api:schema"), {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    # The figures, a refusal of bad filters, and (staff only) signed out or not staff.
    assert set(paths["/api/v1/outcomes/"]["get"]["responses"]) == {"200", "400", "401", "403"}
    assert {p["name"] for p in paths["/api/v1/outcomes/"]["get"]["parameters"]} == {
        "start",
        "end",
        "program",
        "course",
        "group_by",
    }
    assert "/api/v1/outcomes/merchants/" in paths
    schemas = response.json()["components"]["schemas"]
    assert set(schemas["OutcomeValues"]["properties"]) == set(MEASURE_KEYS)
