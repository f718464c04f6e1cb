"""Journey 4: staff edit a course page in the Wagtail admin and publish it; visitors see the change at
once, although the page was in the public page cache."""

import re

from django.utils import translation

import pytest

from tests.factories import CohortFactory, CourseFactory, ProgramFactory, StaffFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_publish_a_course_page_and_visitors_see_it_at_once(site, catalogue):
    program = ProgramFactory(name="旅游管理", name_en="Tourism", slug="tourism")
    course = CourseFactory(
        program=program, code="TR-202", title="龙门石窟景区讲解实训", title_en="Longmen Grottoes Guiding"
    )
    CohortFactory(course=course)
    page = catalogue.publish(course, intro="在龙门石窟实地练习讲解。")
    staff = StaffFactory(is_superuser=True)
    if site.english:
        from wagtail.users.models import UserProfile

        UserProfile.objects.update_or_create(user=staff, defaults={"preferred_language": "en"})
    new_intro = "每周六在龙门石窟实地讲解，结业时带一次完整的游客团。"
    path = page.url  # /courses/…, in the default language

    with translation.override(site.language):
        visitor = site.open()
        site.goto(visitor, site.url(path))
        assert visitor.get_by_text("在龙门石窟实地练习讲解。").is_visible()
        visitor.reload()  # the second visit is answered from the public page cache
        assert visitor.get_by_text("在龙门石窟实地练习讲解。").is_visible()

        editor = site.open(staff)
        editor.goto(site.admin_url(f"/admin/pages/{page.pk}/edit/"))
        editor.wait_for_load_state()
        editor.get_by_role("textbox", name=re.compile(rf"^{translation.gettext('introduction')}", re.I)).fill(new_intro)
        site.shot(editor, "1-edit")
        editor.locator("footer .dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
        editor.get_by_role("button", name=translation.gettext("Publish") if site.english else "发布").click()
        editor.wait_for_load_state()

        visitor.reload()
        site.arrive(visitor)
        assert visitor.get_by_text(new_intro).is_visible()
        site.shot(visitor, "2-live")
