"""Matching at the school's scale (issue #7): `--graduates` graduates and `--postings` open postings on a
scratch database (SQLite, or the PostgreSQL database DATABASE_URL names, created and dropped by the run),
seeded in bulk in the school's real shape — programs, skill categories, about 60 skills and 60 courses
with the levels they teach, finished classes, completed enrolments, certificates (some revoked or
expired), job profiles with their wishes and declared skills, merchants, postings with requirements and
preferred courses across Luoyang's districts. The matching rows are then built by the product code
(`jobs.matching.features.rebuild_all`).

Measured through the product's own calls: the top 20 candidates for a posting
(`candidates_for_posting`: index refresh check, scoring, confirmation in the database, reasons) and the
top 20 postings for a graduate, each over `--samples` random ones after a first call that loads the
in-process indexes (timed on its own); a placement round of 500 graduates × 200 postings; the same top 20
by a naive loop that reads every row and scores one graduate at a time (the baseline, checked to give the
same ids); the bench process's peak memory, and that of a fresh process that only serves the queries.

Quality: `--planted` postings each get graduates that fit them perfectly by construction (certified in
each of three skills required at a high level, in the posting's district, pay within its range,
available, trained this year, took its preferred course, want its kind of work). `precision_at_5` is the
share of each planted posting's top 5 candidates that are its planted graduates, `graduate_hit_at_5` how
often a planted graduate finds their posting in their own top 5.

`python -m bench.matching --serve SPEC` is the fresh serving process (it reads the sample from SPEC and
prints one JSON line)."""

import datetime
import hashlib
import heapq
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from bench import percentiles_ms, target
from bench.server import BASE_DIR, ScratchDatabase, in_process_scratch

describe = "matching at 100k graduates: top-20 candidates and postings, a placement round, naive baseline, precision"

CANDIDATES_P50_LIMIT_MS = 100
POSTINGS_P50_LIMIT_MS = 50
PLACEMENT_ROUND_LIMIT_S = 5
SPEEDUP_LIMIT = 50
PEAK_RSS_LIMIT_MIB = 1024
PRECISION_LIMIT = 0.9
TOP = 20
ROUND_GRADUATES, ROUND_POSTINGS = 500, 200
MERCHANTS = 200
PLANTED_PER_POSTING = 6
CHUNK = 5000  # graduates written per transaction: memory stays flat whatever --graduates is

# More people live (and want to work) in the city's districts than in the counties.
DISTRICT_WEIGHTS = {
    "jianxi": 14,
    "luolong": 14,
    "xigong": 12,
    "laocheng": 8,
    "chanhe": 6,
    "yanshi": 6,
    "mengjin": 5,
    "yichuan": 5,
    "xin_an": 4,
    "yiyang": 4,
    "ruyang": 3,
    "songxian": 3,
    "luoning": 3,
    "luanchuan": 3,
    "other": 2,
}
# Which program a graduate first trained in (a share of the school's students).
PROGRAM_WEIGHTS = {
    "housekeeping": 22,
    "marketing": 15,
    "tourism": 13,
    "computer": 18,
    "e-commerce": 20,
    "art-design": 12,
}
# Skills beyond the demo catalogue's 38, by skill category (same order as school.demo.SKILL_TAXONOMY),
# so the taxonomy has the ~60 skills of the school's full catalogue.
EXTRA_SKILLS = [
    [
        ("patient-companion-care", "病患陪护", "Patient Companion Care"),
        ("home-cooking", "家庭烹饪", "Home Cooking"),
        ("laundry-and-ironing", "衣物洗涤熨烫", "Laundry and Ironing"),
        ("appliance-cleaning", "家电清洗", "Appliance Cleaning"),
    ],
    [
        ("event-planning", "活动策划", "Event Planning"),
        ("community-operations", "社群运营", "Community Operations"),
        ("data-driven-marketing", "数据营销", "Data-driven Marketing"),
    ],
    [
        ("room-service", "客房服务", "Room Service"),
        ("restaurant-service", "餐厅服务", "Restaurant Service"),
        ("conference-reception", "会展接待", "Conference Reception"),
    ],
    [
        ("database-basics", "数据库基础", "Database Basics"),
        ("network-administration", "网络管理", "Network Administration"),
        ("mini-program-development", "小程序开发", "Mini Program Development"),
    ],
    [
        ("supply-chain-basics", "电商供应链", "E-commerce Supply Chain"),
        ("live-hosting", "直播主播", "Live-stream Hosting"),
        ("ecommerce-analytics", "电商数据分析", "E-commerce Analytics"),
    ],
    [
        ("ui-design", "UI 设计", "UI Design"),
        ("3d-modelling", "三维建模", "3D Modelling"),
        ("packaging-design", "包装设计", "Packaging Design"),
    ],
    [
        ("teamwork", "团队协作", "Teamwork"),
        ("time-management", "时间管理", "Time Management"),
        ("putonghua", "普通话", "Putonghua"),
    ],
]
EXTRA_COURSES = 34  # beyond the demo catalogue's 26: about 60 courses
LEVEL_NAMES = {"beginner": "（初级）", "intermediate": "（中级）", "advanced": "（高级）"}
# The levels a course of each level teaches its skills to (its main skill gets the top one).
TAUGHT_LEVELS = {"beginner": (1, 3), "intermediate": (2, 4), "advanced": (3, 5)}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "丽建国秀英志强海燕文博静怡子涵春梅晓明婷婷雨桐浩然欣怡俊杰佳琪宇航思远梦瑶"
TITLES = {
    "housekeeping": ["家政服务员", "月嫂", "育婴师", "养老护理员", "保洁主管"],
    "marketing": ["销售代表", "新媒体运营", "市场专员", "客户经理", "文案策划"],
    "tourism": ["导游", "酒店前台", "景区讲解员", "旅游顾问", "客房服务员"],
    "computer": ["办公文员", "数据录入员", "网管", "Python 助理工程师", "网页美工"],
    "e-commerce": ["网店运营", "直播助理", "电商客服", "短视频剪辑", "跨境电商专员"],
    "art-design": ["平面设计", "插画师", "室内设计助理", "CAD 绘图员", "UI 设计助理"],
}
INDUSTRY_OF = {
    "housekeeping": "housekeeping",
    "marketing": "retail",
    "tourism": "tourism",
    "computer": "it",
    "e-commerce": "ecommerce",
    "art-design": "design",
}


