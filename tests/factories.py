import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

import factory

from accounts.roles import Role

PASSWORD = "correct-horse-battery-staple"


def with_role(default: str | None = None) -> factory.PostGeneration:
    """`UserFactory(role=Role.MERCHANT)` puts the user in that role's group."""

    def add_role(user, create, role, **kwargs):
        role = role or default
        if create and role:
            user.groups.add(Group.objects.get_or_create(name=role)[0])

    return factory.PostGeneration(add_role)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"137{n:08d}")
    display_name = factory.Faker("name", locale="zh_CN")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password(PASSWORD)
    role = with_role()


class StudentFactory(UserFactory):
    role = with_role(Role.STUDENT)


class StaffFactory(UserFactory):
    is_staff = True
    role = with_role(Role.STAFF)


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "school.Program"

    name = factory.Sequence(lambda n: f"专业{n}")
    name_en = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")


class SkillCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "school.SkillCategory"

    name = factory.Sequence(lambda n: f"技能类别{n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "school.Skill"

    name = factory.Sequence(lambda n: f"技能{n}")
    slug = factory.Sequence(lambda n: f"skill-{n}")
    category = factory.SubFactory(SkillCategoryFactory)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "school.Course"

    code = factory.Sequence(lambda n: f"C-{n:03d}")
    title = factory.Sequence(lambda n: f"课程{n}")
    program = factory.SubFactory(ProgramFactory)
    hours = 40
    fee = "1200.00"


class CohortFactory(factory.django.DjangoModelFactory):
    """A class that opens for enrolment today, starts in a month and meets weekday mornings."""

    class Meta:
        model = "school.Cohort"

    course = factory.SubFactory(CourseFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.course.code}-{n:03d}")
    start_date = factory.LazyFunction(lambda: days_from_today(30))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=60))
    weekdays = factory.LazyFunction(lambda: [1, 3, 5])
    class_starts = datetime.time(9, 0)
    class_ends = datetime.time(12, 0)
    capacity = 20
    enrolment_opens = factory.LazyFunction(timezone.localdate)
    enrolment_closes = factory.LazyAttribute(lambda o: o.start_date)
    status = "open"


class StudentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "school.StudentProfile"

    user = factory.SubFactory(StudentFactory)
    real_name = factory.LazyAttribute(lambda o: o.user.display_name)
    district = "luolong"


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """An enrolled student holding one of the class's seats (seats_taken is kept in step)."""

    class Meta:
        model = "school.Enrollment"

    student = factory.SubFactory(StudentFactory)
    cohort = factory.SubFactory(CohortFactory)
    status = "enrolled"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.db.models import F

        enrollment = super()._create(model_class, *args, **kwargs)
        if enrollment.status in ("enrolled", "pending"):
            type(enrollment.cohort).objects.filter(pk=enrollment.cohort_id).update(seats_taken=F("seats_taken") + 1)
            enrollment.cohort.refresh_from_db()
        return enrollment


class ClassSessionFactory(factory.django.DjangoModelFactory):
    """One meeting of a class, at the class's usual time."""

    class Meta:
        model = "school.ClassSession"

    cohort = factory.SubFactory(CohortFactory)
    date = factory.LazyAttribute(lambda o: o.cohort.start_date)
    starts = factory.LazyAttribute(lambda o: o.cohort.class_starts)
    ends = factory.LazyAttribute(lambda o: o.cohort.class_ends)


class AssessmentItemFactory(factory.django.DjangoModelFactory):
    """Something a course assesses, out of 100 by default."""

    class Meta:
        model = "school.AssessmentItem"

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"考核项{n}")
    weight = 50
    max_score = 100
    sort_order = factory.Sequence(lambda n: n)


