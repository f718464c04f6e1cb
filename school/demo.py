"""Demo catalogue for `manage.py seed_demo`: programs, skills, courses, classes and their instructors.

Deterministic and idempotent: rows are found by their natural keys (slug, code, phone) and every
variation comes from a seeded random generator. Class dates are relative to today, so the site always
shows classes open for enrolment; a class code carries its start month, so a run on a later day
replaces the demo classes that no longer fit the schedule (unless someone already depends on them)."""

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, ROLE_ACCOUNTS
from accounts.roles import Role
from school.models import Cohort, Course, CourseSkill, Program, Skill, SkillCategory, SkillLevel
from school.search import search_text_for

User = get_user_model()

SEED = 2026
# `--scale N` adds (N - 1) × this many generated courses to every program.
EXTRA_COURSES_PER_PROGRAM = 10
# Longer timetables are split into more classes per week rather than running for half a year.
MAX_WEEKS = 18
ONLINE_SEATS = 40
ONLINE_ROOMS = ("腾讯会议（会议号开课前一天短信通知）", "钉钉在线课堂（扫码入群后观看直播）")

Level = Course.Level
Status = Cohort.Status


@dataclass(frozen=True)
class Timetable:
    weekdays: tuple[int, ...]
    class_starts: time
    class_ends: time
    hours: int  # teaching hours per day, breaks excluded

    def days_needed(self, course_hours: int) -> int:
        return math.ceil(course_hours / self.hours)

    def weeks_needed(self, course_hours: int) -> int:
        return math.ceil(self.days_needed(course_hours) / len(self.weekdays))

    def first_day_from(self, day: date) -> date:
        while day.isoweekday() not in self.weekdays:
            day += timedelta(days=1)
        return day

    def last_day(self, first_day: date, course_hours: int) -> date:
        remaining, day = self.days_needed(course_hours), first_day
        while True:
            if day.isoweekday() in self.weekdays:
                remaining -= 1
                if remaining == 0:
                    return day
            day += timedelta(days=1)


MWF_MORNINGS = Timetable((1, 3, 5), time(9, 0), time(12, 0), 3)
TUE_THU_AFTERNOONS = Timetable((2, 4), time(14, 0), time(17, 0), 3)
WEEKDAYS_FULL_TIME = Timetable((1, 2, 3, 4, 5), time(8, 30), time(17, 0), 7)
TUE_THU_EVENINGS = Timetable((2, 4), time(19, 0), time(21, 0), 2)
MWF_EVENINGS = Timetable((1, 3, 5), time(19, 0), time(21, 0), 2)
WEEKDAY_EVENINGS = Timetable((1, 2, 3, 4, 5), time(19, 0), time(21, 0), 2)
WEEKENDS = Timetable((6, 7), time(9, 0), time(16, 0), 6)
SATURDAYS = Timetable((6,), time(9, 0), time(16, 0), 6)

HQ = "洛龙区开元大道 188 号百佳大厦"
JIANXI = "涧西区南昌路 26 号涧西分校"
XIGONG = "西工区中州中路 429 号西工教学点"


@dataclass(frozen=True)
class ProgramSpec:
    slug: str
    name: str
    name_en: str
    description: str
    timetables: tuple[Timetable, ...]
    venues: tuple[str, ...]
    capacities: tuple[int, ...]
    online: bool = False  # whether some classes meet online


PROGRAMS = [
    ProgramSpec(
        "housekeeping",
        "家政服务",
        "Housekeeping Services",
        "面向家政、母婴和养老服务岗位，课程以实训室实操为主，结业后可参加职业技能等级认定。"
        "符合条件的洛阳市户籍学员可享受政府职业技能培训补贴。",
        (WEEKDAYS_FULL_TIME, MWF_MORNINGS, TUE_THU_AFTERNOONS, WEEKENDS),
        (f"{XIGONG} 3 楼家政实训室", f"{JIANXI} 2 楼 203 教室", f"{HQ} 3 楼 302 教室"),
        (20, 24, 25, 30),
    ),
    ProgramSpec(
        "marketing",
        "市场营销",
        "Marketing",
        "从市场调研、新媒体内容到销售谈判和客户维护，用本地企业的真实案例教学，帮助学员胜任营销、销售和运营岗位。",
        (TUE_THU_EVENINGS, MWF_EVENINGS, WEEKENDS, SATURDAYS),
        (f"{HQ} 3 楼 301 教室", f"{XIGONG} 5 楼 502 教室"),
        (30, 35, 40),
        online=True,
    ),
    ProgramSpec(
        "tourism",
        "旅游管理",
        "Tourism Management",
        "立足洛阳丰富的文旅资源，培养导游讲解、酒店服务和线路策划人才，在龙门石窟、白马寺、应天门等景区开展现场教学。",
        (MWF_MORNINGS, WEEKENDS, TUE_THU_AFTERNOONS),
        (f"{HQ} 3 楼 303 教室", "老城区西大街 88 号洛邑古城游客中心 2 楼培训室"),
        (20, 25, 30),
    ),
    ProgramSpec(
        "computer",
        "计算机培训",
        "Computer Training",
        "从办公软件到 Python 数据分析和网页制作，小班机房授课，一人一机，适合零基础转行和在职提升。",
        (TUE_THU_EVENINGS, MWF_EVENINGS, WEEKENDS, MWF_MORNINGS),
        (f"{HQ} 3 楼 305 机房", f"{JIANXI} 3 楼 301 机房"),
        (24, 30, 36),
        online=True,
    ),
    ProgramSpec(
        "e-commerce",
        "电子商务",
        "E-commerce",
        "涵盖网店运营、直播带货、短视频和跨境电商，与本地特产商家合作开展实战项目，"
        "部分课程纳入政府补贴培训，符合条件的学员免费参加。",
        (MWF_MORNINGS, WEEKDAYS_FULL_TIME, TUE_THU_EVENINGS, WEEKENDS),
        (f"{HQ} 4 楼 401 教室", f"{XIGONG} 4 楼电商实训室"),
        (20, 25, 30, 40),
        online=True,
    ),
    ProgramSpec(
        "art-design",
        "美术设计",
        "Art & Design",
        "素描色彩打基础，Photoshop、插画和室内设计对接就业，课程作品可直接整理成求职作品集。",
        (WEEKENDS, SATURDAYS, TUE_THU_AFTERNOONS, MWF_EVENINGS, MWF_MORNINGS),
        (f"{HQ} 5 楼 502 画室", f"{JIANXI} 4 楼设计工作室"),
        (15, 16, 18, 20),
    ),
]