def add_arguments(parser):
    parser.add_argument("--graduates", type=int, default=100_000, help="graduates (default 100000)")
    parser.add_argument("--postings", type=int, default=5000, help="open postings (default 5000)")
    parser.add_argument("--samples", type=int, default=50, help="queries timed in each direction (default 50)")
    parser.add_argument("--naive", type=int, default=3, help="postings ranked by the naive loop (default 3)")
    parser.add_argument(
        "--planted", type=int, default=40, help=f"postings with {PLANTED_PER_POSTING} ideal graduates (default 40)"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="write cProfile stats of the build and the queries here (the profiler slows what it watches: "
        "figures of a profiled run are flagged and not comparable)",
    )
    parser.add_argument(
        "--sqlite-template",
        metavar="FILE",
        help="on SQLite, start from a copy of this migrated database instead of migrating an empty one "
        "(the smoke test passes its test database: migrating from nothing takes most of a small run)",
    )


def run(options) -> dict:
    if options.samples < 2 or options.naive < 1 or options.planted < 1:
        raise SystemExit("--samples must be at least 2, --naive and --planted at least 1")
    if options.graduates < options.planted * PLANTED_PER_POSTING + ROUND_GRADUATES:
        raise SystemExit(f"--graduates must be at least {options.planted * PLANTED_PER_POSTING + ROUND_GRADUATES}")
    if options.postings < ROUND_POSTINGS:
        raise SystemExit(f"--postings must be at least {ROUND_POSTINGS}")
    return in_process_scratch("matching", lambda folder, database: _measure(options, folder, database))


def _django(database_url: str, folder: Path) -> None:
    # The scratch database and media folders, never the developer's db.sqlite3 or media/.
    os.environ["DATABASE_URL"] = database_url
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(folder / "private-media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baijia.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _rss_mib() -> float:
    """This process's peak resident memory (ru_maxrss, kilobytes on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _own_peak_rss_mib() -> float:
    """The peak of this process's own memory since it started (VmHWM). A process started by a big one
    inherits its parent's ru_maxrss across fork and exec, so the serving process reads this instead."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _rss_mib()


def _measure(options, folder: Path, database: ScratchDatabase) -> dict:
    database.copy_from(options.sqlite_template)
    _django(database.url, folder)
    from django.core.management import call_command
    from django.db import connection

    from jobs.matching import features

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - start

    rng = random.Random(options.seed)
    start = time.perf_counter()
    seeded = _seed(rng, options)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would soon do after a bulk load
    seed_s = time.perf_counter() - start
    seed_rss = _rss_mib()

    start = time.perf_counter()
    with _profiled(options, "features"):
        built = features.rebuild_all()
    features_build_s = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE jobs_candidatefeatures")

    measured = _queries(rng, options, seeded)
    round_ = _placement_round(rng, seeded["staff"])
    naive = _naive_comparison(measured["naive_postings"])
    quality = _quality(seeded)
    serving = _serve_in_child(folder, database.url, measured)
    peak_rss = _rss_mib()

    speedup = naive["naive_candidates_ms"] / measured["candidates"]["p50_ms"]
    result = {
        "benchmark": "matching",
        "database": database.engine,
        "graduates": options.graduates,
        "postings": options.postings,
        "samples": options.samples,
        "seed": options.seed,
        "revision": _revision(),
        "profiled": bool(options.profile),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),  # others share the machine: how busy it was
        "rows": seeded["rows"] | {"candidate_features": built},
        "migrate_s": round(migrate_s, 1),
        "seed_s": round(seed_s, 1),
        "features_build_s": round(features_build_s, 1),
        "features_build_ms_per_person": round(1000 * features_build_s / max(built, 1), 3),
        "index_load_s": round(measured["candidate_index_load_s"] + measured["posting_index_load_s"], 2),
        "candidate_index_load_s": round(measured["candidate_index_load_s"], 2),
        "posting_index_load_s": round(measured["posting_index_load_s"], 3),
        "candidates_p50_ms": measured["candidates"]["p50_ms"],
        "candidates_p95_ms": measured["candidates"]["p95_ms"],
        "candidates": measured["candidates"],
        "postings_p50_ms": measured["postings"]["p50_ms"],
        "postings_p95_ms": measured["postings"]["p95_ms"],
        "postings_for_graduate": measured["postings"],
        "cpu_ms_per_candidates_query": measured["candidates_cpu_ms"],
        "cpu_ms_per_postings_query": measured["postings_cpu_ms"],
        **round_,
        **naive,
        "speedup_vs_naive": round(speedup, 1),
        **quality,
        "seed_peak_rss_mib": round(seed_rss, 1),
        "peak_rss_mib": round(peak_rss, 1),
        "query_peak_rss_mib": serving["peak_rss_mib"],
        "peak_rss_target_on": "query_peak_rss_mib: a fresh process that only loads the indexes and serves the "
        "queries (the bench process also seeded the database and ran the naive loop)",
        "serving_process": serving,
    }
    result["targets"] = [
        target("candidates_p50_ms", measured["candidates"]["p50_ms"], CANDIDATES_P50_LIMIT_MS, "lower"),
        target("postings_p50_ms", measured["postings"]["p50_ms"], POSTINGS_P50_LIMIT_MS, "lower"),
        target("placement_round_s", round_["placement_round_s"], PLACEMENT_ROUND_LIMIT_S, "lower"),
        target("speedup_vs_naive", speedup, SPEEDUP_LIMIT, "higher"),
        target("peak_rss_mib", serving["peak_rss_mib"], PEAK_RSS_LIMIT_MIB, "lower"),
        target("precision_at_5", quality["precision_at_5"], PRECISION_LIMIT, "higher"),
        target("naive_matches_indexed", 1 if naive["naive_matches_indexed"] else 0, 1, "higher"),
    ]
    return result