class CompletedEnrollmentFactory(EnrollmentFactory):
    """A student who finished the class (in the past) and passed, with the profile certificates print."""

    class Meta:
        skip_postgeneration_save = True

    cohort = factory.SubFactory(
        CohortFactory,
        start_date=factory.LazyFunction(lambda: days_from_today(-90)),
        end_date=factory.LazyFunction(lambda: days_from_today(-5)),
        enrolment_opens=factory.LazyFunction(lambda: days_from_today(-120)),
        enrolment_closes=factory.LazyFunction(lambda: days_from_today(-91)),
        status="finished",
    )
    status = "completed"
    final_score = "86.50"

    @factory.post_generation
    def profile(enrollment, create, extracted, **kwargs):
        if create and not hasattr(enrollment.student, "student_profile"):
            StudentProfileFactory(user=enrollment.student, **kwargs)


class CertificateTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "school.CertificateTemplate"

    name = factory.Sequence(lambda n: f"证书模板{n}")
    signatory = "校长 王志强"


# --- Jobs -------------------------------------------------------------------------------------------------


class MerchantUserFactory(UserFactory):
    role = with_role(Role.MERCHANT)


class MerchantFactory(factory.django.DjangoModelFactory):
    """An approved partner merchant; `owner` (a user) becomes its owner member when given."""

    class Meta:
        model = "jobs.Merchant"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"洛阳好帮手家政服务有限公司{n}")
    # A valid code (GB 32100 check characters) per sequence number.
    credit_code = factory.Sequence(lambda n: credit_code_for(n))
    industry = "housekeeping"
    district = "jianxi"
    address = "涧西区南昌路 88 号"
    contact_name = "张明"
    contact_phone = "13900000000"
    licence = factory.django.FileField(filename="licence.pdf", data=b"%PDF-1.4\n%%EOF\n")
    status = "approved"

    @factory.post_generation
    def owner(merchant, create, extracted, **kwargs):
        if create and extracted is not None:
            MerchantMemberFactory(merchant=merchant, user=extracted, role="owner")


class MerchantMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "jobs.MerchantMember"

    merchant = factory.SubFactory(MerchantFactory)
    user = factory.SubFactory(MerchantUserFactory)
    role = "recruiter"


class JobCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "jobs.JobCategory"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"职位类别{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class JobPostingFactory(factory.django.DjangoModelFactory):
    """A published posting, open for a month, paying 4,000–6,000 CNY a month."""

    class Meta:
        model = "jobs.JobPosting"

    merchant = factory.SubFactory(MerchantFactory)
    title = factory.Sequence(lambda n: f"育婴师{n}")
    category = factory.SubFactory(JobCategoryFactory)
    description = "<p>负责婴幼儿日常照护。</p>"
    employment_type = "full_time"
    district = "jianxi"
    pay_min = "4000.00"
    pay_max = "6000.00"
    openings = 2
    closing_date = factory.LazyFunction(lambda: days_from_today(30))
    status = "published"
    published_at = factory.LazyFunction(timezone.now)
    search_text = factory.LazyAttribute(lambda o: f"{o.title} {o.merchant.name}")


class GraduateProfileFactory(factory.django.DjangoModelFactory):
    """A graduate's job profile, shared with merchants (consent given) unless told otherwise."""

    class Meta:
        model = "jobs.GraduateProfile"

    user = factory.SubFactory(StudentFactory)
    desired_districts = factory.LazyFunction(lambda: ["jianxi"])
    expected_pay = "5000.00"
    available_from = factory.LazyFunction(timezone.localdate)
    introduction = "做事细心，有育婴经验。"
    shared_with_merchants = True


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "jobs.Application"

    posting = factory.SubFactory(JobPostingFactory)
    graduate = factory.SubFactory(StudentFactory)
    status = "applied"


def credit_code_for(number: int) -> str:
    """A unified social credit code that passes both check characters, different for each number."""
    from jobs.validators import credit_code_check_character, organisation_code_check_character

    organisation = f"MA{number:06d}"
    organisation += organisation_code_check_character(organisation)
    first17 = f"91410305{organisation}"
    return first17 + credit_code_check_character(first17)
