"""The public outcomes page (small cells withheld), the monthly PDF report and its mailing to staff."""

import datetime
import io

from django.utils import timezone, translation

from wagtail.models import Site

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from cms.models import HomePage, OutcomesPage, SchoolSettings
from jobs.models import OutcomeReportDelivery
from jobs.outcomes.measures import OutcomeRow, Value
from jobs.outcomes.public import DisplayRow, protect_complements, public_measures, public_outcomes, suppressed
from jobs.outcomes.report import previous_month, render_monthly_report
from jobs.tasks import refresh_public_outcomes, send_monthly_outcomes_report
from school.certificates import fonts
from tests.factories import CohortFactory, CourseFactory, EnrollmentFactory, ProgramFactory, StaffFactory

MARKER = "fewer than 5"


def public_row(key, *, exits: int, completed: int) -> OutcomeRow:
    """An outcome row with a completion rate of completed/exits (the other measures on nobody)."""
    values = {measure.key: Value(None, 0, 0) for measure in public_measures()}
    values["completion_rate"] = Value(completed / exits if exits else None, completed, exits)
    values["certification_rate"] = Value(0.0 if completed else None, 0, completed)
    return OutcomeRow(key, str(key), values)


def shown(row: DisplayRow, key: str = "completion_rate") -> bool:
    return not row.cell(key).suppressed


def test_a_rate_on_fewer_than_5_people_is_withheld_and_on_5_it_is_shown():
    with translation.override("en"):
        four, five = (
            suppressed(public_row("A", exits=4, completed=4)),
            suppressed(public_row("B", exits=5, completed=4)),
        )
    assert four.cell("completion_rate").text == MARKER
    assert five.cell("completion_rate").text == "80%"
    # The certification rate rests on the completers: 4 of them is too few.
    assert four.cell("certification_rate").text == MARKER
    # A median rests on the number of values: 4 starting pays are too few, 5 are enough.
    pay = OutcomeRow("C", "C", {m.key: Value(None, 0, 0) for m in public_measures()})
    pay.values["median_starting_pay"] = Value(3500.0, None, 4)
    assert suppressed(pay).cell("median_starting_pay").suppressed
    pay.values["median_starting_pay"] = Value(3500.0, None, 5)
    assert suppressed(pay).cell("median_starting_pay").text == "¥3,500"


def test_a_withheld_course_cannot_be_recovered_by_subtracting_the_others_from_the_program():
    program = suppressed(public_row("P", exits=36, completed=30))
    small, medium, large = (
        suppressed(public_row(key, exits=n, completed=n - 1)) for key, n in [("a", 4), ("b", 12), ("c", 20)]
    )
    protect_complements([(program, [small, medium, large])])
    # a is withheld (4 people); b, the smallest other, is withheld with it; c and the program stay.
    assert not shown(small) and not shown(medium)
    assert shown(large) and shown(program)


def test_a_program_withheld_as_a_complement_withholds_two_of_its_courses_too():
    school = suppressed(public_row("school", exits=33, completed=30))
    tiny = suppressed(public_row("tiny", exits=3, completed=3))
    big = suppressed(public_row("big", exits=30, completed=27))
    courses = [suppressed(public_row(key, exits=n, completed=n - 1)) for key, n in [("x", 10), ("y", 8), ("z", 12)]]
    protect_complements([(school, [tiny, big]), (big, courses)])
    # tiny is withheld, so big is too (else school − big = tiny); big's courses would add up to it, so two
    # of them are withheld.
    assert shown(school) and not shown(tiny) and not shown(big)
    assert [shown(course) for course in courses] == [False, False, True]  # y (8) first, then x (10)


# --- The page ------------------------------------------------------------------------------------------


def finished_class(course, *, completed: int, failed: int = 0, ended: datetime.date):
    cohort = CohortFactory(
        course=course,
        start_date=ended - datetime.timedelta(days=60),
        end_date=ended,
        enrolment_opens=ended - datetime.timedelta(days=90),
        enrolment_closes=ended - datetime.timedelta(days=61),
        status="finished",
    )
    for _ in range(completed):
        EnrollmentFactory(cohort=cohort, status="completed")
    for _ in range(failed):
        EnrollmentFactory(cohort=cohort, status="failed")
    return cohort


@pytest.fixture
def outcomes_page(db):
    home = HomePage.objects.get()
    # The footer's settings row exists, as on a real site (its creation would empty the page cache).
    SchoolSettings.for_site(Site.objects.get(is_default_site=True))
    page = OutcomesPage(title="Outcomes", slug="outcomes", intro="<p>How our students did.</p>")
    home.add_child(instance=page)
    return page


@pytest.fixture
def classes(db, committed):
    """Three programs whose classes ended 200 days ago: one with 4 completers, one with 2, one with 5
    completers and a failure (completion 83%)."""
    # As a request would leave it: the outcome rows are refreshed after commit.
    with committed():
        ended = timezone.localdate() - datetime.timedelta(days=200)
        four = CourseFactory(program=ProgramFactory(name="四人专业"), title="四人课程")
        two = CourseFactory(program=ProgramFactory(name="两人专业"), title="两人课程")
        five = CourseFactory(program=ProgramFactory(name="五人专业"), title="五人课程")
        finished_class(four, completed=4, ended=ended)
        finished_class(two, completed=2, ended=ended)
        finished_class(five, completed=5, failed=1, ended=ended)
    return {"four": four, "two": two, "five": five}