def _revision() -> str:
    """The commit measured, marked when jobs/matching has uncommitted changes (others work in this checkout)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "jobs/matching"], cwd=BASE_DIR, capture_output=True, text=True
        )
    except OSError:
        return ""
    return head.stdout.strip() + ("+uncommitted jobs/matching" if dirty.stdout.strip() else "")


class _profiled:
    """cProfile the block into DIR/NAME.prof when --profile DIR is given."""

    def __init__(self, options, name: str):
        self.path = Path(options.profile) / f"{name}.prof" if getattr(options, "profile", None) else None
        self.profile = None

    def __enter__(self):
        if self.path:
            import cProfile

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.profile = cProfile.Profile()
            self.profile.enable()
        return self

    def __exit__(self, *exc_info):
        if self.profile:
            self.profile.disable()
            self.profile.dump_stats(self.path)


# --- Seeding ----------------------------------------------------------------------------------------


@dataclass
class Catalogue:
    programs: dict = field(default_factory=dict)  # slug → Program
    skills: list = field(default_factory=list)
    courses: list = field(default_factory=list)
    teaches: dict = field(default_factory=dict)  # course id → {skill id: level}
    cohorts: dict = field(default_factory=dict)  # course id → [Cohort], latest first
    courses_of: dict = field(default_factory=lambda: defaultdict(list))  # program slug → [Course]
    categories: dict = field(default_factory=dict)  # slug → JobCategory
    category_programs: dict = field(default_factory=dict)  # category slug → [program slug]
    template: object = None
    staff: object = None


def _seed(rng: random.Random, options) -> dict:
    from django.db import transaction

    today = _today()
    with transaction.atomic():
        catalogue = _seed_catalogue(rng, today)
        merchants = _seed_merchants(rng, catalogue)
        postings = _seed_postings(rng, catalogue, merchants, options.postings, today)
    planted = options.planted * PLANTED_PER_POSTING
    made = 0
    while made < options.graduates - planted:
        size = min(CHUNK, options.graduates - planted - made)
        with transaction.atomic():
            _seed_graduates(rng, catalogue, made, size, today, postings)
        made += size
    with transaction.atomic():
        ideal, ideal_posting = _plant(rng, catalogue, merchants, options.planted, made, today)
    return {"rows": _row_counts(), "ideal": ideal, "ideal_posting": ideal_posting, "staff": catalogue.staff}


def _row_counts() -> dict:
    from django.contrib.auth import get_user_model

    from jobs.models import DeclaredSkill, GraduateProfile, JobPosting, Merchant, Placement, PostingSkill
    from school.models import Certificate, Cohort, Course, Enrollment, Skill

    return {
        "users": get_user_model().objects.count(),
        "job_profiles": GraduateProfile.objects.count(),
        "shared_profiles": GraduateProfile.objects.filter(shared_with_merchants=True).count(),
        "desired_categories": GraduateProfile.desired_categories.through.objects.count(),
        "declared_skills": DeclaredSkill.objects.count(),
        "completed_enrollments": Enrollment.objects.filter(status=Enrollment.Status.COMPLETED).count(),
        "certificates": Certificate.objects.count(),
        "valid_certificates": Certificate.objects.valid().count(),
        "placements": Placement.objects.count(),
        "skills": Skill.objects.count(),
        "courses": Course.objects.count(),
        "classes": Cohort.objects.count(),
        "merchants": Merchant.objects.count(),
        "open_postings": JobPosting.objects.on_board().count(),
        "posting_requirements": PostingSkill.objects.count(),
    }


def _today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _seed_catalogue(rng: random.Random, today: datetime.date) -> Catalogue:
    """The school's catalogue: the demo's programs, skills and courses (school.demo), grown to about 60
    skills and 60 courses; four finished classes of each course; the job categories of jobs.demo."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.roles import Role
    from jobs.demo import CATEGORIES
    from jobs.models import JobCategory
    from school.demo import COURSES, PROGRAM_CODES, PROGRAMS, SKILL_TAXONOMY
    from school.models import CertificateTemplate, Cohort, Course, CourseSkill, Program, Skill, SkillCategory
    from school.search import search_text_for

    catalogue = Catalogue()
    programs = Program.objects.bulk_create(
        [
            Program(slug=spec.slug, code=PROGRAM_CODES[spec.slug], name=spec.name, name_en=spec.name_en, sort_order=n)
            for n, spec in enumerate(PROGRAMS, start=1)
        ]
    )
    catalogue.programs = {program.slug: program for program in programs}
    skill_categories = SkillCategory.objects.bulk_create(
        [
            SkillCategory(name=name, name_en=name_en, sort_order=n)
            for n, (name, name_en, _m) in enumerate(SKILL_TAXONOMY)
        ]
    )
    specs = [
        (category, slug, name, name_en)
        for category, (_n, _e, members), extra in zip(skill_categories, SKILL_TAXONOMY, EXTRA_SKILLS, strict=True)
        for slug, name, name_en in [*members, *extra]
    ]
    catalogue.skills = Skill.objects.bulk_create(
        [Skill(slug=slug, name=name, name_en=name_en, category=category) for category, slug, name, name_en in specs]
    )
    skill_by_slug = {skill.slug: skill for skill in catalogue.skills}
    # Skill categories follow the programs' order; the last (workplace essentials) belongs to all.
    skills_of_program = {
        spec.slug: [skill for skill in catalogue.skills if skill.category_id == skill_categories[n].pk]
        for n, spec in enumerate(PROGRAMS)
    }
    common = [skill for skill in catalogue.skills if skill.category_id == skill_categories[-1].pk]

    course_specs = []  # (program slug, code, title, title_en, hours, level, {skill: level})
    for slug, specs_of_program in COURSES.items():
        for spec in specs_of_program:
            taught = {skill_by_slug[s]: level for s, level in spec.skills}
            course_specs.append((slug, spec.code, spec.title, spec.title_en, spec.hours, spec.level, taught))
    prefixes = {slug: specs_of_program[0].code.split("-")[0] for slug, specs_of_program in COURSES.items()}
    for n in range(EXTRA_COURSES):
        slug = list(PROGRAM_WEIGHTS)[n % len(PROGRAM_WEIGHTS)]
        level = rng.choices(["beginner", "intermediate", "advanced"], weights=[4, 3, 3])[0]
        low, high = TAUGHT_LEVELS[level]
        main, *others = rng.sample(skills_of_program[slug], rng.randint(2, 3))
        taught = {main: high} | {skill: rng.randint(low, high - 1) for skill in others}
        if rng.random() < 0.4:
            taught.setdefault(rng.choice(common), rng.randint(1, 2))
        course_specs.append(
            (slug, f"{prefixes[slug]}-{401 + n}", main.name + LEVEL_NAMES[level], "", rng.choice([48, 64, 96, 120]),
             level, taught)
        )  # fmt: skip
    template = CertificateTemplate.objects.create(name="压测结业证书", signatory="校长 王志强")
    catalogue.template = template
    catalogue.courses = Course.objects.bulk_create(
        [
            Course(
                code=code,
                title=title,
                title_en=title_en,
                program=catalogue.programs[slug],
                hours=hours,
                level=level,
                fee=Decimal(rng.choice([0, 980, 1800, 2600])),
                certificate_template=template,
                search_text=search_text_for(title, title_en, code),
            )
            for slug, code, title, title_en, hours, level, _taught in course_specs
        ]
    )
    CourseSkill.objects.bulk_create(
        [
            CourseSkill(course=course, skill=skill, level=level)
            for course, spec in zip(catalogue.courses, course_specs, strict=True)
            for skill, level in spec[6].items()
        ]
    )
    for course, spec in zip(catalogue.courses, course_specs, strict=True):
        catalogue.teaches[course.pk] = {skill.pk: level for skill, level in spec[6].items()}
        catalogue.courses_of[spec[0]].append(course)

    # Four finished classes of each course: the latest ended this year, the others one to three years ago.
    cohorts = []
    for course in catalogue.courses:
        for n, ended_days_ago in enumerate(
            [rng.randint(20, 300), rng.randint(370, 700), rng.randint(730, 1000), rng.randint(1000, 1300)]
        ):
            end = today - datetime.timedelta(days=ended_days_ago)
            start = end - datetime.timedelta(days=course.hours // 3 * 2 + 7)
            cohorts.append(
                Cohort(
                    course=course,
                    code=f"{course.code}-B{n + 1}",
                    start_date=start,
                    end_date=end,
                    weekdays=[1, 3, 5],
                    class_starts=datetime.time(9),
                    class_ends=datetime.time(12),
                    capacity=32000,  # finished: seats no longer matter, and the class is big at this scale
                    enrolment_opens=start - datetime.timedelta(days=30),
                    enrolment_closes=start - datetime.timedelta(days=1),
                    status=Cohort.Status.FINISHED,
                    location="洛龙区开元大道 188 号百佳大厦",
                )
            )
    for cohort in Cohort.objects.bulk_create(cohorts):
        catalogue.cohorts.setdefault(cohort.course_id, []).append(cohort)
    for course_cohorts in catalogue.cohorts.values():
        course_cohorts.sort(key=lambda cohort: cohort.end_date, reverse=True)

    categories = JobCategory.objects.bulk_create(
        [
            JobCategory(slug=slug, name=name, name_en=name_en, sort_order=n)
            for n, (slug, name, name_en, _programs) in enumerate(CATEGORIES, start=1)
        ]
    )
    catalogue.categories = {category.slug: category for category in categories}
    catalogue.category_programs = {slug: programs for slug, _n, _e, programs in CATEGORIES}
    JobCategory.programs.through.objects.bulk_create(
        [
            JobCategory.programs.through(jobcategory=catalogue.categories[slug], program=catalogue.programs[program])
            for slug, programs in catalogue.category_programs.items()
            for program in programs
        ]
    )
    User = get_user_model()
    catalogue.staff = User.objects.create(phone="13800000000", display_name="教务处", is_staff=True)
    catalogue.staff.groups.add(Group.objects.get_or_create(name=Role.STAFF)[0])  # runs placement rounds
    return catalogue


def _seed_merchants(rng: random.Random, catalogue: Catalogue) -> list:
    from jobs.demo import credit_code
    from jobs.models import Merchant

    merchants = []
    for n in range(MERCHANTS):
        category = list(catalogue.categories)[n % len(catalogue.categories)]
        district = _weighted(rng, {k: v for k, v in DISTRICT_WEIGHTS.items() if k != "other"})
        merchants.append(
            Merchant(
                name=f"洛阳{rng.choice(SURNAMES)}氏{TITLES[category][0][:2]}服务有限公司{n + 1}",
                credit_code=credit_code(100_000 + n, district),
                industry=INDUSTRY_OF[category],
                district=district,
                address=f"{district} 路 {n + 1} 号",
                contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                contact_phone=f"139{n:08d}",
                licence="merchant-licences/bench.pdf",
                status=Merchant.Status.APPROVED,
            )
        )
    merchants = Merchant.objects.bulk_create(merchants)
    for merchant, n in zip(merchants, range(MERCHANTS), strict=True):
        merchant.category_slug = list(catalogue.categories)[n % len(catalogue.categories)]
    return merchants


def _posting(rng, merchant, category_slug: str, catalogue: Catalogue, today, **fields):
    from jobs.models import JobPosting, PayPeriod

    if "pay_max" not in fields:
        if rng.random() < 0.15:
            low = rng.randint(18, 32)
            fields |= {"pay_min": Decimal(low), "pay_max": Decimal(low + rng.randint(0, 10)), "pay_period": "hour"}
        else:
            low = rng.randrange(3000, 7001, 100)
            fields |= {"pay_min": Decimal(low), "pay_max": Decimal(low + rng.randrange(500, 3001, 100))}
    fields.setdefault("pay_period", PayPeriod.MONTH)
    fields.setdefault("district", merchant.district if rng.random() < 0.8 else _weighted(rng, DISTRICT_WEIGHTS))
    title = rng.choice(TITLES[category_slug])
    return JobPosting(
        merchant=merchant,
        title=title,
        category=catalogue.categories[category_slug],
        description=f"<p>{merchant.name}招聘{title}，提供岗前培训。</p>",
        employment_type="hourly" if fields["pay_period"] == PayPeriod.HOUR else "full_time",
        openings=fields.pop("openings", rng.choice([1, 1, 2, 2, 3, 5])),
        closing_date=today + datetime.timedelta(days=rng.randint(7, 90)),
        status=JobPosting.Status.PUBLISHED,
        published_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=rng.randint(0, 30)),
        search_text=f"{title} {merchant.name}",
        **fields,
    )


