"""Where each page type may live, so editors cannot build a tree the site does not expect."""

from django.urls import reverse

from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import Page

import pytest

from cms.demo import seed_pages
from cms.models import (
    ContactPage,
    CourseIndexPage,
    CoursePage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProgramPage,
    StandardPage,
)
from school.demo import seed_catalogue
from tests.factories import CourseFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("page_type", "parents"),
    [
        (CourseIndexPage, {HomePage}),
        (ProgramPage, {CourseIndexPage}),
        (CoursePage, {ProgramPage}),
        (NewsIndexPage, {HomePage}),
        (NewsPage, {NewsIndexPage}),
        (StandardPage, {HomePage, StandardPage}),
        (ContactPage, {HomePage}),
    ],
)
def test_each_page_type_has_its_place(page_type, parents):
    assert set(page_type.allowed_parent_page_models()) == parents


def test_there_is_one_course_index_and_one_home_page():
    seed_catalogue()
    seed_pages()
    home = HomePage.objects.get()

    assert not CourseIndexPage.can_create_at(home)
    assert not HomePage.can_create_at(Page.get_first_root_node())


def test_a_course_cannot_be_published_under_another_program(client):
    seed_catalogue()
    seed_pages()
    client.force_login(StaffFactory())
    housekeeping = ProgramPage.objects.get(slug="housekeeping")
    foreign_course = CourseFactory(code="XX-1", program=ProgramPage.objects.get(slug="e-commerce").program)

    response = client.post(
        reverse("wagtailadmin_pages:add", args=["cms", "coursepage", housekeeping.pk]),
        {"title": "外专业课程", "slug": "xx-1", "course": foreign_course.pk, "intro": "简介", "body-count": 0},
    )

    assert response.status_code == 200
    assert "这门课程属于另一个专业" in response.content.decode()
    assert not CoursePage.objects.filter(course=foreign_course).exists()


def test_a_visitor_sends_the_contact_form_and_staff_read_it_in_the_admin(client):
    seed_pages()
    contact = ContactPage.objects.get()
    answers = {"姓名": "王芳", "手机号": "13912345678", "想学的专业": "电子商务", "留言": "想报晚班"}
    data = {field.clean_name: answers[field.label] for field in contact.form_fields.all()}

    response = client.post(contact.url, data)

    assert response.status_code == 200
    assert "谢谢" in response.content.decode()
    submission = FormSubmission.objects.get(page=contact)
    assert "王芳" in submission.form_data.values()
    client.force_login(StaffFactory())
    listing = client.get(reverse("wagtailforms:list_submissions", args=[contact.pk]))
    assert "王芳" in listing.content.decode()