# (category name, English name, [(slug, name, English name), ...])
SKILL_TAXONOMY = [
    (
        "家政照护",
        "Home Services & Care",
        [
            ("home-cleaning", "家居保洁", "Home Cleaning"),
            ("home-organising", "收纳整理", "Home Organising"),
            ("maternal-infant-care", "母婴护理", "Maternal and Newborn Care"),
            ("infant-toddler-care", "婴幼儿照护", "Infant and Toddler Care"),
            ("elderly-care", "养老护理", "Elderly Care"),
            ("nutrition-meal-planning", "营养配餐", "Nutrition and Meal Planning"),
        ],
    ),
    (
        "市场营销",
        "Marketing & Sales",
        [
            ("market-research", "市场调研", "Market Research"),
            ("new-media-operations", "新媒体运营", "New Media Operations"),
            ("copywriting", "文案写作", "Copywriting"),
            ("customer-relationship-management", "客户关系管理", "Customer Relationship Management"),
            ("sales-negotiation", "销售谈判", "Sales Negotiation"),
            ("brand-planning", "品牌策划", "Brand Planning"),
        ],
    ),
    (
        "旅游酒店",
        "Tourism & Hospitality",
        [
            ("tour-guiding", "导游讲解", "Tour Guiding"),
            ("scenic-area-service", "景区服务", "Scenic Area Service"),
            ("hotel-front-desk", "酒店前台服务", "Hotel Front Desk Service"),
            ("tour-route-planning", "旅游线路策划", "Tour Route Planning"),
            ("study-tour-organising", "研学旅行组织", "Study Tour Organising"),
        ],
    ),
    (
        "计算机应用",
        "Computing",
        [
            ("office-software", "Office 办公软件", "Office Software"),
            ("excel-data-processing", "Excel 数据处理", "Excel Data Processing"),
            ("pc-maintenance", "计算机组装与维护", "PC Assembly and Maintenance"),
            ("python-programming", "Python 编程", "Python Programming"),
            ("python-data-analysis", "Python 数据分析", "Data Analysis with Python"),
            ("web-design", "网页设计", "Web Design"),
        ],
    ),
    (
        "电子商务",
        "E-commerce",
        [
            ("online-store-operations", "网店运营", "Online Store Operations"),
            ("live-commerce-operations", "直播电商运营", "Live-stream E-commerce Operations"),
            ("ecommerce-customer-service", "电商客服", "E-commerce Customer Service"),
            ("cross-border-ecommerce", "跨境电商", "Cross-border E-commerce"),
            ("short-video-editing", "短视频剪辑", "Short Video Editing"),
            ("product-photography", "商品摄影", "Product Photography"),
        ],
    ),
    (
        "美术设计",
        "Art & Design",
        [
            ("drawing-and-colour", "素描与色彩", "Drawing and Colour"),
            ("photoshop-graphic-design", "Photoshop 平面设计", "Graphic Design with Photoshop"),
            ("hand-drawn-illustration", "手绘插画", "Hand-drawn Illustration"),
            ("interior-design", "室内设计", "Interior Design"),
            ("cad-drafting", "CAD 制图", "CAD Drafting"),
        ],
    ),
    (
        "职业通用",
        "Workplace Essentials",
        [
            ("communication", "沟通表达", "Communication"),
            ("business-etiquette", "职业礼仪", "Business Etiquette"),
            ("first-aid", "急救与安全", "First Aid and Safety"),
            ("business-english", "外贸英语", "English for Foreign Trade"),
        ],
    ),
]