def _seed_postings(rng: random.Random, catalogue: Catalogue, merchants, count: int, today) -> list:
    """Published, open postings: 1–4 required skills among those the category's programs teach (mostly
    at working levels), preferred courses for half of them."""
    from jobs.models import JobPosting, PostingSkill

    taught_for = {}
    for slug, programs in catalogue.category_programs.items():
        courses = [course for program in programs for course in catalogue.courses_of[program]]
        skills = sorted({skill for course in courses for skill in catalogue.teaches[course.pk]})
        taught_for[slug] = (courses, skills)
    postings, requirements, preferred = [], [], []
    for n in range(count):
        merchant = merchants[n % len(merchants)]
        slug = merchant.category_slug if rng.random() < 0.85 else rng.choice(list(catalogue.categories))
        postings.append(_posting(rng, merchant, slug, catalogue, today))
        courses, skills = taught_for[slug]
        wanted = rng.sample(skills, min(len(skills), rng.choices([1, 2, 3, 4], weights=[3, 4, 2, 1])[0]))
        requirements.append({skill: rng.choices([1, 2, 3, 4], weights=[25, 40, 30, 5])[0] for skill in wanted})
        preferred.append(rng.sample(courses, rng.choice([0, 0, 1, 2])))
    postings = JobPosting.objects.bulk_create(postings, batch_size=1000)
    PostingSkill.objects.bulk_create(
        [
            PostingSkill(posting=posting, skill_id=skill, min_level=level)
            for posting, wanted in zip(postings, requirements, strict=True)
            for skill, level in wanted.items()
        ],
        batch_size=2000,
    )
    JobPosting.preferred_courses.through.objects.bulk_create(
        [
            JobPosting.preferred_courses.through(jobposting=posting, course=course)
            for posting, courses in zip(postings, preferred, strict=True)
            for course in courses
        ],
        batch_size=2000,
    )
    return postings


