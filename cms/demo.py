"""Demo pages for `manage.py seed_demo`: the school's details, the catalogue pages that publish every
course, news and the standard pages. Deterministic and idempotent (pages are found by slug)."""

import hashlib
import io
from datetime import timedelta
from pathlib import Path

from django.core.files.images import ImageFile
from django.utils import timezone

from wagtail.images.models import Image
from wagtail.models import Collection, Page, Site
from wagtail.rich_text import RichText

from cms.models import (
    ContactFormField,
    ContactPage,
    CourseIndexPage,
    CoursePage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    OutcomesPage,
    ProgramPage,
    SchoolSettings,
    StandardPage,
)
from school.models import Course, Program

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
PROGRAM_COLOURS = ["#b3261e", "#1a5fb4", "#26a269", "#c64600", "#613583", "#865e3c", "#0b7285", "#a51d2d"]


def seed_site() -> None:
    """The school's contact details as the footer shows them."""
    site = Site.objects.get(is_default_site=True)
    SchoolSettings.objects.update_or_create(
        site=site,
        defaults={
            "name": "百佳商务培训",
            "address": "河南省洛阳市洛龙区开元大道 188 号百佳大厦 3 楼",
            "phone": "0379-6588 8000",
            "email": "info@baijia.example",
            "opening_hours": "周一至周六 8:30–17:30",
        },
    )


def _picture(title: str, text: str, colour: str) -> Image:
    """A plain coloured banner with the text on it, made here so the demo downloads nothing."""
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    canvas = PILImage.new("RGB", (1200, 675), colour)
    draw = ImageDraw.Draw(canvas)
    if CJK_FONT.exists():
        font = ImageFont.truetype(str(CJK_FONT), 96)
        draw.text((80, 250), text, font=font, fill="#ffffff")
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=80)
    collection = Collection.get_first_root_node().get_children().filter(name="演示图片").first()
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name="演示图片")
    return Image.objects.create(
        title=title,
        description=text,
        collection=collection,
        file=ImageFile(
            io.BytesIO(buffer.getvalue()), name=f"demo-{hashlib.sha256(title.encode()).hexdigest()[:12]}.jpg"
        ),
    )


def _child(parent: Page, page_class, slug: str, **fields) -> Page:
    """The child page with this slug, created or brought up to date, and live."""
    page = page_class.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = page_class(slug=slug, **fields)
        parent.add_child(instance=page)
    else:
        for name, value in fields.items():
            setattr(page, name, value)
        page.save()
    return page