DEMO_INSTRUCTOR_PHONE = next(phone for role, phone, _email, _name in ROLE_ACCOUNTS if role == Role.INSTRUCTOR)
# (phone, e-mail, name, programs taught); the demo instructor account from accounts.demo comes first.
INSTRUCTORS = [
    (DEMO_INSTRUCTOR_PHONE, None, None, ("e-commerce",)),
    ("13800000101", "zhao.shufen@baijia.example", "赵淑芬", ("housekeeping",)),
    ("13800000102", "ma.liping@baijia.example", "马丽萍", ("housekeeping", "tourism")),
    ("13800000103", "sun.haiyan@baijia.example", "孙海燕", ("marketing", "e-commerce")),
    ("13800000104", "liu.yang@baijia.example", "刘洋", ("tourism", "marketing")),
    ("13800000105", "zhou.zhiqiang@baijia.example", "周志强", ("computer", "e-commerce")),
    ("13800000106", "wu.yutong@baijia.example", "吴雨桐", ("art-design", "computer")),
]

# One letter per class of a course: O open for enrolment now, F open but full, P planned (enrolment
# opens later), R running, D done (finished).
KIND_STATUS = {"O": Status.OPEN, "F": Status.FULL, "P": Status.PLANNED, "R": Status.RUNNING, "D": Status.FINISHED}


@dataclass(frozen=True)
class CourseSpec:
    code: str
    title: str
    title_en: str
    hours: int
    level: str
    fee: Decimal
    skills: tuple[tuple[str, int], ...]
    summary: str
    classes: str  # see KIND_STATUS
    prerequisites: tuple[str, ...] = ()
    subsidised: bool = False
    requires_approval: bool = False
    venues: tuple[str, ...] = ()  # where it must meet; otherwise the program's rooms, or online
    lead: str = ""  # phone of the instructor who leads every class
    timetables: tuple[Timetable, ...] = ()  # when it meets; otherwise the program's timetables


FREE = Decimal("0")