@dataclass
class _Graduate:
    """What one graduate is made of before it is written."""

    home: str
    courses: list  # [(Course, Cohort, certificate status or None, expires_on)]
    profile: dict | None  # GraduateProfile fields, plus "categories" and "declared"
    placed_at: object = None  # a JobPosting


def _write_graduates(rng: random.Random, catalogue: Catalogue, first: int, specs: list[_Graduate], today) -> None:
    """Users, student profiles, completed enrolments, certificates, job profiles with their wished-for
    kinds of work and declared skills, and placements, in a few bulk statements each."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.contrib.auth.models import Group

    from accounts.roles import Role
    from jobs.models import DeclaredSkill, GraduateProfile, PayPeriod, Placement
    from school.models import Certificate, Enrollment, StudentProfile
    from school.models.certificates import CODE_ALPHABET, CODE_LENGTH

    UNUSABLE_PASSWORD = UNUSABLE_PASSWORD_PREFIX  # nobody signs in; hashing 100,000 passwords would dominate
    User = get_user_model()
    group, _created = Group.objects.get_or_create(name=Role.STUDENT)
    names = [rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))) for _spec in specs]
    users = User.objects.bulk_create(
        [
            User(phone=f"13{first + n:09d}", display_name=name, password=UNUSABLE_PASSWORD)
            for n, name in enumerate(names)
        ],
        batch_size=2000,
    )
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group=group) for user in users], batch_size=5000
    )
    StudentProfile.objects.bulk_create(
        [
            StudentProfile(
                user=user,
                real_name=user.display_name,
                district=spec.home,
                education=rng.choice(["junior_high", "senior_high", "vocational", "college"]),
                referral_code=f"b{first + n:x}",
                calendar_token=f"bench-{first + n}",
            )
            for n, (user, spec) in enumerate(zip(users, specs, strict=True))
        ],
        batch_size=2000,
    )
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                student=user,
                cohort=cohort,
                status=Enrollment.Status.COMPLETED,
                final_score=Decimal(rng.randint(60, 99)),
                attendance_rate=Decimal(rng.randint(80, 100)),
            )
            for user, spec in zip(users, specs, strict=True)
            for _course, cohort, _certificate, _expires in spec.courses
        ],
        batch_size=2000,
    )
    taken = [entry for spec in specs for entry in spec.courses]
    certificates = []
    for enrollment, (course, cohort, status, expires_on) in zip(enrollments, taken, strict=True):
        if status is None:
            continue
        number = f"BJ-{course.program.code}-{cohort.end_date.year}-{enrollment.pk:07d}"
        certificates.append(
            Certificate(
                enrollment=enrollment,
                number=number,
                code="".join(rng.choices(CODE_ALPHABET, k=CODE_LENGTH)),
                status=status,
                template=catalogue.template,
                holder_name=enrollment.student.display_name,
                course_title=course.title,
                hours=course.hours,
                start_date=cohort.start_date,
                end_date=cohort.end_date,
                final_score=enrollment.final_score,
                issued_on=cohort.end_date + datetime.timedelta(days=3),
                expires_on=expires_on,
                sha256=hashlib.sha256(number.encode()).hexdigest(),
                issued_by=catalogue.staff,
                revoked_at=datetime.datetime.now(datetime.UTC) if status == Certificate.Status.REVOKED else None,
            )
        )
    Certificate.objects.bulk_create(certificates, batch_size=2000)
    with_profile = [(user, spec) for user, spec in zip(users, specs, strict=True) if spec.profile is not None]
    profiles = GraduateProfile.objects.bulk_create(
        [
            GraduateProfile(
                user=user,
                **{k: v for k, v in spec.profile.items() if k not in {"categories", "declared"}},
            )
            for user, spec in with_profile
        ],
        batch_size=2000,
    )
    through = GraduateProfile.desired_categories.through
    wishes = [
        through(graduateprofile=profile, jobcategory=catalogue.categories[slug])
        for profile, (_user, spec) in zip(profiles, with_profile, strict=True)
        for slug in spec.profile["categories"]
    ]
    through.objects.bulk_create(wishes, batch_size=5000)
    declared = [
        DeclaredSkill(profile=profile, skill_id=skill, level=level)
        for profile, (_user, spec) in zip(profiles, with_profile, strict=True)
        for skill, level in spec.profile["declared"].items()
    ]
    DeclaredSkill.objects.bulk_create(declared, batch_size=5000)
    placements = [
        Placement(
            graduate=user,
            merchant_id=spec.placed_at.merchant_id,
            posting=spec.placed_at,
            position=spec.placed_at.title,
            start_date=today - datetime.timedelta(days=rng.randint(10, 200)),
            pay=spec.placed_at.pay_min,
            pay_period=spec.placed_at.pay_period or PayPeriod.MONTH,
        )
        for user, spec in zip(users, specs, strict=True)
        if spec.placed_at is not None
    ]
    Placement.objects.bulk_create(placements)


_NEAR: dict[str, list[str]] = {}


def _near(district: str) -> list[str]:
    """Districts by distance from `district` (itself first); "other" has none near."""
    from jobs.geography import SEATS, nearest_first

    if district not in _NEAR:
        _NEAR[district] = nearest_first(district, list(SEATS)) if district in SEATS else [district]
    return _NEAR[district]


def _seed_graduates(rng: random.Random, catalogue: Catalogue, first: int, count: int, today, postings) -> None:
    """`count` graduates, from phone number `first` on, with realistic spreads: one to three completed
    courses mostly in one program, seven in ten certified (a few revoked or expired), nine in ten with a
    job profile of whom four in five consent to merchants seeing it, one in a hundred already placed."""
    from school.models import Certificate

    program_slugs = list(PROGRAM_WEIGHTS)
    category_of_program = {}
    for slug, programs in catalogue.category_programs.items():
        for program in programs:
            category_of_program.setdefault(program, slug)
    skill_ids = [skill.pk for skill in catalogue.skills]
    specs = []
    for _n in range(count):
        home = _weighted(rng, DISTRICT_WEIGHTS)
        program = _weighted(rng, PROGRAM_WEIGHTS)
        how_many = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        chosen = []
        while len(chosen) < how_many:
            pool = catalogue.courses_of[program if rng.random() < 0.7 else rng.choice(program_slugs)]
            course = rng.choice(pool)
            if course not in chosen:
                chosen.append(course)
        courses = []
        for course in chosen:
            cohort = rng.choice(catalogue.cohorts[course.pk])
            status, expires_on = None, None
            if rng.random() < 0.7:
                status = Certificate.Status.REVOKED if rng.random() < 0.03 else Certificate.Status.VALID
                if rng.random() < 0.1:  # a certificate valid for two years; some have lapsed
                    expires_on = cohort.end_date + datetime.timedelta(days=730)
            courses.append((course, cohort, status, expires_on))
        profile = None
        if rng.random() < 0.9:
            near = _near(home)
            districts = [] if rng.random() < 0.05 else near[: rng.choice([1, 1, 2, 3])]
            wanted = {category_of_program[program]} if rng.random() < 0.8 else set()
            if rng.random() < 0.3:
                wanted.add(rng.choice(list(catalogue.categories)))
            pay, period = None, "month"
            if rng.random() < 0.85:
                pay = Decimal(min(max(round(rng.gauss(5200, 1300), -2), 2500), 12000))
            elif rng.random() < 0.6:
                pay, period = Decimal(rng.randint(18, 35)), "hour"
            declared = rng.choices([0, 1, 2, 3], weights=[4, 3, 2, 1])[0]
            profile = {
                "desired_districts": districts,
                "expected_pay": pay,
                "expected_pay_period": period,
                "available_from": None
                if rng.random() < 0.1
                else today + datetime.timedelta(days=rng.randint(-120, 90)),
                "shared_with_merchants": rng.random() < 0.8,
                "introduction": "做事细心，踏实肯干。",
                "categories": sorted(wanted),
                "declared": {skill: rng.randint(1, 4) for skill in rng.sample(skill_ids, declared)},
            }
        placed_at = rng.choice(postings) if rng.random() < 0.01 else None
        specs.append(_Graduate(home, courses, profile, placed_at))
    _write_graduates(rng, catalogue, first, specs, today)


def _plant(rng: random.Random, catalogue: Catalogue, merchants, count: int, first: int, today):
    """`count` postings, each requiring three skills at level 4 or 5 taught by three different courses,
    and PLANTED_PER_POSTING graduates who fit each perfectly: certified in those courses in their latest
    class (this year), wanting this kind of work in this district, for no more than its pay, available."""
    from jobs.geography import SEATS
    from jobs.models import JobPosting, PostingSkill
    from school.models import Certificate

    high = [
        (course, skill, level)
        for course in catalogue.courses
        for skill, level in catalogue.teaches[course.pk].items()
        if level >= 4
    ]
    category_of_program = {}
    for slug, programs in catalogue.category_programs.items():
        for program in programs:
            category_of_program.setdefault(program, slug)
    program_slug = {program.pk: slug for slug, program in catalogue.programs.items()}
    postings, plans, specs = [], [], []
    for _n in range(count):
        while True:
            picked = rng.sample(high, 3)
            if len({c.pk for c, _s, _l in picked}) == 3 and len({s for _c, s, _l in picked}) == 3:
                break
        first_course = picked[0][0]
        category = category_of_program[program_slug[first_course.program_id]]
        district = rng.choice(list(SEATS))
        merchant = rng.choice(merchants)
        postings.append(
            _posting(
                rng,
                merchant,
                category,
                catalogue,
                today,
                district=district,
                pay_min=Decimal(6000),
                pay_max=Decimal(8000),
                openings=3,
            )
        )
        plans.append((picked, first_course))
        for _g in range(PLANTED_PER_POSTING):
            specs.append(
                _Graduate(
                    home=district,
                    courses=[(c, catalogue.cohorts[c.pk][0], Certificate.Status.VALID, None) for c, _s, _l in picked],
                    profile={
                        "desired_districts": [district],
                        "expected_pay": Decimal(rng.randrange(5000, 8001, 100)),
                        "expected_pay_period": "month",
                        "available_from": today - datetime.timedelta(days=rng.randint(0, 30)),
                        "shared_with_merchants": True,
                        "introduction": "持证上岗，经验丰富。",
                        "categories": [category],
                        "declared": {},
                    },
                )
            )
    postings = JobPosting.objects.bulk_create(postings)
    PostingSkill.objects.bulk_create(
        [
            PostingSkill(posting=posting, skill_id=skill, min_level=level)
            for posting, (picked, _c) in zip(postings, plans, strict=True)
            for _course, skill, level in picked
        ]
    )
    JobPosting.preferred_courses.through.objects.bulk_create(
        [
            JobPosting.preferred_courses.through(jobposting=posting, course=course)
            for posting, (_picked, course) in zip(postings, plans, strict=True)
        ]
    )
    _write_graduates(rng, catalogue, first, specs, today)
    from django.contrib.auth import get_user_model

    users = list(
        get_user_model()
        .objects.filter(phone__gte=f"13{first:09d}", phone__lt=f"13{first + len(specs):09d}")
        .order_by("phone")
        .values_list("pk", flat=True)
    )
    ideal, ideal_posting = {}, {}
    for n, posting in enumerate(postings):
        members = users[n * PLANTED_PER_POSTING : (n + 1) * PLANTED_PER_POSTING]
        ideal[posting.pk] = set(members)
        ideal_posting |= dict.fromkeys(members, posting.pk)
    return ideal, ideal_posting


# --- Measuring ------------------------------------------------------------------------------------


def _open_posting_ids() -> list[int]:
    from django.db.models import F

    from jobs.models import JobPosting

    return sorted(JobPosting.objects.on_board().filter(hired_count__lt=F("openings")).values_list("pk", flat=True))


def _timed_calls(call, items) -> tuple[list[float], float, list[int]]:
    """Wall-clock seconds of each call, this process's CPU seconds in all, and each call's result size."""
    seconds, sizes = [], []
    cpu = time.process_time()
    for item in items:
        start = time.perf_counter()
        sizes.append(len(call(item)))
        seconds.append(time.perf_counter() - start)
    return seconds, time.process_time() - cpu, sizes


def _queries(rng: random.Random, options, seeded: dict) -> dict:
    """The product's two recommendation calls over random postings and graduates, after a first call
    each that loads this process's indexes."""
    from django.contrib.auth import get_user_model

    from jobs.matching import recommend
    from jobs.models import CandidateFeatures, JobPosting

    recommend.live.reset()
    posting_ids = rng.sample(_open_posting_ids(), options.samples + 1)
    postings = JobPosting.objects.in_bulk(posting_ids)
    user_ids = rng.sample(sorted(CandidateFeatures.objects.values_list("user_id", flat=True)), options.samples + 1)
    users = get_user_model().objects.in_bulk(user_ids)

    start = time.perf_counter()
    recommend.candidates_for_posting(postings[posting_ids[0]], limit=TOP)
    candidate_index_load_s = time.perf_counter() - start
    start = time.perf_counter()
    recommend.postings_for_graduate(users[user_ids[0]], limit=TOP)
    posting_index_load_s = time.perf_counter() - start

    with _profiled(options, "candidates"):
        candidates, candidates_cpu, candidate_counts = _timed_calls(
            lambda pk: recommend.candidates_for_posting(postings[pk], limit=TOP), posting_ids[1:]
        )
    with _profiled(options, "postings"):
        for_graduates, postings_cpu, posting_counts = _timed_calls(
            lambda pk: recommend.postings_for_graduate(users[pk], limit=TOP), user_ids[1:]
        )
    return {
        "candidate_index_load_s": candidate_index_load_s,
        "posting_index_load_s": posting_index_load_s,
        "candidates": percentiles_ms(candidates) | {"mean_results": round(statistics.mean(candidate_counts), 1)},
        "postings": percentiles_ms(for_graduates) | {"mean_results": round(statistics.mean(posting_counts), 1)},
        "candidates_cpu_ms": round(1000 * candidates_cpu / len(candidates), 2),
        "postings_cpu_ms": round(1000 * postings_cpu / len(for_graduates), 2),
        "posting_ids": posting_ids,
        "user_ids": user_ids,
        "naive_postings": [postings[pk] for pk in posting_ids[1 : options.naive + 1]],
    }


