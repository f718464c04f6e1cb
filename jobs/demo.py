"""Demo job board for `manage.py seed_demo`: partner merchants in Luoyang's districts (approved and
pending), job categories mapped to the school's programs, postings in every category, graduates'
job profiles (most shared with merchants) made from the demo's completed students, applications at
every stage, and placements with their follow-ups — all through jobs.services, as the site does.
Deterministic and idempotent: merchants are found by credit code, postings by merchant and title,
profiles by user, applications by posting and graduate; what exists is left alone."""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, ROLE_ACCOUNTS
from accounts.roles import Role
from jobs import services
from jobs.models import (
    Application,
    CandidateInvitation,
    FollowUp,
    GraduateProfile,
    JobCategory,
    JobPosting,
    Merchant,
    MerchantMember,
    Placement,
)
from jobs.outcomes.rows import rebuild_outcomes
from jobs.validators import credit_code_check_character, organisation_code_check_character
from school.models import CourseSkill, Enrollment, Program

User = get_user_model()
SEED = 2028
DEMO_MERCHANT_PHONE = next(phone for role, phone, _email, _name in ROLE_ACCOUNTS if role == Role.MERCHANT)
STAFF_PHONE = next(phone for role, phone, _email, _name in ROLE_ACCOUNTS if role == Role.STAFF)
DEMO_STUDENT_PHONE = next(phone for role, phone, _email, _name in ROLE_ACCOUNTS if role == Role.STUDENT)
# A minimal PDF stands in for each merchant's scanned business licence.
LICENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n%%EOF\n"
)

# Administrative division codes (GB/T 2260) of the districts, as they appear in credit codes.
REGION_CODES = {
    "laocheng": "410302",
    "xigong": "410303",
    "chanhe": "410304",
    "jianxi": "410305",
    "yanshi": "410307",
    "mengjin": "410308",
    "luolong": "410311",
    "yichuan": "410329",
}

# (slug, name, English name, program slugs)
CATEGORIES = [
    ("housekeeping", "家政服务", "Housekeeping and care", ["housekeeping"]),
    ("marketing", "市场营销", "Marketing and sales", ["marketing"]),
    ("tourism", "旅游管理", "Travel and hotels", ["tourism"]),
    ("computer", "计算机", "Computers and offices", ["computer"]),
    ("e-commerce", "电子商务", "E-commerce and live streaming", ["e-commerce", "marketing"]),
    ("art-design", "美术设计", "Design", ["art-design"]),
]


@dataclass(frozen=True)
class MerchantSpec:
    number: int  # makes its credit code
    name: str
    industry: str
    district: str
    address: str
    contact: str
    owner_phone: str
    status: str = "approved"
    trusted: bool = False
    description: str = ""


MERCHANTS = [
    MerchantSpec(
        1,
        "洛阳好帮手家政服务有限公司",
        "housekeeping",
        "jianxi",
        "涧西区南昌路 88 号",
        "张明",
        DEMO_MERCHANT_PHONE,
        trusted=True,
        description="涧西区老牌家政公司，提供育婴、保洁、养老陪护服务，员工持证上岗。",
    ),
    MerchantSpec(
        2,
        "洛阳康馨养老服务中心",
        "housekeeping",
        "luolong",
        "洛龙区开元大道 216 号",
        "刘芳",
        "13800100002",
        description="社区居家养老与日间照料，服务洛龙区十余个社区。",
    ),
    MerchantSpec(
        3,
        "洛阳牡丹城商贸有限公司",
        "retail",
        "xigong",
        "西工区中州中路 300 号",
        "王磊",
        "13800100003",
        trusted=True,
        description="本地连锁商超，门店遍布西工、老城和涧西。",
    ),
    MerchantSpec(
        4,
        "洛邑古城文化旅游有限公司",
        "tourism",
        "laocheng",
        "老城区西大街 88 号",
        "赵静",
        "13800100004",
        description="运营洛邑古城景区，招聘讲解员、游客服务和活动策划人员。",
    ),
    MerchantSpec(
        5,
        "洛阳龙门假日酒店管理有限公司",
        "tourism",
        "luolong",
        "洛龙区龙门大道 599 号",
        "陈洋",
        "13800100005",
        description="龙门石窟附近的商务酒店，提供完善的岗前培训。",
    ),
    MerchantSpec(
        6,
        "洛阳智联网络科技有限公司",
        "it",
        "jianxi",
        "涧西区西苑路 6 号科技园 B 座",
        "孙涛",
        "13800100006",
        description="为本地中小企业提供软件开发、数据处理和网站建设服务。",
    ),
    MerchantSpec(
        7,
        "河洛优品电子商务有限公司",
        "ecommerce",
        "yanshi",
        "偃师区商城路 18 号电商产业园",
        "周婷",
        "13800100007",
        trusted=True,
        description="销售洛阳特产（牡丹饼、浆面条礼盒），拥有自营直播间。",
    ),
    MerchantSpec(
        8,
        "洛阳墨白设计工作室",
        "design",
        "chanhe",
        "瀍河回族区中州东路 66 号",
        "吴昊",
        "13800100008",
        description="品牌视觉、包装与室内设计，作品服务洛阳多家老字号。",
    ),
    MerchantSpec(
        9,
        "孟津小浪底农家乐专业合作社",
        "catering",
        "mengjin",
        "孟津区小浪底镇黄河路 9 号",
        "郑强",
        "13800100009",
        status="pending",
    ),
    MerchantSpec(
        10,
        "伊川县鑫源广告印刷部",
        "design",
        "yichuan",
        "伊川县城关镇人民路 120 号",
        "黄丽",
        "13800100010",
        status="pending",
    ),
]

