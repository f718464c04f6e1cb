"""Staff design certificate templates, read, revoke and reissue certificates, and read the audit log in
the back office; instructors and students cannot."""

import io

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wagtail.users.models import UserProfile

import pytest
import uharfbuzz as hb
from pypdf import PdfReader

from school.certificates import fonts
from school.models import Certificate, CertificateEvent, CertificateTemplate
from school.services import certificates as services
from tests.factories import (
    CertificateTemplateFactory,
    CompletedEnrollmentFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def in_english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def staff(db):
    return in_english(StaffFactory(display_name="陈静"))


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def template_form(**fields) -> dict:
    data = {
        "name": "家政结业证书",
        "title": "结业证书",
        "body": "{student_name} 同学修完《{course}》课程，共 {hours} 学时，特发此证。",
        "signatory": "校长 王志强",
        "orientation": "landscape",
        "typeface": "serif",
        "accent_colour": "#9b1c1c",
        "text_colour": "#1f2328",
        "title_font": "",
        "background": "",
        "seal": "",
        "signature": "",
        "validity_months": "",
    }
    data.update(fields)
    return data


def noto_subset(characters: str) -> bytes:
    """A real OpenType font with glyphs for these characters only (cut from the installed Noto)."""
    installed = fonts.locate(fonts.FAMILIES["serif"])
    subset_input = hb.SubsetInput()
    subset_input.unicode_set.update(ord(character) for character in characters)
    return hb.subset(hb.Face(hb.Blob.from_file_path(installed.path), installed.index), subset_input).blob.data


def issued(name: str = "王小丽", **fields) -> Certificate:
    enrollment = CompletedEnrollmentFactory(profile__real_name=name, **fields)
    return services.issue_certificate(enrollment=enrollment, issued_by=StaffFactory())


# --- Templates --------------------------------------------------------------------------------------


def test_staff_preview_a_new_template_as_a_pdf_in_the_preview_panel(staff_client):
    preview_url = reverse("school_certificate_templates:preview_on_add")

    state = staff_client.post(preview_url, template_form(title="技能证书", validity_months="12")).json()
    response = staff_client.get(preview_url, {"in_preview_panel": "true"})

    assert state == {"is_valid": True, "is_available": True}
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the site says DENY; the preview panel must frame it
    text = pdf_text(response.content)
    assert "技能证书" in text and "王小丽" in text and "有效期至" in text


def test_the_preview_of_an_existing_template_shows_the_unsaved_title(staff_client):
    template = CertificateTemplateFactory(title="结业证书")
    preview_url = reverse("school_certificate_templates:preview_on_edit", args=[template.pk])

    staff_client.post(preview_url, template_form(name=template.name, title="培训合格证"))
    response = staff_client.get(preview_url)

    assert response["Content-Type"] == "application/pdf"
    assert "培训合格证" in pdf_text(response.content)
    template.refresh_from_db()
    assert template.title == "结业证书"  # previewing saves nothing


def test_staff_create_a_template_with_every_field(staff_client):
    response = staff_client.post(
        reverse("school_certificate_templates:add"),
        template_form(
            orientation="portrait", typeface="sans", accent_colour="#1d4ed8", validity_months="12", is_default=""
        ),
    )

    assert response.status_code == 302
    template = CertificateTemplate.objects.get(name="家政结业证书")
    assert (template.orientation, template.typeface, template.accent_colour, template.validity_months) == (
        "portrait",
        "sans",
        "#1d4ed8",
        12,
    )
    form_page = staff_client.get(reverse("school_certificate_templates:edit", args=[template.pk])).content.decode()
    for field in ("title_font", "background", "seal", "signature", "validity_months", "is_default", "signatory"):
        assert f'name="{field}"' in form_page, field
    assert 'type="color"' in form_page


def test_an_uploaded_title_font_must_draw_every_character_of_the_title(staff_client):
    add_url = reverse("school_certificate_templates:add")
    partial = SimpleUploadedFile("brush.otf", noto_subset("结业"), content_type="font/otf")

    refused = staff_client.post(add_url, {**template_form(), "title_font": partial})

    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert list(errors) == ["title_font"]
    assert "“证”、“书”" in errors["title_font"][0] and "no glyph" in errors["title_font"][0]
    assert "“证”、“书”" in refused.content.decode()  # shown beside the field
    assert not CertificateTemplate.objects.filter(name="家政结业证书").exists()

    covering = SimpleUploadedFile("brush.otf", noto_subset("结业证书"), content_type="font/otf")
    staff_client.post(add_url, {**template_form(), "title_font": covering})

    template = CertificateTemplate.objects.get(name="家政结业证书")
    assert template.title_font.name.startswith("certificate-fonts/brush")
    # A new title the font cannot draw is refused too, with the font already stored.
    retitled = staff_client.post(
        reverse("school_certificate_templates:edit", args=[template.pk]), template_form(title="培训合格证")
    )
    assert "title_font" in retitled.context["form"].errors


def test_a_file_that_is_not_a_font_is_refused(staff_client):
    fake = SimpleUploadedFile("title.ttf", b"%PDF-1.7 definitely not a font", content_type="font/ttf")

    response = staff_client.post(reverse("school_certificate_templates:add"), {**template_form(), "title_font": fake})

    assert response.context["form"].errors["title_font"]
    assert "This file is not a TrueType or OpenType font." in response.content.decode()


def test_unknown_placeholders_in_the_body_are_named(staff_client):
    response = staff_client.post(
        reverse("school_certificate_templates:add"), template_form(body="{student_name} 学完 {course_name}")
    )

    assert "{course_name}" in response.context["form"].errors["body"][0]
    assert not CertificateTemplate.objects.filter(name="家政结业证书").exists()


def test_a_second_default_template_is_refused_with_the_name_of_the_first(staff_client):
    current = CertificateTemplate.objects.filter(is_default=True).first() or CertificateTemplateFactory(is_default=True)

    response = staff_client.post(reverse("school_certificate_templates:add"), template_form(is_default="on"))

    assert response.context["form"].errors["is_default"] == [
        f"“{current.name}” is the default template now: untick “default” there first."
    ]
    current.is_default = False
    current.save()
    staff_client.post(reverse("school_certificate_templates:add"), template_form(is_default="on"))
    assert CertificateTemplate.objects.get(is_default=True).name == "家政结业证书"


# --- Certificates -----------------------------------------------------------------------------------


def test_staff_find_certificates_by_number_name_and_code_and_filter_them(staff_client):
    wang = issued("王小丽")
    li = issued("李娜")
    services.revoke_certificate(certificate=li, actor=StaffFactory(), reason="考核作弊")
    index = reverse("school_certificates:index")

    everything = staff_client.get(index).content.decode()
    by_code = staff_client.get(index, {"q": wang.display_code.lower()}).content.decode()
    by_name = staff_client.get(index, {"q": "李娜"}).content.decode()
    revoked = staff_client.get(index, {"status": "revoked"}).content.decode()
    by_course = staff_client.get(index, {"course": wang.enrollment.cohort.course_id}).content.decode()
    long_ago = staff_client.get(index, {"issued_on_from": "2000-01-01", "issued_on_to": "2000-12-31"}).content.decode()

    assert wang.number in everything and li.number in everything and wang.course_title in everything
    assert wang.number in by_code and li.number not in by_code
    assert li.number in by_name and wang.number not in by_name
    assert li.number in revoked and wang.number not in revoked
    assert wang.number in by_course and li.number not in by_course
    assert wang.number not in long_ago and li.number not in long_ago
    assert reverse("school_certificates:inspect", args=[wang.pk]) in everything
    assert reverse("school_certificates:edit", args=[wang.pk]) not in everything  # read-only


def test_the_certificate_list_costs_the_same_few_queries_at_any_size(staff_client, django_assert_max_num_queries):
    issued("王小丽")
    with django_assert_max_num_queries(20) as small:
        staff_client.get(reverse("school_certificates:index"))
    for name in ("李娜", "张伟", "刘洋", "陈晨"):
        issued(name)
    with django_assert_max_num_queries(len(small.captured_queries)):
        staff_client.get(reverse("school_certificates:index"))


def test_staff_inspect_a_certificate_with_its_links_and_history(staff_client):
    certificate = issued("王小丽")

    page = staff_client.get(reverse("school_certificates:inspect", args=[certificate.pk])).content.decode()

    assert certificate.display_code in page and certificate.sha256 in page
    assert certificate.get_verify_url() in page
    assert reverse("certificates:pdf", args=[certificate.code]) in page
    assert reverse("school_certificates:revoke", args=[certificate.pk]) in page
    assert "Issued" in page


def test_staff_revoke_a_certificate_with_a_reason(staff_client, staff):
    certificate = issued()
    revoke_url = reverse("school_certificates:revoke", args=[certificate.pk])

    without_reason = staff_client.post(revoke_url, {"reason": ""})
    certificate.refresh_from_db()
    assert without_reason.context["form"].errors["reason"] and certificate.status == "valid"

    response = staff_client.post(revoke_url, {"reason": "考核成绩复核不合格"})

    assert response.url == reverse("school_certificates:inspect", args=[certificate.pk])
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoked_reason == "考核成绩复核不合格"
    event = CertificateEvent.objects.get(certificate=certificate, action="revoked")
    assert event.actor == staff and event.note == "考核成绩复核不合格"


def test_revoking_twice_is_refused_with_the_services_reason(staff_client):
    certificate = issued()
    services.revoke_certificate(certificate=certificate, actor=StaffFactory(), reason="重复发证")

    response = staff_client.post(
        reverse("school_certificates:revoke", args=[certificate.pk]), {"reason": "again"}, follow=True
    )

    assert "Only a valid certificate can be revoked." in response.content.decode()
    assert CertificateEvent.objects.filter(certificate=certificate, action="revoked").count() == 1


def test_staff_reissue_with_a_corrected_name(staff_client, staff):
    old = issued("王小力")

    response = staff_client.post(
        reverse("school_certificates:reissue", args=[old.pk]),
        {"holder_name": "王小丽", "reason": "姓名录入有误，按身份证更正"},
    )

    old.refresh_from_db()
    new = old.superseded_by
    assert old.status == "superseded" and new.status == "valid" and new.holder_name == "王小丽"
    assert response.url == reverse("school_certificates:inspect", args=[new.pk])
    assert CertificateEvent.objects.get(certificate=old, action="reissued").note == "姓名录入有误，按身份证更正"
    page = staff_client.get(response.url).content.decode()
    assert old.number in page  # "reissued in place of …"


def test_reissuing_a_superseded_certificate_is_refused(staff_client):
    old = issued()
    services.reissue_certificate(certificate=old, actor=StaffFactory(), reason="更正")

    response = staff_client.post(
        reverse("school_certificates:reissue", args=[old.pk]), {"holder_name": "", "reason": "again"}, follow=True
    )

    assert "This certificate has already been replaced." in response.content.decode()
    assert Certificate.objects.filter(enrollment=old.enrollment).count() == 2


def test_a_name_no_font_can_draw_is_refused_on_reissue(staff_client):
    old = issued()

    response = staff_client.post(
        reverse("school_certificates:reissue", args=[old.pk]), {"holder_name": "王\U000f0001丽", "reason": "更正"}
    )

    assert "U+F0001" in response.content.decode()
    old.refresh_from_db()
    assert old.status == "valid" and old.superseded_by is None


# --- The audit log ----------------------------------------------------------------------------------


def test_staff_read_the_audit_log_and_filter_it_by_action(staff_client, staff):
    certificate = issued("王小丽")
    services.record_download(certificate=certificate, actor=StudentFactory(display_name="赵六"))
    services.revoke_certificate(certificate=certificate, actor=staff, reason="证书信息有误")
    log = reverse("school_certificate_events:index")

    everything = staff_client.get(log).content.decode()
    revocations = staff_client.get(log, {"action": "revoked"}).content.decode()

    assert certificate.number in everything
    assert "赵六" in everything and "证书信息有误" in everything
    assert "证书信息有误" in revocations and "陈静" in revocations and "赵六" not in revocations
    long_ago = staff_client.get(log, {"created_at_from": "2000-01-01", "created_at_to": "2000-01-02"})
    assert certificate.number not in long_ago.content.decode()


def test_the_audit_log_cannot_be_edited_even_by_a_superuser(client):
    certificate = issued()
    event = certificate.events.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get(reverse("school_certificate_events:index")).status_code == 200
    assert client.get(reverse("school_certificate_events:edit", args=[event.pk])).status_code in (302, 403)
    assert client.get(reverse("school_certificates:edit", args=[certificate.pk])).status_code in (302, 403)
    assert client.post(reverse("school_certificates:delete", args=[certificate.pk])).status_code in (302, 403)
    assert Certificate.objects.filter(pk=certificate.pk).exists()


# --- Who may ----------------------------------------------------------------------------------------


def instructor_of(certificate):
    teacher = UserFactory(role="instructor", is_staff=False)
    certificate.enrollment.cohort.instructors.add(teacher)
    return teacher


@pytest.mark.parametrize("who", ["instructor", "student"])
def test_instructors_and_students_are_refused_everywhere(client, who):
    certificate = issued()
    template = CertificateTemplateFactory()
    user = instructor_of(certificate) if who == "instructor" else certificate.enrollment.student
    client.force_login(user)
    pages = [
        reverse("school_certificates:index"),
        reverse("school_certificates:inspect", args=[certificate.pk]),
        reverse("school_certificates:revoke", args=[certificate.pk]),
        reverse("school_certificates:reissue", args=[certificate.pk]),
        reverse("school_certificate_events:index"),
        reverse("school_certificate_templates:list"),
        reverse("school_certificate_templates:edit", args=[template.pk]),
        reverse("school_certificate_templates:preview_on_edit", args=[template.pk]),
    ]

    for url in pages:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert certificate.number not in response.content.decode(), url
    client.post(reverse("school_certificates:revoke", args=[certificate.pk]), {"reason": "不喜欢"})
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_staff_without_the_certificate_permission_may_read_but_not_revoke(client):
    # Admin access, but not school staff: the back office shows nothing and revoking is refused.
    clerk = in_english(UserFactory(is_staff=True))
    clerk.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_certificate")
    )
    certificate = issued()
    client.force_login(clerk)

    assert client.get(reverse("school_certificates:index")).status_code == 200
    refused = client.post(reverse("school_certificates:revoke", args=[certificate.pk]), {"reason": "x"})
    assert refused.status_code == 302 and refused.url == reverse("wagtailadmin_home")  # Wagtail's "permission denied"
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_the_certificates_menu_is_for_staff(staff_client):
    dashboard = staff_client.get(reverse("wagtailadmin_home")).content.decode()

    assert "Certificates" in dashboard
    assert reverse("school_certificates:index") in dashboard
    assert reverse("school_certificate_templates:list") in dashboard
    assert reverse("school_certificate_events:index") in dashboard


@pytest.mark.browser
def test_the_preview_panel_shows_the_pdf_in_the_browser(chromium_browser, live_server, staff):
    template = CertificateTemplateFactory(title="结业证书")
    client = Client()
    client.force_login(staff)
    context = chromium_browser.new_context()
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + reverse("school_certificate_templates:edit", args=[template.pk]))
    preview_url = reverse("school_certificate_templates:preview_on_edit", args=[template.pk])

    with page.expect_response(
        lambda response: preview_url in response.url and response.request.method == "GET"
    ) as shown:
        page.click("[data-side-panel-toggle='preview']")

    response = shown.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    page.wait_for_function("() => document.querySelector('#w-preview-iframe')?.src.includes('/preview/')")
    assert not [frame.url for frame in page.frames if frame.url.startswith("chrome-error:")]