COURSES = {
    "housekeeping": [
        CourseSpec(
            "HK-101",
            "家政服务员（初级）",
            "Housekeeping Assistant (Foundation)",
            56,
            Level.BEGINNER,
            FREE,
            (("home-cleaning", 3), ("home-organising", 2), ("business-etiquette", 2)),
            "系统学习家居清洁、衣物洗涤熨烫、收纳整理和家用电器的安全使用，在实训室模拟真实家庭场景反复练习。"
            "课程同时讲解服务礼仪与沟通技巧，结业后推荐到合作家政公司上岗。",
            "OOP",
            subsidised=True,
        ),
        CourseSpec(
            "HK-102",
            "母婴护理（月嫂）实务",
            "Maternity and Newborn Care (Yuesao)",
            120,
            Level.BEGINNER,
            FREE,
            (("maternal-infant-care", 4), ("nutrition-meal-planning", 3), ("first-aid", 2)),
            "围绕产妇护理、新生儿喂养与洗浴、月子餐制作等核心技能，采用模型实操与案例教学相结合。"
            "考核合格可参加母婴护理员职业技能等级认定，洛阳市户籍学员享受政府培训补贴。",
            "ROP",
            subsidised=True,
            venues=(f"{JIANXI} 1 楼母婴护理实训室",),
        ),
        CourseSpec(
            "HK-103",
            "家庭营养配餐",
            "Home Nutrition and Meal Planning",
            48,
            Level.BEGINNER,
            Decimal("980"),
            (("nutrition-meal-planning", 3), ("communication", 1)),
            "学习膳食营养基础、不同人群的配餐原则和家常菜规范制作，兼顾孕产妇、婴幼儿和老人的饮食需求。"
            "每次课都有厨房实操，结课时每位学员带走一套自己设计的一周家庭食谱。",
            "OP",
            venues=(f"{XIGONG} 3 楼烹饪实训室",),
        ),
        CourseSpec(
            "HK-201",
            "婴幼儿照护（育婴员）",
            "Infant and Toddler Care",
            96,
            Level.INTERMEDIATE,
            Decimal("1800"),
            (("infant-toddler-care", 4), ("maternal-infant-care", 2), ("first-aid", 3)),
            "面向 0–3 岁婴幼儿的生活照料、早期发展和常见疾病预防，重点训练辅食添加、睡眠引导和亲子游戏设计。"
            "适合已有母婴护理基础、希望提升服务等级的学员。",
            "OP",
            prerequisites=("HK-102",),
        ),
        CourseSpec(
            "HK-202",
            "养老护理员",
            "Elderly Care Worker",
            120,
            Level.INTERMEDIATE,
            FREE,
            (("elderly-care", 4), ("first-aid", 3), ("nutrition-meal-planning", 2), ("communication", 2)),
            "学习老年人生活照料、基础护理、康复辅助和心理慰藉，并在合作养老机构完成不少于 16 学时的跟岗实习。"
            "结业合格可参加养老护理员职业技能等级认定，培训费用由政府补贴。",
            "DOO",
            subsidised=True,
        ),
    ],
    "marketing": [
        CourseSpec(
            "MK-101",
            "市场营销基础",
            "Marketing Fundamentals",
            48,
            Level.BEGINNER,
            Decimal("1200"),
            (("market-research", 2), ("copywriting", 1), ("communication", 2)),
            "从消费者需求、产品定位到价格和渠道策略，用洛阳本地企业的真实案例讲清营销的基本逻辑。"
            "课程包含一次小组市场调研，帮助零基础学员建立完整的营销思维。",
            "FOOP",  # a popular first class that is full, with a waiting list
        ),
        CourseSpec(
            "MK-201",
            "新媒体运营实战",
            "New Media Operations in Practice",
            64,
            Level.INTERMEDIATE,
            Decimal("2600"),
            (("new-media-operations", 3), ("copywriting", 3), ("short-video-editing", 1)),
            "围绕微信公众号、视频号、抖音和小红书，学习账号定位、内容策划、数据复盘和粉丝运营。"
            "每位学员在课程期间运营一个真实账号，结课时提交运营报告。",
            "OP",
            prerequisites=("MK-101",),
        ),
        CourseSpec(
            "MK-202",
            "销售谈判与客户关系管理",
            "Sales Negotiation and Customer Relationship Management",
            40,
            Level.INTERMEDIATE,
            Decimal("1800"),
            (("sales-negotiation", 3), ("customer-relationship-management", 3), ("communication", 3)),
            "通过情景演练掌握客户开发、需求挖掘、异议处理和谈判成交技巧。"
            "课程还介绍客户分级维护和 CRM 工具的使用，适合销售、客服和门店管理人员。",
            "OO",
        ),
        CourseSpec(
            "MK-301",
            "品牌策划与整合营销",
            "Brand Strategy and Integrated Marketing",
            80,
            Level.ADVANCED,
            Decimal("4200"),
            (("brand-planning", 4), ("market-research", 3), ("new-media-operations", 3)),
            "以一个完整的品牌项目为主线，学习品牌定位、传播策略、活动策划和投放预算管理。"
            "本班小班教学，报名需提交工作经历或作品，经学校审核后确认名额。",
            "OP",
            prerequisites=("MK-101", "MK-201"),
            requires_approval=True,
        ),
    ],
    "tourism": [
        CourseSpec(
            "TR-101",
            "导游基础与讲解技巧",
            "Tour Guiding Fundamentals",
            72,
            Level.BEGINNER,
            Decimal("1600"),
            (("tour-guiding", 3), ("business-etiquette", 2), ("communication", 2)),
            "学习导游业务流程、带团规范和讲解词撰写，结合洛阳十三朝古都的历史文化进行讲解训练。"
            "课程安排应天门、白马寺等景点的现场教学，为考取导游资格证打好基础。",
            "OOP",
        ),
        CourseSpec(
            "TR-102",
            "酒店前台服务",
            "Hotel Front Desk Service",
            48,
            Level.BEGINNER,
            Decimal("1200"),
            (("hotel-front-desk", 3), ("business-etiquette", 3), ("customer-relationship-management", 1)),
            "掌握预订、入住登记、退房结账和客诉处理等前台全流程，熟练使用酒店管理系统。"
            "课程在合作酒店跟班实训，表现优秀的学员可直接获得实习岗位。",
            "OP",
        ),
        CourseSpec(
            "TR-201",
            "旅游线路策划与研学旅行",
            "Tour Route Planning and Study Tours",
            64,
            Level.INTERMEDIATE,
            Decimal("2400"),
            (("tour-route-planning", 3), ("study-tour-organising", 3), ("market-research", 1)),
            "学习旅游产品设计、成本核算和行程安排，并针对中小学研学旅行设计课程化线路。"
            "学员分组完成一条洛阳周边两日游线路，由合作旅行社点评。",
            "OP",
            prerequisites=("TR-101",),
        ),
        CourseSpec(
            "TR-202",
            "龙门石窟景区讲解实训",
            "Longmen Grottoes Guiding Practicum",
            32,
            Level.INTERMEDIATE,
            Decimal("800"),
            (("tour-guiding", 4), ("scenic-area-service", 3)),
            "在龙门石窟景区现场教学，深入讲解奉先寺、宾阳中洞等重点洞窟的历史与造像艺术。"
            "学员轮流带领模拟游客团讲解，由景区资深讲解员逐一点评。",
            "OP",
            prerequisites=("TR-101",),
            venues=("洛龙区龙门石窟景区游客服务中心 2 楼培训室",),
        ),
    ],
    "computer": [
        CourseSpec(
            "IT-101",
            "Office 办公软件应用",
            "Office Software Essentials",
            48,
            Level.BEGINNER,
            Decimal("800"),
            (("office-software", 3), ("excel-data-processing", 2)),
            "系统学习 Word 排版、Excel 表格与函数、PowerPoint 演示文稿制作，全部在机房上机练习。"
            "适合求职、转岗和需要提升办公效率的学员，零基础也能跟上。",
            "DOOP",
        ),
        CourseSpec(
            "IT-102",
            "计算机组装与维护",
            "PC Assembly and Maintenance",
            40,
            Level.BEGINNER,
            Decimal("980"),
            (("pc-maintenance", 3), ("office-software", 1)),
            "动手拆装台式机和笔记本电脑，学习硬件选配、系统安装、网络设置和常见故障排查。"
            "结课后能独立完成家庭和小型办公室的电脑维护。",
            "OP",
            venues=(f"{HQ} 3 楼 306 硬件实训室",),
        ),
        CourseSpec(
            "IT-201",
            "Python 编程与数据分析",
            "Python Programming and Data Analysis",
            120,
            Level.INTERMEDIATE,
            Decimal("3800"),
            (("python-programming", 3), ("python-data-analysis", 3), ("excel-data-processing", 3)),
            "从 Python 语法入门到使用 pandas 清洗、分析和可视化业务数据，案例取材于电商销售和门店经营数据。"
            "结课项目要求完成一份完整的数据分析报告。",
            "OOP",
            prerequisites=("IT-101",),
        ),
        CourseSpec(
            "IT-202",
            "网页设计与制作",
            "Web Page Design and Development",
            96,
            Level.INTERMEDIATE,
            Decimal("3200"),
            (("web-design", 3), ("photoshop-graphic-design", 1)),
            "学习 HTML、CSS 和 JavaScript 基础，掌握响应式布局和常用的网页交互效果。"
            "每位学员为一家本地小店设计并上线一个展示网站，作为求职作品。",
            "OP",
        ),
    ],
    "e-commerce": [
        CourseSpec(
            "EC-101",
            "网店运营入门",
            "Getting Started with Online Store Operations",
            56,
            Level.BEGINNER,
            FREE,
            (("online-store-operations", 2), ("ecommerce-customer-service", 2), ("product-photography", 1)),
            "从开店注册、商品上架、详情页优化到订单与售后处理，带领学员在淘宝、拼多多平台搭建一家店铺。"
            "课程纳入洛阳市政府补贴培训项目，符合条件的学员免费参加。",
            "DROP",  # a finished and a running class, so the instructor and student dashboards show history
            subsidised=True,
            lead=DEMO_INSTRUCTOR_PHONE,
            timetables=(TUE_THU_EVENINGS, WEEKENDS),  # long enough to be running today
        ),
        CourseSpec(
            "EC-102",
            "电商客服实务",
            "E-commerce Customer Service",
            32,
            Level.BEGINNER,
            FREE,
            (("ecommerce-customer-service", 3), ("communication", 2), ("customer-relationship-management", 1)),
            "学习售前咨询、售后处理、差评挽回和客服话术，熟悉千牛等客服工作台的使用。"
            "结业后推荐到本地电商企业从事客服岗位。",
            "OO",
            subsidised=True,
        ),
        CourseSpec(
            "EC-201",
            "直播电商运营",
            "Live-stream E-commerce Operations",
            80,
            Level.INTERMEDIATE,
            FREE,
            (
                ("live-commerce-operations", 4),
                ("short-video-editing", 2),
                ("new-media-operations", 2),
                ("copywriting", 2),
            ),
            "从直播间搭建、选品排品、脚本策划到主播话术和投流复盘，在学校直播实训室进行真实带货演练。"
            "课程与洛阳本地特产商家合作，每位学员结课前完成不少于三场完整直播。",
            "FOOP",
            prerequisites=("EC-101",),
            subsidised=True,
            venues=(f"{HQ} 4 楼直播实训室",),
            lead=DEMO_INSTRUCTOR_PHONE,
            # The evening class is the one the news announces.
            timetables=(WEEKDAY_EVENINGS, WEEKENDS, WEEKDAYS_FULL_TIME),
        ),
        CourseSpec(
            "EC-202",
            "短视频拍摄与剪辑",
            "Short Video Shooting and Editing",
            48,
            Level.BEGINNER,
            Decimal("1600"),
            (("short-video-editing", 3), ("product-photography", 2), ("copywriting", 1)),
            "学习手机拍摄构图、布光以及剪映和 Premiere 剪辑，掌握带货短视频的脚本结构和节奏。"
            "每位学员完成 5 条以上可发布的商品短视频。",
            "OP",
        ),
        CourseSpec(
            "EC-301",
            "跨境电商实战",
            "Cross-border E-commerce in Practice",
            96,
            Level.ADVANCED,
            Decimal("4800"),
            (("cross-border-ecommerce", 4), ("online-store-operations", 3), ("business-english", 2)),
            "面向亚马逊、速卖通和 TikTok Shop，学习选品、国际物流、收款结汇和海外营销。"
            "报名需具备网店运营基础并通过面试，由外贸企业讲师与本校老师联合授课。",
            "OP",
            prerequisites=("EC-101",),
            requires_approval=True,
        ),
    ],
    "art-design": [
        CourseSpec(
            "AD-101",
            "素描与色彩基础",
            "Drawing and Colour Fundamentals",
            64,
            Level.BEGINNER,
            Decimal("1500"),
            (("drawing-and-colour", 3),),
            "从线条、透视、明暗到色彩搭配，循序渐进打好造型基础。"
            "小班画室授课，老师逐一改画，适合零基础和准备学习设计的学员。",
            "OOP",
        ),
        CourseSpec(
            "AD-102",
            "Photoshop 平面设计",
            "Graphic Design with Photoshop",
            72,
            Level.BEGINNER,
            Decimal("2200"),
            (("photoshop-graphic-design", 3), ("drawing-and-colour", 1), ("product-photography", 1)),
            "掌握 Photoshop 图像处理、排版和海报设计，完成电商主图、宣传单页和标志等常见设计任务。"
            "作业按真实客户需求布置，结课可整理成求职作品集。",
            "OOP",
            venues=(f"{HQ} 3 楼 305 机房",),
        ),
        CourseSpec(
            "AD-201",
            "手绘插画",
            "Hand-drawn Illustration",
            80,
            Level.INTERMEDIATE,
            Decimal("2800"),
            (("hand-drawn-illustration", 4), ("drawing-and-colour", 3)),
            "学习角色、场景和商业插画的创作流程，兼顾纸本手绘与 iPad 数字绘画。"
            "课程后半段以洛阳文创产品为主题，优秀作品可参与合作商家的产品开发。",
            "OP",
            prerequisites=("AD-101",),
        ),
        CourseSpec(
            "AD-202",
            "室内设计（CAD + 3ds Max）",
            "Interior Design with CAD and 3ds Max",
            160,
            Level.INTERMEDIATE,
            Decimal("4600"),
            (("interior-design", 3), ("cad-drafting", 3), ("drawing-and-colour", 1)),
            "学习室内空间规划、CAD 施工图绘制和 3ds Max 效果图渲染，结合洛阳本地楼盘户型完成整套家装方案。"
            "适合希望进入家装公司从事设计或绘图工作的学员。",
            "ROP",
            venues=(f"{HQ} 3 楼 305 机房",),
        ),
    ],
}