def _placement_round(rng: random.Random, staff) -> dict:
    """A round of ROUND_GRADUATES consenting, unplaced graduates × ROUND_POSTINGS open postings. Timed
    through the placement-round service (`round_propose`, after `round_create`) where it exists, and
    through jobs.matching.rounds on its own in any case: rows loaded, scored, filtered by the graduates'
    wishes and the minimum score, and assigned within each posting's openings."""
    from jobs.models import CandidateFeatures

    eligible = sorted(CandidateFeatures.objects.filter(shared=True, placed=False).values_list("user_id", flat=True))
    graduate_ids = rng.sample(eligible, ROUND_GRADUATES)
    posting_ids = rng.sample(_open_posting_ids(), ROUND_POSTINGS)
    core = _round_core(graduate_ids, posting_ids)
    try:
        from jobs.placement_rounds import round_create, round_propose
    except ImportError:
        return {
            "placement_round_s": core["seconds"],
            "placement_round_timed": "jobs.matching.rounds: rows and posting vectors loaded, CandidateIndex.from_rows, "
            "score_matrix, preferences_allow & MIN_PROPOSAL_SCORE, optimal_assignment",
            "placement_round": core,
        }
    start = time.perf_counter()
    placement_round = round_create(name="压测轮次", graduates=graduate_ids, postings=posting_ids, actor=staff)
    created = time.perf_counter()
    round_propose(round=placement_round, actor=staff)
    proposed = time.perf_counter()
    scores = [float(s) for s in placement_round.proposals.exclude(posting=None).values_list("score", flat=True)]
    return {
        "placement_round_s": round(proposed - created, 3),
        "placement_round_timed": "jobs.placement_rounds.round_propose (the round made by round_create first, "
        "timed apart as round_create_s)",
        "placement_round": {
            "round_create_s": round(created - start, 3),
            "round_propose_s": round(proposed - created, 3),
            "proposed": len(scores),
            "mean_proposed_score": round(statistics.mean(scores), 1) if scores else 0,
            "core": core,
        },
    }


