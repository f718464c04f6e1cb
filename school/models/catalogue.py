from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from school.search import search_text_for


class Bilingual(models.Model):
    """Content named in Chinese, with an English name shown when the visitor reads in English."""

    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Program(Bilingual):
    """A major the school teaches, e.g. 家政服务 (housekeeping services)."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    code = models.CharField(
        _("code"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{1,6}$", _("One to six capital letters, e.g. JZ."))],
        help_text=_("Short letters in certificate numbers, e.g. JZ for 家政服务."),
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")


class SkillCategory(Bilingual):
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("skill category")
        verbose_name_plural = _("skill categories")


class Skill(Bilingual):
    """A skill in the school's shared taxonomy; courses teach skills and postings require them."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    category = models.ForeignKey(
        SkillCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="skills"
    )

    class Meta:
        ordering = ["category__sort_order", "name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")


class SkillLevel(models.IntegerChoices):
    BASIC = 1, _("Basic")
    WORKING = 2, _("Working")
    PROFICIENT = 3, _("Proficient")
    ADVANCED = 4, _("Advanced")
    EXPERT = 5, _("Expert")


class Course(ClusterableModel):
    """What the school teaches: hours, fee, skills, and the rule for completing it."""

    class Level(models.TextChoices):
        BEGINNER = "beginner", _("Beginner")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    code = models.CharField(
        _("code"),
        max_length=20,
        help_text=_("Short and unique, e.g. EC-201."),
    )
    title = models.CharField(_("title (Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="courses")
    summary = models.TextField(_("summary"), blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"), validators=[MinValueValidator(1)])
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.BEGINNER)
    fee = models.DecimalField(
        _("fee (CNY)"), max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    subsidised = models.BooleanField(
        _("government subsidised"), default=False, help_text=_("Eligible for the government training subsidy.")
    )
    prerequisites = models.ManyToManyField(
        "self", verbose_name=_("prerequisites"), symmetrical=False, blank=True, related_name="required_by"
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"), default=60, validators=[MaxValueValidator(100)])
    requires_approval = models.BooleanField(
        _("enrolment needs approval"), default=False, help_text=_("Staff approve each enrolment before it counts.")
    )
    certificate_template = models.ForeignKey(
        "school.CertificateTemplate",
        verbose_name=_("certificate template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
        help_text=_("How this course's certificates look; empty for the default template."),
    )
    # Title, English title, code and pinyin (full and initials), for substring search on any database.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["program__sort_order", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.UniqueConstraint(
                Lower("code"),
                name="school_course_code_unique",
                violation_error_message=_("Another course already uses this code."),
            ),
            models.CheckConstraint(
                condition=Q(min_attendance_percent__lte=100) & Q(pass_mark__lte=100),
                name="school_course_percentages",
                violation_error_message=_("Attendance and pass mark are percentages from 0 to 100."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.display_title}"

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        self.search_text = search_text_for(self.title, self.title_en, self.code)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def display_title(self) -> str:
        if self.title_en and (get_language() or "").startswith("en"):
            return self.title_en
        return self.title


class CourseSkill(models.Model):
    course = ParentalKey(Course, on_delete=models.CASCADE, related_name="course_skills")
    skill = models.ForeignKey(Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="course_skills")
    level = models.PositiveSmallIntegerField(_("level"), choices=SkillLevel.choices, default=SkillLevel.WORKING)

    class Meta:
        verbose_name = _("skill taught")
        verbose_name_plural = _("skills taught")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "skill"],
                name="school_courseskill_once",
                violation_error_message=_("This skill is listed twice."),
            )
        ]

    def __str__(self):
        return f"{self.skill} ({self.get_level_display()})"


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


EVENING_FROM = time(18, 0)


class CohortQuerySet(models.QuerySet):
    def upcoming(self):
        """Cohorts a visitor can still join or watch for: not finished, not cancelled, not started."""
        return self.filter(
            status__in=[Cohort.Status.PLANNED, Cohort.Status.OPEN, Cohort.Status.FULL],
            start_date__gte=timezone.localdate(),
        )


class Cohort(models.Model):
    """A class of a course: when and where it meets, how many seats, who teaches."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for enrolment")
        FULL = "full", _("Full")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    class Delivery(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        ONLINE = "online", _("Online")

    class TimeOfWeek(models.TextChoices):
        WEEKDAY = "weekday", _("Weekday daytime")
        EVENING = "evening", _("Weekday evenings")
        WEEKEND = "weekend", _("Weekends")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="cohorts")
    code = models.CharField(_("code"), max_length=30, help_text=_("Unique, e.g. EC-201-2026-03."))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    weekdays = models.JSONField(_("days of the week"), default=list, help_text=_("Monday is 1, Sunday is 7."))
    class_starts = models.TimeField(_("class starts"))
    class_ends = models.TimeField(_("class ends"))
    time_of_week = models.CharField(
        _("time of week"), max_length=10, choices=TimeOfWeek.choices, editable=False, default=TimeOfWeek.WEEKDAY
    )
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.ON_SITE)
    location = models.CharField(
        _("location"), max_length=200, blank=True, help_text=_("Address and room, or the online platform.")
    )
    capacity = models.PositiveSmallIntegerField(_("seats"), validators=[MinValueValidator(1)])
    # Enrolled students; kept by the enrolment services with conditional updates, never by hand.
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), default=0, editable=False)
    enrolment_opens = models.DateField(_("enrolment opens"))
    enrolment_closes = models.DateField(_("enrolment closes"))
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructors"),
        blank=True,
        related_name="cohorts_taught",
        limit_choices_to={"groups__name": "instructor"},
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "code"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.UniqueConstraint(
                Lower("code"),
                name="school_cohort_code_unique",
                violation_error_message=_("Another class already uses this code."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="school_cohort_ends_after_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=Q(enrolment_closes__gte=F("enrolment_opens")),
                name="school_cohort_enrolment_window",
                violation_error_message=_("Enrolment cannot close before it opens."),
            ),
            models.CheckConstraint(
                condition=Q(class_ends__gt=F("class_starts")),
                name="school_cohort_class_time",
                violation_error_message=_("A class must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")),
                name="school_cohort_not_overbooked",
                violation_error_message=_("There are fewer seats than students already enrolled."),
            ),
        ]
        indexes = [models.Index(fields=["status", "start_date"])]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        self.time_of_week = self.classify_time_of_week(self.weekdays, self.class_starts)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "time_of_week"}
        super().save(*args, **kwargs)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_enrolment_open(self) -> bool:
        today = timezone.localdate()
        return self.status == self.Status.OPEN and self.enrolment_opens <= today <= self.enrolment_closes

    @property
    def weekday_labels(self) -> list[str]:
        return [Weekday(day).label for day in self.weekdays]

    def clean(self):
        super().clean()
        errors = {}
        try:
            days = sorted({int(day) for day in self.weekdays or []})
        except (TypeError, ValueError):
            days = []
        if not days or any(day not in Weekday.values for day in days):
            errors["weekdays"] = _("Choose at least one day of the week.")
        self.weekdays = days
        if self.capacity is not None and self.capacity < self.seats_taken:
            errors["capacity"] = _(
                "%(taken)s students are already enrolled: the class needs at least that many seats."
            ) % {"taken": self.seats_taken}
        if self.enrolment_opens and self.start_date and self.enrolment_opens > self.start_date:
            errors["enrolment_opens"] = _("Enrolment must open before the first day.")
        if self.enrolment_closes and self.end_date and self.enrolment_closes > self.end_date:
            errors["enrolment_closes"] = _("Enrolment must close by the last day.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def classify_time_of_week(cls, weekdays, class_starts) -> str:
        """Weekends if it only meets on Saturday/Sunday; evenings if it starts at 18:00 or later."""
        if weekdays and all(int(day) >= Weekday.SATURDAY for day in weekdays):
            return cls.TimeOfWeek.WEEKEND
        if class_starts and class_starts >= EVENING_FROM:
            return cls.TimeOfWeek.EVENING
        return cls.TimeOfWeek.WEEKDAY