# Generated courses for `--scale`: (Chinese suffix, English suffix); the first is a follow-up course.
VARIANTS = [
    ("第{n}期进阶班", "Advanced Term {n}"),
    ("第{n}期周末班", "Weekend Term {n}"),
    ("第{n}期精品小班", "Small-group Term {n}"),
    ("第{n}期企业定制班", "Corporate Term {n}"),
]
NEXT_LEVEL = {Level.BEGINNER: Level.INTERMEDIATE, Level.INTERMEDIATE: Level.ADVANCED, Level.ADVANCED: Level.ADVANCED}
GENERATED_CLASSES = ("OP", "OP", "OOP", "OO", "OPP", "FOP")
CLASS_FIELDS = [
    "course",
    "start_date",
    "end_date",
    "weekdays",
    "class_starts",
    "class_ends",
    "time_of_week",
    "delivery",
    "location",
    "capacity",
    "enrolment_opens",
    "enrolment_closes",
    "status",
]


def seed_catalogue(*, scale: int = 1, today: date | None = None) -> dict[str, int]:
    """Create or update the demo catalogue and return how many of each thing it holds. At scale N,
    every program gets (N - 1) × 10 generated courses on top of the hand-written ones."""
    today = today or timezone.localdate()
    programs = _seed_programs()
    skills = _seed_skills()
    teachers = _seed_instructors()
    courses = _seed_courses(programs, skills)
    planned_codes = _seed_classes(courses, teachers, today)
    extra_courses, extra_codes = _seed_generated(scale, programs, courses, skills, teachers, today)
    _remove_stale_classes([*courses.values(), *extra_courses], planned_codes | extra_codes)
    return {
        "programs": len(programs),
        "skills": len(skills),
        "courses": len(courses) + len(extra_courses),
        "cohorts": len(planned_codes) + len(extra_codes),
        "instructors": len({user.pk for pool in teachers.values() for user in pool}),
    }