def _round_core(graduate_ids, posting_ids) -> dict:
    """jobs.matching.rounds alone, wall clock from reading the rows to the assignment."""
    from jobs.matching import score
    from jobs.matching.features import posting_vector, postings_with_requirements
    from jobs.matching.index import CandidateIndex
    from jobs.matching.rounds import optimal_assignment, preferences_allow, score_matrix
    from jobs.models import CandidateFeatures, JobPosting

    today = _today()
    start = time.perf_counter()
    rows = list(CandidateFeatures.objects.filter(user_id__in=graduate_ids).order_by("user_id"))
    postings = list(postings_with_requirements(JobPosting.objects.filter(pk__in=posting_ids).order_by("pk")))
    vectors = [posting_vector(posting) for posting in postings]
    loaded = time.perf_counter()
    index = CandidateIndex.from_rows(rows)
    scores = score_matrix(index, vectors, today)
    allowed = preferences_allow(index, vectors) & (scores >= score.MIN_PROPOSAL_SCORE)
    scored = time.perf_counter()
    assignment = optimal_assignment(scores, [p.openings - p.hired_count for p in postings], allowed)
    done = time.perf_counter()
    chosen = [(g, p) for g, p in assignment.items() if p is not None]
    return {
        "seconds": round(done - start, 3),
        "graduates": len(rows),
        "postings": len(vectors),
        "slots": int(sum(p.openings - p.hired_count for p in postings)),
        "allowed_pairs": int(allowed.sum()),
        "assigned": len(chosen),
        "mean_assigned_score": round(statistics.mean(float(scores[g, p]) for g, p in chosen), 1) if chosen else 0,
        "load_s": round(loaded - start, 3),
        "score_s": round(scored - loaded, 3),
        "assign_s": round(done - scored, 3),
    }