def row_cells(html: str, label: str) -> list[str]:
    row = BeautifulSoup(html, "html.parser").find("th", string=label).find_parent("tr")
    return [cell.get_text(strip=True) for cell in row.find_all("td")]


def test_the_page_shows_figures_on_5_people_and_withholds_those_on_fewer(client, outcomes_page, classes):
    response = client.get("/en/outcomes/")
    html = response.content.decode()
    assert response.status_code == 200
    completion, certification = 0, 1
    assert row_cells(html, "五人课程")[completion] == "83%"
    assert row_cells(html, "五人课程")[certification] == "0%"
    for label in ("四人课程", "两人课程"):
        assert row_cells(html, label)[completion] == MARKER
        assert row_cells(html, label)[certification] == MARKER
    # Their 100% completion is nowhere on the page.
    assert "100%" not in html
    # Each measure's definition is written on the page, in a captioned, labelled table.
    assert "Of the students who finished with a class (completed, failed or withdrew)" in html
    soup = BeautifulSoup(html, "html.parser")
    assert all(table.caption for table in soup.find_all("table"))
    assert soup.find("th", string="四人课程")["scope"] == "row"
    assert "How our students did." in html


def test_the_page_is_served_from_the_public_page_cache(client, outcomes_page, classes, django_assert_num_queries):
    first = client.get(outcomes_page.url)
    with django_assert_num_queries(0):
        second = client.get(outcomes_page.url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert client.get("/en/outcomes/")["X-Page-Cache"] == "miss"


def test_the_outcomes_page_lives_under_the_home_page_once(outcomes_page):
    home = HomePage.objects.get()
    assert OutcomesPage.can_exist_under(home)
    assert not OutcomesPage.can_create_at(home)  # max one


# --- The report ----------------------------------------------------------------------------------------


@pytest.fixture
def last_month_classes(db, committed):
    # As a request would leave it: the outcome rows are refreshed after commit.
    with committed():
        ended = previous_month(timezone.localdate()) + datetime.timedelta(days=9)
        course = CourseFactory(program=ProgramFactory(name="电子商务"), title="直播电商运营")
        finished_class(course, completed=6, failed=2, ended=ended)
    return course


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_the_monthly_report_is_a_pdf_with_the_headline_tables_and_a_cjk_font(last_month_classes):
    assert fonts.locate(fonts.FAMILIES["sans"]), "Noto Sans CJK SC (fonts-noto-cjk) is installed"
    month = previous_month(timezone.localdate())
    with translation.override("en"):
        pdf = render_monthly_report(month)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert f"Outcomes report for {month:%Y-%m}" in text
    for heading in ("Headline figures", "By program", "By course", "Hires per merchant", "Completion rate"):
        assert heading in text
    assert "75%" in text and "6/8" in text  # 6 of 8 completed: staff see every figure
    assert "直播电商运营" in text
    # The embedded font is Noto Sans CJK cut to the report's characters (school.certificates.fonts).
    assert any("Baijia-Report" in name for name in pdf_fonts(pdf)), pdf_fonts(pdf)


def test_the_beat_task_mails_each_staff_member_the_report_once_a_month(last_month_classes, mailoutbox):
    # mailoutbox after the database fixtures: setting up a test case starts a new mail.outbox.
    first, second = StaffFactory(), StaffFactory(language="en")
    StaffFactory(email="")
    StaffFactory(is_active=False)
    EnrollmentFactory()  # a student: not staff

    assert send_monthly_outcomes_report() == 2
    assert sorted(message.to[0] for message in mailoutbox) == sorted([first.email, second.email])
    month = previous_month(timezone.localdate())
    for message in mailoutbox:
        ((name, content, mimetype),) = message.attachments
        assert name == f"outcomes-{month:%Y-%m}.pdf" and mimetype == "application/pdf"
        assert content.startswith(b"%PDF")
    english = next(message for message in mailoutbox if message.to == [second.email])
    assert english.subject == f"Outcomes report for {month:%Y-%m}"

    assert send_monthly_outcomes_report() == 0
    assert len(mailoutbox) == 2
    assert OutcomeReportDelivery.objects.get().recipients == 2


def test_staff_download_the_report_and_no_one_else(client, staff_user, student, last_month_classes):
    url = "/admin/outcomes/report.pdf?month=" + f"{previous_month(timezone.localdate()):%Y-%m}"
    client.force_login(student)
    assert client.get(url).status_code in (302, 403)
    client.force_login(staff_user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get("/admin/outcomes/report.pdf?month=last").status_code == 400


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_phone_the_tables_scroll_inside_their_box_never_the_page(live_server, chromium_browser, screenshots):
    home = HomePage.objects.get()
    home.add_child(instance=OutcomesPage(title="就业成果", slug="outcomes"))
    ended = timezone.localdate() - datetime.timedelta(days=200)
    course = CourseFactory(program=ProgramFactory(name="电子商务"), title="直播电商运营（带货主播方向）")
    finished_class(course, completed=12, failed=2, ended=ended)
    context = chromium_browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(live_server.url + "/outcomes/")
    screenshots(page, "phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = page.locator("[role=region]").first
    assert box.get_attribute("tabindex") == "0"
    assert page.locator("#" + box.get_attribute("aria-labelledby")).is_visible()
    assert page.locator("table caption").count() == 1
    context.close()


def test_the_nightly_refresh_leaves_the_page_nothing_to_compute(classes, django_assert_num_queries):
    refresh_public_outcomes()
    for language in ("zh-hans", "en"):
        with translation.override(language), django_assert_num_queries(0):
            outcomes = public_outcomes()
        assert len(outcomes.programs) == 3