# (merchant number, category slug, title, employment type, pay min, pay max, pay period, openings)
POSTINGS = [
    (1, "housekeeping", "育婴师（住家）", "full_time", 6000, 8500, "month", 3),
    (1, "housekeeping", "家庭保洁员", "part_time", 28, 35, "hour", 4),
    (2, "housekeeping", "养老护理员", "full_time", 4200, 5500, "month", 3),
    (3, "marketing", "门店销售顾问", "full_time", 3800, 6000, "month", 3),
    (3, "marketing", "新媒体运营专员", "full_time", 4500, 6500, "month", 2),
    (4, "tourism", "景区讲解员", "full_time", 4000, 5500, "month", 3),
    (5, "tourism", "酒店前台接待", "full_time", 3600, 4500, "month", 2),
    (5, "tourism", "暑期导游实习生", "internship", 2000, 2500, "month", 3),
    (6, "computer", "办公文员（熟练 Excel）", "full_time", 3500, 4500, "month", 2),
    (6, "computer", "数据录入员", "hourly", 18, 22, "hour", 4),
    (7, "e-commerce", "直播带货主播", "full_time", 5000, 9000, "month", 3),
    (7, "e-commerce", "网店客服", "part_time", 20, 25, "hour", 3),
    (8, "art-design", "平面设计助理", "full_time", 4000, 5500, "month", 2),
    (8, "art-design", "室内设计绘图员", "full_time", 4500, 6500, "month", 2),
]

INTRODUCTIONS = [
    "做事认真细心，能吃苦，希望找一份稳定的工作。",
    "结业后想尽快上岗，周末也可以上班。",
    "有相关兼职经验，沟通能力强，愿意学习。",
    "家住附近，通勤方便，可以长期工作。",
    "性格开朗，喜欢和人打交道，服从安排。",
]
MESSAGES = ["", "您好，我在百佳学完了相关课程，希望能有面试机会。", "可以随时到店面试。", "我对这个岗位很感兴趣。"]
# The stages demo applications end at, in turn, so every stage has someone in it.
STAGES = ["applied", "screening", "interview", "offer", "hired", "rejected", "withdrawn", "applied", "hired"]
PATHS = {
    "applied": [],
    "screening": ["screening"],
    "interview": ["screening", "interview"],
    "offer": ["interview", "offer"],
    "hired": ["screening", "interview", "offer", "hired"],
    "rejected": ["screening", "rejected"],
    "withdrawn": ["withdrawn"],
}


def credit_code(number: int, district: str) -> str:
    """A unified social credit code with both check characters right (GB 32100 and GB 11714)."""
    organisation = f"MA{number:06d}"
    organisation += organisation_code_check_character(organisation)
    first17 = f"91{REGION_CODES.get(district, '410300')}{organisation}"
    return first17 + credit_code_check_character(first17)