def _naive_top(posting, limit: int, today) -> list[int]:
    """The best `limit` candidates for `posting` the straightforward way: every CandidateFeatures row
    read through the ORM, and each eligible graduate scored on their own by the same formula."""
    from jobs.matching import score
    from jobs.matching.features import posting_vector, postings_with_requirements
    from jobs.matching.index import CandidateIndex
    from jobs.models import Application, CandidateFeatures, JobPosting

    vector = posting_vector(postings_with_requirements(JobPosting.objects.filter(pk=posting.pk)).get())
    applied = set(Application.objects.filter(posting=posting).values_list("graduate_id", flat=True))
    best: list[tuple[float, int]] = []  # (score, -user id): the heap's smallest is the worst kept
    for row in CandidateFeatures.objects.all().iterator(chunk_size=2000):
        if not row.shared or row.placed or row.user_id in applied:
            continue
        total = float(score.total(CandidateIndex.from_rows([row]).components(vector, today))[0])
        entry = (total, -row.user_id)
        if len(best) < limit:
            heapq.heappush(best, entry)
        elif entry > best[0]:
            heapq.heapreplace(best, entry)
    return [-negative_id for _total, negative_id in sorted(best, reverse=True)]


def _naive_comparison(postings) -> dict:
    from jobs.matching.recommend import candidates_for_posting

    today = _today()
    seconds, cpu, matches = [], [], []
    for posting in postings:
        indexed = [match.user_id for match in candidates_for_posting(posting, limit=TOP)]
        start, started_cpu = time.perf_counter(), time.process_time()
        naive = _naive_top(posting, TOP, today)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - started_cpu)
        matches.append(naive == indexed)
    return {
        "naive_postings": len(postings),
        "naive_candidates_ms": round(1000 * statistics.mean(seconds), 1),
        "naive_candidates_samples_ms": [round(1000 * s, 1) for s in seconds],
        "naive_cpu_ms": round(1000 * statistics.mean(cpu), 1),
        "naive_matches_indexed": all(matches),
    }


def _quality(seeded: dict) -> dict:
    """precision_at_5 over the planted postings; graduate_hit_at_5 over their planted graduates. A miss
    where the fifth posting shown scores as high as the planted one is a tie (ties go to the lower id,
    and the planted postings were made last), not a worse posting ranked first: counted apart."""
    from django.contrib.auth import get_user_model

    from jobs.matching.recommend import candidates_for_posting, match_pair, postings_for_graduate
    from jobs.models import JobPosting

    ideal, ideal_posting = seeded["ideal"], seeded["ideal_posting"]
    planted = JobPosting.objects.in_bulk(list(ideal))
    precision = []
    for pk in sorted(ideal):
        top = [match.user_id for match in candidates_for_posting(planted[pk], limit=5)]
        precision.append(len(set(top) & ideal[pk]) / 5)
    hits, behind_ties = [], 0
    for user in get_user_model().objects.filter(pk__in=list(ideal_posting)).order_by("pk"):
        top = postings_for_graduate(user, limit=5)
        hits.append(ideal_posting[user.pk] in [match.posting_id for match in top])
        if not hits[-1] and top:
            behind_ties += top[-1].score >= match_pair(user, planted[ideal_posting[user.pk]]).score - 1e-9
    return {
        "planted_postings": len(precision),
        "planted_graduates": len(hits),
        "precision_at_5": round(statistics.mean(precision), 3),
        "planted_postings_with_a_miss": sum(1 for p in precision if p < 1),
        "graduate_hit_at_5": round(sum(hits) / len(hits), 3),
        "graduate_misses": hits.count(False),
        "graduate_misses_behind_ties": int(behind_ties),
    }


def _serve_in_child(folder: Path, database_url: str, measured: dict) -> dict:
    """The serving side's memory: a fresh process that loads the indexes and answers the same queries."""
    spec = folder / "serve.json"
    spec.write_text(
        json.dumps(
            {"database_url": database_url, "posting_ids": measured["posting_ids"], "user_ids": measured["user_ids"]}
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "bench.matching", "--serve", str(spec)],
        cwd=BASE_DIR,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if done.returncode:
        raise RuntimeError(f"the serving process failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _serve(spec_path: Path) -> int:
    spec = json.loads(spec_path.read_text())
    _django(spec["database_url"], spec_path.parent)
    from django.contrib.auth import get_user_model

    from jobs.matching import recommend
    from jobs.models import JobPosting

    postings = JobPosting.objects.in_bulk(spec["posting_ids"])
    users = get_user_model().objects.in_bulk(spec["user_ids"])
    ready_rss = _own_peak_rss_mib()
    start = time.perf_counter()
    recommend.candidates_for_posting(postings[spec["posting_ids"][0]], limit=TOP)
    recommend.postings_for_graduate(users[spec["user_ids"][0]], limit=TOP)
    index_load_s = time.perf_counter() - start
    candidates, _cpu, _sizes = _timed_calls(
        lambda pk: recommend.candidates_for_posting(postings[pk], limit=TOP), spec["posting_ids"][1:]
    )
    for_graduates, _cpu, _sizes = _timed_calls(
        lambda pk: recommend.postings_for_graduate(users[pk], limit=TOP), spec["user_ids"][1:]
    )
    index = recommend.live.candidates
    arrays = [getattr(index, name) for name in (*index.VECTORS, *index.MATRICES)]
    result = {
        "peak_rss_mib": round(_own_peak_rss_mib(), 1),
        "inherited_ru_maxrss_mib": round(_rss_mib(), 1),
        "rss_before_indexes_mib": round(ready_rss, 1),
        "candidate_index_mib": round(sum(array.nbytes for array in arrays) / 2**20, 1),
        "index_load_s": round(index_load_s, 2),
        "candidates_p50_ms": percentiles_ms(candidates)["p50_ms"],
        "postings_p50_ms": percentiles_ms(for_graduates)["p50_ms"],
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--serve":
        raise SystemExit("usage: python -m bench.matching --serve SPEC (the benchmark is python -m bench matching)")
    sys.exit(_serve(Path(sys.argv[2])))