# The letters in certificate numbers: the pinyin initials of each program's name.
PROGRAM_CODES = {
    "housekeeping": "JZ",
    "marketing": "YX",
    "tourism": "LY",
    "computer": "JSJ",
    "e-commerce": "DS",
    "art-design": "MS",
}


def _seed_programs() -> dict[str, Program]:
    return {
        spec.slug: Program.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "code": PROGRAM_CODES[spec.slug],
                "name": spec.name,
                "name_en": spec.name_en,
                "description": spec.description,
                "sort_order": order,
            },
        )[0]
        for order, spec in enumerate(PROGRAMS, start=1)
    }


def _seed_skills() -> dict[str, Skill]:
    skills = {}
    for order, (category_name, category_name_en, members) in enumerate(SKILL_TAXONOMY, start=1):
        category, _created = SkillCategory.objects.update_or_create(
            name=category_name, defaults={"name_en": category_name_en, "sort_order": order}
        )
        for slug, name, name_en in members:
            skills[slug], _created = Skill.objects.update_or_create(
                slug=slug, defaults={"name": name, "name_en": name_en, "category": category}
            )
    return skills


def _seed_instructors() -> dict[str, list]:
    """Instructor accounts by program slug. The demo instructor account belongs to accounts.demo:
    it is created here only if missing, never changed."""
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    group, _created = Group.objects.get_or_create(name=Role.INSTRUCTOR)
    demo_account = {phone: (email, name) for _role, phone, email, name in ROLE_ACCOUNTS}
    teachers = defaultdict(list)
    for phone, email, name, program_slugs in INSTRUCTORS:
        if phone in demo_account:
            email, name = demo_account[phone]
            user, _created = User.objects.get_or_create(
                phone=phone, defaults={"display_name": name, "email": email, "password": password_hash}
            )
        else:
            user, _created = User.objects.update_or_create(
                phone=phone,
                defaults={"display_name": name, "email": email, "password": password_hash, "is_active": True},
            )
        user.groups.add(group)
        for slug in program_slugs:
            teachers[slug].append(user)
    return teachers