def seed_jobs(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    staff = User.objects.get(phone=STAFF_PHONE)
    categories = _seed_categories()
    merchants = _seed_merchants(staff)
    postings = _seed_postings(merchants, categories, staff, today)
    profiles = _seed_profiles(categories, today)
    _seed_applications(postings, profiles, today)
    _answer_follow_ups(today)
    _invite(postings, profiles)
    # Parts of the demo's record are written in bulk (no signals): count the outcomes from all of it.
    rebuild_outcomes()
    return {
        "merchants": Merchant.objects.count(),
        "job postings": JobPosting.objects.count(),
        "job profiles": GraduateProfile.objects.count(),
        "applications": Application.objects.count(),
        "placements": Placement.objects.count(),
    }


def _seed_categories() -> dict[str, JobCategory]:
    programs = {program.slug: program for program in Program.objects.all()}
    categories = {}
    for order, (slug, name, name_en, program_slugs) in enumerate(CATEGORIES, start=1):
        category, _created = JobCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
        category.programs.set([programs[p] for p in program_slugs if p in programs])
        categories[slug] = category
    return categories


def _owner(spec: MerchantSpec, password: str):
    if spec.owner_phone == DEMO_MERCHANT_PHONE:
        return User.objects.get(phone=spec.owner_phone)
    user, _created = User.objects.get_or_create(
        phone=spec.owner_phone, defaults={"display_name": spec.contact, "password": password}
    )
    return user


def _seed_merchants(staff) -> dict[int, Merchant]:
    password = make_password(DEMO_PASSWORD)
    merchants = {}
    for spec in MERCHANTS:
        code = credit_code(spec.number, spec.district)
        merchant = Merchant.objects.filter(credit_code=code).first()
        if merchant is None:
            merchant = services.merchant_apply(
                user=_owner(spec, password),
                name=spec.name,
                credit_code=code,
                industry=spec.industry,
                district=spec.district,
                address=spec.address,
                contact_name=spec.contact,
                contact_phone=spec.owner_phone,
                description=spec.description,
                licence=ContentFile(LICENCE_PDF, name=f"licence-{spec.number}.pdf"),
            )
            if spec.status == "approved":
                merchant = services.merchant_review(merchant=merchant, reviewer=staff, approve=True)
                if spec.trusted:
                    Merchant.objects.filter(pk=merchant.pk).update(trusted=True)
                    merchant.trusted = True
        merchants[spec.number] = merchant
    return merchants


def _skills_of(category: JobCategory) -> list[tuple]:
    """What the category's entry course teaches (at most at level 2): most of its graduates have it, so
    the demo's recommendations find real matches as well as near-misses."""
    rows = (
        CourseSkill.objects.filter(course__program__in=category.programs.all())
        .select_related("skill")
        .order_by("course__code", "-level", "skill__slug")
    )
    first_course = rows[0].course_id if rows else None
    return [(row.skill, min(row.level, 2)) for row in rows if row.course_id == first_course][:2]


def _seed_postings(merchants, categories, staff, today) -> list[JobPosting]:
    postings = []
    for index, (number, slug, title, kind, pay_min, pay_max, period, openings) in enumerate(POSTINGS):
        merchant = merchants[number]
        posting = JobPosting.objects.filter(merchant=merchant, title=title).first()
        if posting is None:
            owner = merchant.members.get(role=MerchantMember.Role.OWNER).user
            category = categories[slug]
            posting = services.posting_save(
                posting=JobPosting(
                    merchant=merchant,
                    title=title,
                    category=category,
                    description=f"<p>{merchant.description}</p><ul><li>岗位：{title}</li><li>提供岗前培训</li></ul>",
                    employment_type=kind,
                    district=merchant.district,
                    address=merchant.address,
                    pay_min=Decimal(pay_min),
                    pay_max=Decimal(pay_max),
                    pay_period=period,
                    openings=openings,
                    closing_date=today + datetime.timedelta(days=20 + 7 * index),
                ),
                user=owner,
                submit=True,
                skills=_skills_of(category),
            )
            if posting.status == JobPosting.Status.PENDING:
                # The school reviews an untrusted merchant's postings before they go on the board.
                posting = services.posting_review(posting=posting, reviewer=staff, approve=True)
        postings.append(posting)
    return postings


def _seed_profiles(categories, today) -> list[GraduateProfile]:
    """A job profile for each student who completed a course; four in five share it with merchants."""
    completed = (
        Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
        .select_related("student__student_profile", "cohort__course__program")
        .order_by("student__phone", "pk")
    )
    by_student = {}
    for enrollment in completed:
        by_student.setdefault(enrollment.student, enrollment)
    by_program = {}
    for category in categories.values():
        for program in category.programs.all():
            by_program.setdefault(program.pk, category)
    existing = set(GraduateProfile.objects.filter(user__in=list(by_student)).values_list("user_id", flat=True))
    for position, (student, enrollment) in enumerate(by_student.items()):
        if student.pk in existing:
            continue
        rng = random.Random(f"{SEED}-{student.phone}")
        home = getattr(getattr(student, "student_profile", None), "district", "") or "luolong"
        districts = sorted({home, rng.choice(list(REGION_CODES))})
        profile = GraduateProfile.objects.create(
            user=student,
            desired_districts=districts,
            expected_pay=Decimal(rng.choice((3500, 4000, 4500, 5000, 6000))),
            available_from=today + datetime.timedelta(days=rng.choice((0, 0, 7, 14, 30))),
            introduction=rng.choice(INTRODUCTIONS),
        )
        category = by_program.get(enrollment.cohort.course.program_id)
        if category is not None:
            profile.desired_categories.set([category])
        # The demo student shares hers, so her pages show the whole journey; others mostly do.
        if student.phone == DEMO_STUDENT_PHONE or position % 5 != 4:
            services.set_consent(user=student, granted=True)
    return list(
        GraduateProfile.objects.filter(user__in=list(by_student)).select_related("user").order_by("user__phone")
    )


def _seed_applications(postings, profiles, today) -> None:
    """Graduates apply for postings of the work they trained for, and the merchants move them along."""
    if Application.objects.filter(posting__in=postings).exists():
        return  # done by an earlier run
    programs_of = {}
    for enrollment in Enrollment.objects.filter(status=Enrollment.Status.COMPLETED).select_related("cohort__course"):
        programs_of.setdefault(enrollment.student_id, set()).add(enrollment.cohort.course.program_id)
    turn = 0
    for posting in postings:
        trained = set(posting.category.programs.values_list("pk", flat=True))
        candidates = [p for p in profiles if programs_of.get(p.user_id, set()) & trained] or profiles
        rng = random.Random(f"{SEED}-{posting.title}")
        hires_left = posting.openings - 1  # keep one opening free so the posting stays on the board
        recruiter = posting.merchant.members.get(role=MerchantMember.Role.OWNER).user
        for profile in rng.sample(candidates, min(4, len(candidates))):
            stage = STAGES[turn % len(STAGES)]
            turn += 1
            if stage == "hired" and hires_left <= 0:
                stage = "offer"
            application = services.apply(graduate=profile.user, posting=posting, message=rng.choice(MESSAGES))
            _move(application, stage, recruiter, rng, today)
            hires_left -= stage == "hired"
    # The demo student has been invited to an interview for work she trained for.
    student = next((p.user for p in profiles if p.user.phone == DEMO_STUDENT_PHONE), None)
    if student is not None and not Application.objects.filter(graduate=student).exists():
        posting = next(p for p in postings if p.category.slug == "e-commerce")
        application = services.apply(graduate=student, posting=posting, message="我在百佳学完了电商课程。")
        recruiter = posting.merchant.members.get(role=MerchantMember.Role.OWNER).user
        _move(application, "interview", recruiter, random.Random(SEED), today)


def _move(application: Application, stage: str, recruiter, rng, today) -> None:
    for step in PATHS[stage]:
        if step == "withdrawn":
            services.move_application(application=application, to_status=step, actor=application.graduate)
        elif step == "hired":
            services.hire(
                application=application,
                actor=recruiter,
                start_date=today - datetime.timedelta(days=rng.choice((100, 45, 10))),
                pay=application.posting.pay_min,
                pay_period=application.posting.pay_period,
                social_insurance=application.posting.employment_type == "full_time",
            )
        elif step == "interview":
            at = timezone.make_aware(
                datetime.datetime.combine(today + datetime.timedelta(days=rng.randint(1, 7)), datetime.time(10, 0))
            )
            services.move_application(
                application=application,
                to_status=step,
                actor=recruiter,
                interview_at=at,
                interview_place=application.posting.address or application.posting.merchant.address,
            )
        else:
            note = "简历匹配，安排电话沟通" if step == "screening" else ""
            services.move_application(application=application, to_status=step, actor=recruiter, note=note)


def _answer_follow_ups(today) -> None:
    """The follow-ups already due were asked, and answered: every fourth job did not last."""
    services.ask_due_follow_ups(today)
    due = (
        FollowUp.objects.filter(due_on__lte=today, still_employed__isnull=True, placement__ended_on__isnull=True)
        .select_related("placement__graduate")
        .order_by("placement__start_date", "placement_id", "day")
    )
    ended = set()
    for follow_up in due:
        if follow_up.placement_id in ended:
            continue  # the job ended at an earlier follow-up
        lasted = follow_up.placement_id % 4 != 3
        services.answer_follow_up(
            follow_up=follow_up,
            actor=follow_up.placement.graduate,
            still_employed=lasted,
            note="" if lasted else "家里有事，已离职",
        )
        if not lasted:
            ended.add(follow_up.placement_id)


def _invite(postings, profiles) -> None:
    """A few merchants found graduates through candidate search and invited them to apply."""
    if CandidateInvitation.objects.filter(posting__in=postings).exists():
        return  # done by an earlier run
    applied = set(Application.objects.values_list("posting_id", "graduate_id"))
    sharing = [p for p in profiles if p.shared_with_merchants]
    for posting, profile in zip(postings[::4], sharing[::3], strict=False):
        if (posting.pk, profile.user_id) not in applied:
            owner = posting.merchant.members.get(role=MerchantMember.Role.OWNER).user
            services.invite_candidate(posting=posting, graduate=profile.user, actor=owner)