def _course_body(course: Course) -> list:
    hours_left = course.hours
    modules = []
    topics = [cs.skill.name for cs in course.course_skills.select_related("skill")] or [course.title]
    for index, topic in enumerate(topics[:4], start=1):
        hours = max(hours_left // (len(topics[:4]) - index + 1), 1)
        hours_left -= hours
        modules.append(
            {"title": f"模块{index}：{topic}", "hours": hours, "description": f"{topic}的要点、实操练习与考核。"}
        )
    return [
        ("paragraph", RichText(f"<p>{course.summary or course.title}</p>")),
        ("syllabus", {"heading": "课程大纲", "modules": modules}),
        (
            "faq",
            {
                "heading": "常见问题",
                "questions": [
                    {
                        "question": "没有基础可以报名吗？",
                        "answer": RichText("<p>可以。老师从基础讲起，课后有辅导。</p>"),
                    },
                    {
                        "question": "学费可以申请补贴吗？",
                        "answer": RichText(
                            "<p>符合条件的洛阳市户籍或常住人员可申请职业技能培训补贴，详情请咨询学校。</p>"
                            if course.subsidised
                            else "<p>本课程暂不在补贴目录内，可分两期缴费。</p>"
                        ),
                    },
                    {
                        "question": "结业后推荐就业吗？",
                        "answer": RichText("<p>结业并取得证书的学员，学校推荐到合作商家面试。</p>"),
                    },
                ],
            },
        ),
        ("quote", {"quote": "学完就去了合作的门店上班，老师教的都用得上。", "name": "往期学员", "role": "已就业"}),
    ]


def seed_pages() -> dict:
    """Publish every course under its program's page, plus news and the standard pages."""
    home = HomePage.objects.get()
    seed_site()
    courses_index = _child(
        home,
        CourseIndexPage,
        "courses",
        title="课程",
        intro="按专业、上课时间、费用和地点找到适合您的班级。",
        show_in_menus=True,
    )
    program_pages = {}
    for index, program in enumerate(Program.objects.order_by("sort_order")):
        image = _picture(f"专业：{program.name}", program.name, PROGRAM_COLOURS[index % len(PROGRAM_COLOURS)])
        program_pages[program.pk] = _child(
            courses_index,
            ProgramPage,
            program.slug,
            title=program.name,
            program=program,
            intro=program.description,
            hero_image=image,
        )
    existing = set(CoursePage.objects.values_list("course_id", flat=True))
    for course in Course.objects.select_related("program").order_by("program__sort_order", "code"):
        if course.pk in existing:
            continue
        parent = program_pages.get(course.program_id)
        if parent is None:
            continue
        _child(
            parent,
            CoursePage,
            course.code.lower(),
            title=course.title,
            course=course,
            intro=(course.summary or course.title)[:120],
            hero_image=parent.hero_image,
            body=_course_body(course),
        )
    _feature_first_course_of_each_program()

    news_index = _child(home, NewsIndexPage, "news", title="新闻动态", intro="学校动态、开班通知和就业喜讯。")
    today = timezone.localdate()
    news = [
        ("2026-autumn-graduation", "秋季班结业典礼举行，86 名学员取得证书", "涧西区、洛龙区多家合作商家现场招聘。", 3),
        (
            "live-commerce-class-opens",
            "直播电商运营晚班开始报名",
            "下班后也能学，工作日每晚 19:00 上课，名额有限。",
            10,
        ),
        (
            "housekeeping-subsidy",
            "家政服务培训纳入政府补贴目录",
            "符合条件的学员可免费参加育婴员、养老护理员培训。",
            21,
        ),
    ]
    for slug, title, intro, days_ago in news:
        _child(
            news_index,
            NewsPage,
            slug,
            title=title,
            intro=intro,
            date=today - timedelta(days=days_ago),
            body=[("paragraph", RichText(f"<p>{intro}</p><p>欢迎致电 0379-6588 8000 咨询。</p>"))],
        )
    _child(
        home,
        StandardPage,
        "about",
        title="关于我们",
        intro="百佳商务培训扎根洛阳，专注职业技能培训与就业推荐。",
        body=[
            (
                "paragraph",
                RichText(
                    "<p>我们开设家政服务、市场营销、旅游管理、计算机、电子商务和美术设计六大专业，"
                    "面向应往届毕业生和再就业人员，学完推荐到社区合作商家就业。</p>"
                ),
            )
        ],
    )
    _child(
        home,
        OutcomesPage,
        "outcomes",
        title="就业成果",
        intro=RichText(
            "<p>每个专业、每门课程的结业、取证、就业和起薪情况，按结业时间统计近 12 个月的学员。"
            "为保护学员隐私，不足 5 人的数字不予公布。</p>"
        ).source,
        show_in_menus=True,
    )
    contact = _child(
        home,
        ContactPage,
        "contact",
        title="联系我们",
        intro=RichText("<p>留下您的联系方式和想学的专业，我们会在一个工作日内回电。</p>").source,
        thank_you_text=RichText("<p>谢谢！我们会尽快与您联系。</p>").source,
        to_address="info@baijia.example",
        from_address="noreply@baijia.example",
        subject="网站留言",
    )
    if not contact.form_fields.exists():
        for order, (label, field_type, required) in enumerate(
            [
                ("姓名", "singleline", True),
                ("手机号", "singleline", True),
                ("想学的专业", "singleline", False),
                ("留言", "multiline", False),
            ]
        ):
            ContactFormField.objects.create(
                page=contact, sort_order=order, label=label, field_type=field_type, required=required
            )
    return {"course_pages": CoursePage.objects.count(), "program_pages": len(program_pages)}


def _feature_first_course_of_each_program() -> None:
    first_pages = []
    for program in Program.objects.all():
        page = CoursePage.objects.filter(course__program=program).order_by("course__code").first()
        if page:
            first_pages.append(page.pk)
    CoursePage.objects.filter(pk__in=first_pages).update(featured=True)