def _seed_courses(programs: dict[str, Program], skills: dict[str, Skill]) -> dict[str, Course]:
    courses = {}
    for program_slug, specs in COURSES.items():
        for spec in specs:
            course, _created = Course.objects.update_or_create(
                code=spec.code,
                defaults={
                    "program": programs[program_slug],
                    "title": spec.title,
                    "title_en": spec.title_en,
                    "summary": spec.summary,
                    "hours": spec.hours,
                    "level": spec.level,
                    "fee": spec.fee,
                    "subsidised": spec.subsidised,
                    "min_attendance_percent": 80,
                    "pass_mark": 60,
                    "requires_approval": spec.requires_approval,
                },
            )
            for slug, level in spec.skills:
                CourseSkill.objects.update_or_create(course=course, skill=skills[slug], defaults={"level": level})
            CourseSkill.objects.filter(course=course).exclude(skill__slug__in=[s for s, _l in spec.skills]).delete()
            courses[spec.code] = course
    for specs in COURSES.values():
        for spec in specs:
            courses[spec.code].prerequisites.set([courses[code] for code in spec.prerequisites])
    return courses


def _plan_classes(
    *,
    timetables: tuple[Timetable, ...] = (),
    course_code: str,
    hours: int,
    kinds: str,
    program: ProgramSpec,
    venues: tuple[str, ...],
    pool: list,
    lead,
    today: date,
    rng: random.Random,
) -> list[tuple[dict, list]]:
    """The classes of one course as (Cohort fields, instructors), in start order, coded by start month."""
    timetables = [t for t in timetables or program.timetables if t.weeks_needed(hours) <= MAX_WEEKS] or [
        WEEKDAYS_FULL_TIME
    ]
    rng.shuffle(timetables)
    seen = defaultdict(int)
    planned = []
    for position, kind in enumerate(kinds):
        timetable = timetables[position % len(timetables)]
        index, seen[kind] = seen[kind], seen[kind] + 1
        start, end = _class_dates(kind, index, timetable, hours, today, rng)
        if kind in "OF":
            opens, closes = today - timedelta(days=rng.randint(3, 20)), start - timedelta(days=1)
        elif kind == "P":
            opens, closes = start - timedelta(days=30), start - timedelta(days=1)
        else:
            opens, closes = start - timedelta(days=rng.randint(25, 40)), start - timedelta(days=1)

        online = not venues and program.online and rng.random() < 0.3
        capacity = ONLINE_SEATS if online else rng.choice(program.capacities)
        first = lead or rng.choice(pool)
        others = [user for user in pool if user != first]
        instructors = [first, rng.choice(others)] if others and rng.random() < 0.35 else [first]
        fields = {
            "start_date": start,
            "end_date": end,
            "weekdays": list(timetable.weekdays),
            "class_starts": timetable.class_starts,
            "class_ends": timetable.class_ends,
            "time_of_week": Cohort.classify_time_of_week(timetable.weekdays, timetable.class_starts),
            "delivery": Cohort.Delivery.ONLINE if online else Cohort.Delivery.ON_SITE,
            "location": rng.choice(ONLINE_ROOMS) if online else rng.choice(venues or program.venues),
            "capacity": capacity,
            "enrolment_opens": opens,
            "enrolment_closes": closes,
            "status": KIND_STATUS[kind],
        }
        planned.append((fields, instructors))

    planned.sort(key=lambda item: item[0]["start_date"])
    per_month = defaultdict(int)
    for fields, _instructors in planned:
        month = fields["start_date"].strftime("%Y-%m")
        fields["code"] = f"{course_code}-{month}{chr(ord('A') + per_month[month])}"
        per_month[month] += 1
    return planned


def _class_dates(kind: str, index: int, timetable: Timetable, hours: int, today: date, rng) -> tuple[date, date]:
    offset = {
        "F": rng.randint(5, 12),
        "O": 7 + 21 * index + rng.randint(0, 14),
        "P": 75 + 30 * index + rng.randint(0, 20),
        "R": -rng.randint(7, 21),
        "D": -rng.randint(70, 130),
    }[kind]
    start = timetable.first_day_from(today + timedelta(days=offset))
    end = timetable.last_day(start, hours)
    if kind == "D":
        while end >= today - timedelta(days=7):
            start, end = start - timedelta(days=7), end - timedelta(days=7)
    if kind == "R" and not start <= today < end:
        raise ValueError(f"A {hours}-hour course cannot be running today on {timetable}: plan it otherwise.")
    return start, end


def _seed_classes(courses: dict[str, Course], teachers: dict[str, list], today: date) -> set[str]:
    specs = {spec.slug: spec for spec in PROGRAMS}
    users = {user.phone: user for pool in teachers.values() for user in pool}
    codes = set()
    for program_slug, course_specs in COURSES.items():
        for spec in course_specs:
            planned = _plan_classes(
                timetables=spec.timetables,
                course_code=spec.code,
                hours=spec.hours,
                kinds=spec.classes,
                program=specs[program_slug],
                venues=spec.venues,
                pool=teachers[program_slug],
                lead=users.get(spec.lead),
                today=today,
                rng=random.Random(f"{SEED}-{spec.code}"),
            )
            for fields, instructors in planned:
                code = fields.pop("code")
                # Seats are taken only by enrolments (school/demo_enrolment.py), never set here.
                cohort, _created = Cohort.objects.update_or_create(
                    code=code, defaults={"course": courses[spec.code], **fields}
                )
                cohort.instructors.set(instructors)
                codes.add(code)
    return codes


def _seed_generated(
    scale: int,
    programs: dict[str, Program],
    courses: dict[str, Course],
    skills: dict[str, Skill],
    teachers: dict[str, list],
    today: date,
) -> tuple[list[Course], set[str]]:
    """Benchmark volume: variants of the hand-written courses, written with bulk queries."""
    count = (scale - 1) * EXTRA_COURSES_PER_PROGRAM
    if count <= 0:
        return [], set()
    program_specs = {spec.slug: spec for spec in PROGRAMS}
    # Looked up by program rather than by a thousand-item IN list of codes.
    existing_courses = dict(Course.objects.filter(program__in=programs.values()).values_list("code", "pk"))
    generated, new_courses, new_skills, new_prerequisites = [], [], [], []
    for program_slug, specs in COURSES.items():
        for n in range(1, count + 1):
            base = specs[(n - 1) % len(specs)]
            variant = (n - 1) // len(specs) % len(VARIANTS)
            title_suffix, title_en_suffix = VARIANTS[variant]
            follow_up, corporate = variant == 0, variant == 3
            course = Course(
                code=f"{base.code[:2]}-{9000 + n}",
                program=programs[program_slug],
                title=f"{base.title}（{title_suffix.format(n=n)}）",
                title_en=f"{base.title_en} ({title_en_suffix.format(n=n)})",
                summary=base.summary,
                hours=base.hours,
                level=NEXT_LEVEL[base.level] if follow_up else base.level,
                fee=base.fee,
                subsidised=base.subsidised,
                min_attendance_percent=80,
                pass_mark=60,
                requires_approval=base.requires_approval or corporate,
            )
            course.search_text = search_text_for(course.title, course.title_en, course.code)
            course.pk = existing_courses.get(course.code)
            generated.append((course, base, program_slug))
            if course.pk is None:
                new_courses.append(course)
    Course.objects.bulk_create(new_courses, batch_size=500)

    new_pks = {course.pk for course in new_courses}
    for course, base, _program_slug in generated:
        if course.pk not in new_pks:
            continue
        bump = 1 if course.level != base.level else 0
        new_skills += [
            CourseSkill(course=course, skill=skills[slug], level=min(level + bump, SkillLevel.EXPERT))
            for slug, level in base.skills
        ]
        if bump:
            new_prerequisites.append(
                Course.prerequisites.through(from_course_id=course.pk, to_course_id=courses[base.code].pk)
            )
    CourseSkill.objects.bulk_create(new_skills, batch_size=500)
    Course.prerequisites.through.objects.bulk_create(new_prerequisites, batch_size=500)

    # Same day, same plan: only classes whose dates moved since the last run need an update.
    compared = [f"{name}_id" if name == "course" else name for name in CLASS_FIELDS]
    existing_classes = {
        code: (pk, rest)
        for code, pk, *rest in Cohort.objects.filter(course__program__in=programs.values()).values_list(
            "code", "pk", *compared
        )
    }
    to_create, to_update, instructors_of, codes = [], [], {}, set()
    for course, base, program_slug in generated:
        # One generator per course, so a course's classes do not depend on the scale.
        rng = random.Random(f"{SEED}-{course.code}")
        planned = _plan_classes(
            course_code=course.code,
            hours=course.hours,
            kinds=rng.choice(GENERATED_CLASSES),
            program=program_specs[program_slug],
            venues=base.venues,
            pool=teachers[program_slug],
            lead=None,
            today=today,
            rng=rng,
        )
        for fields, instructors in planned:
            cohort = Cohort(course=course, **fields)
            cohort.pk, stored = existing_classes.get(cohort.code, (None, None))
            if cohort.pk is None:
                to_create.append(cohort)
            elif stored != [getattr(cohort, name) for name in compared]:
                to_update.append(cohort)
            instructors_of[cohort.code] = instructors
            codes.add(cohort.code)
    Cohort.objects.bulk_update(to_update, CLASS_FIELDS, batch_size=200)
    Cohort.objects.bulk_create(to_create, batch_size=500)
    # A moved class may now hold another slot of the plan, with other instructors.
    Cohort.instructors.through.objects.filter(cohort_id__in=[cohort.pk for cohort in to_update]).delete()
    Cohort.instructors.through.objects.bulk_create(
        [
            Cohort.instructors.through(cohort_id=cohort.pk, user_id=user.pk)
            for cohort in [*to_update, *to_create]
            for user in instructors_of[cohort.code]
        ],
        batch_size=500,
    )
    return [course for course, _base, _slug in generated], codes


def _remove_stale_classes(courses: list[Course], planned_codes: set[str]) -> None:
    """Demo classes planned on an earlier day under another code: delete them, unless something
    (an enrolment, say) already refers to them."""
    course_pks = {course.pk for course in courses}
    stale = [
        pk
        for pk, code, course_pk in Cohort.objects.filter(course__program__in={c.program_id for c in courses})
        .values_list("pk", "code", "course_id")
        .iterator()
        if course_pk in course_pks and code not in planned_codes
    ]
    if not stale:
        return
    unreferenced = Cohort.objects.filter(pk__in=stale)
    for relation in Cohort._meta.related_objects:
        unreferenced = unreferenced.filter(**{f"{relation.name}__isnull": True})
    unreferenced.delete()
