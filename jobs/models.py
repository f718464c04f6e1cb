"""Partner merchants, their job postings, graduates' job profiles, applications and placements.

`jobs` reads what the school proves (completed courses, valid certificates) and never writes it."""

import secrets

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.fields import RichTextField

from baijia.storage import private_storage
from jobs.matching.score import MIN_PROPOSAL_SCORE
from jobs.validators import validate_credit_code
from school.models import LUOYANG_DISTRICTS, SkillLevel


class Industry(models.TextChoices):
    HOUSEKEEPING = "housekeeping", _("Housekeeping and elderly care")
    RETAIL = "retail", _("Retail and shops")
    CATERING = "catering", _("Catering")
    TOURISM = "tourism", _("Travel and hotels")
    ECOMMERCE = "ecommerce", _("E-commerce and live streaming")
    IT = "it", _("Computers and offices")
    DESIGN = "design", _("Design and printing")
    OTHER = "other", _("Other")


class Merchant(models.Model):
    """A partner business. Staff approve it before it can post."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("business name"), max_length=100)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices)
    district = models.CharField(_("district"), max_length=20, choices=LUOYANG_DISTRICTS)
    address = models.CharField(_("address"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    description = models.TextField(_("about the business"), blank=True)
    licence = models.FileField(
        _("business licence"),
        upload_to="merchant-licences/",
        storage=private_storage,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "pdf"])],
        help_text=_("A photo or scan (JPEG, PNG or PDF, at most 5 MB)."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    review_reason = models.CharField(_("reason"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    trusted = models.BooleanField(
        _("trusted"), default=False, help_text=_("Its postings are published without review.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class MerchantMember(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        RECRUITER = "recruiter", _("Recruiter")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.RECRUITER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("merchant member")
        verbose_name_plural = _("merchant members")
        constraints = [models.UniqueConstraint(fields=["merchant", "user"], name="one_membership_per_merchant")]

    def __str__(self):
        return f"{self.merchant} · {self.user}"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class MerchantInvitation(models.Model):
    """The owner invites a colleague by mobile or e-mail; the link signs them up or in and joins them."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="invitations")
    contact = models.CharField(_("mobile or e-mail"), max_length=254)
    role = models.CharField(_("role"), max_length=10, choices=MerchantMember.Role.choices, default="recruiter")
    token = models.CharField(max_length=40, unique=True, default=new_invitation_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.merchant} → {self.contact}"


class JobCategory(models.Model):
    """What kind of work, and which of the school's programs trains for it."""

    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    programs = models.ManyToManyField("school.Program", verbose_name=_("programs"), blank=True, related_name="+")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("job category")
        verbose_name_plural = _("job categories")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    HOURLY = "hourly", _("Hourly")
    INTERNSHIP = "internship", _("Internship")


class PayPeriod(models.TextChoices):
    MONTH = "month", _("per month")
    HOUR = "hour", _("per hour")


class JobPostingQuerySet(models.QuerySet):
    def on_board(self):
        """What the public board shows: published, not past its closing date."""
        return self.filter(status=JobPosting.Status.PUBLISHED, closing_date__gte=timezone.localdate())


class JobPosting(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending review")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Returned by reviewer")
        CLOSED = "closed", _("Closed")
        FILLED = "filled", _("Filled")

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="postings"
    )
    title = models.CharField(_("title"), max_length=100)
    category = models.ForeignKey(
        JobCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="postings"
    )
    description = RichTextField(_("description"), features=["bold", "italic", "ol", "ul", "link"])
    employment_type = models.CharField(_("employment type"), max_length=12, choices=EmploymentType.choices)
    district = models.CharField(_("district"), max_length=20, choices=LUOYANG_DISTRICTS)
    address = models.CharField(_("address"), max_length=200, blank=True)
    pay_min = models.DecimalField(
        _("pay from (CNY)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    pay_max = models.DecimalField(_("pay to (CNY)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    pay_period = models.CharField(_("pay period"), max_length=6, choices=PayPeriod.choices, default=PayPeriod.MONTH)
    openings = models.PositiveSmallIntegerField(_("openings"), default=1, validators=[MinValueValidator(1)])
    hired_count = models.PositiveSmallIntegerField(_("hired"), default=0, editable=False)
    closing_date = models.DateField(_("closing date"))
    preferred_courses = models.ManyToManyField(
        "school.Course", verbose_name=_("preferred courses"), blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_reason = models.CharField(_("reviewer's reason"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Title, merchant and pinyin, for substring search on any database (as the catalogue).
    search_text = models.TextField(editable=False, default="")

    objects = JobPostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("job posting")
        verbose_name_plural = _("job postings")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pay_max__gte=F("pay_min")),
                name="posting_pay_range",
                violation_error_message=_("The top of the pay range cannot be below its bottom."),
            ),
            models.CheckConstraint(condition=Q(hired_count__lte=F("openings")), name="posting_not_overfilled"),
        ]
        indexes = [models.Index(fields=["status", "closing_date"]), models.Index(fields=["updated_at"])]

    def __str__(self):
        return self.title


class PostingSkill(models.Model):
    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="required_skills")
    skill = models.ForeignKey("school.Skill", verbose_name=_("skill"), on_delete=models.PROTECT, related_name="+")
    min_level = models.PositiveSmallIntegerField(
        _("minimum level"), choices=SkillLevel.choices, default=SkillLevel.WORKING
    )

    class Meta:
        verbose_name = _("required skill")
        verbose_name_plural = _("required skills")
        constraints = [models.UniqueConstraint(fields=["posting", "skill"], name="one_requirement_per_skill")]

    def __str__(self):
        return f"{self.skill} ≥ {self.min_level}"


class GraduateProfile(models.Model):
    """A student's job profile. Merchants see it only while `shared_with_merchants` is on: an explicit,
    separate consent (PIPL art. 23) that the graduate can withdraw at any time; each change is logged."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_profile")
    desired_categories = models.ManyToManyField(
        JobCategory, verbose_name=_("kinds of work"), blank=True, related_name="+"
    )
    desired_districts = models.JSONField(_("districts"), default=list, blank=True)
    expected_pay = models.DecimalField(
        _("expected pay (CNY)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    expected_pay_period = models.CharField(
        _("pay period"), max_length=6, choices=PayPeriod.choices, default=PayPeriod.MONTH
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    introduction = models.TextField(_("about me"), max_length=1000, blank=True)
    resume = models.FileField(
        _("résumé (PDF)"),
        upload_to="resumes/",
        storage=private_storage,
        blank=True,
        help_text=_("A PDF of at most 5 MB; only merchants you allow and the school can download it."),
    )
    shared_with_merchants = models.BooleanField(_("show my profile to partner merchants"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("job profile")
        verbose_name_plural = _("job profiles")

    def __str__(self):
        return str(self.user)


class ConsentRecord(models.Model):
    """Every grant and withdrawal of consent to share the profile, with the wording shown."""

    profile = models.ForeignKey(GraduateProfile, on_delete=models.CASCADE, related_name="consent_records")
    granted = models.BooleanField()
    wording = models.TextField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.profile_id} {'granted' if self.granted else 'withdrawn'}"


class DeclaredSkill(models.Model):
    """A skill the graduate says they have; matching weighs it below what the school proves."""

    profile = models.ForeignKey(GraduateProfile, on_delete=models.CASCADE, related_name="declared_skills")
    skill = models.ForeignKey("school.Skill", verbose_name=_("skill"), on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=SkillLevel.choices, default=SkillLevel.BASIC)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "skill"], name="one_declaration_per_skill")]

    def __str__(self):
        return f"{self.skill} {self.level}"


class Application(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        SCREENING = "screening", _("Screening")
        INTERVIEW = "interview", _("Interview")
        OFFER = "offer", _("Offer")
        HIRED = "hired", _("Hired")
        REJECTED = "rejected", _("Not selected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Where each stage may go next; the service refuses anything else.
    NEXT = {
        "applied": {"screening", "interview", "rejected", "withdrawn"},
        "screening": {"interview", "offer", "rejected", "withdrawn"},
        "interview": {"interview", "offer", "rejected", "withdrawn"},
        "offer": {"hired", "rejected", "withdrawn"},
        "hired": set(),
        "rejected": set(),
        "withdrawn": set(),
    }

    posting = models.ForeignKey(
        JobPosting, verbose_name=_("posting"), on_delete=models.CASCADE, related_name="applications"
    )
    graduate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("graduate"), on_delete=models.CASCADE, related_name="job_applications"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    message = models.TextField(_("message to the employer"), max_length=1000, blank=True)
    interview_at = models.DateTimeField(_("interview time"), null=True, blank=True)
    interview_place = models.CharField(_("place or video link"), max_length=200, blank=True)
    invited = models.BooleanField(default=False, help_text="the merchant invited the graduate to apply")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["posting", "graduate"], name="one_application_per_posting")]

    def __str__(self):
        return f"{self.graduate} → {self.posting}"


class ApplicationEvent(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class Placement(models.Model):
    """A hire: made when an application reaches `hired`, or recorded by staff."""

    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="placement"
    )
    graduate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("graduate"), on_delete=models.PROTECT, related_name="placements"
    )
    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="placements"
    )
    posting = models.ForeignKey(
        JobPosting,
        verbose_name=_("posting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="placements",
    )
    position = models.CharField(_("position"), max_length=100)
    start_date = models.DateField(_("start date"))
    pay = models.DecimalField(
        _("starting pay (CNY)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    pay_period = models.CharField(_("pay period"), max_length=6, choices=PayPeriod.choices, default=PayPeriod.MONTH)
    social_insurance = models.BooleanField(_("social insurance paid"), default=False)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-start_date"]

    def __str__(self):
        return f"{self.graduate} @ {self.merchant}"


class FollowUp(models.Model):
    """Is the job still going at 30, 90 and 180 days? Asked of the merchant and the graduate."""

    DAYS = (30, 90, 180)

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="follow_ups")
    day = models.PositiveSmallIntegerField(_("day"))
    due_on = models.DateField(_("due on"))
    asked_at = models.DateTimeField(null=True, blank=True)
    still_employed = models.BooleanField(_("still employed"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on"]
        constraints = [models.UniqueConstraint(fields=["placement", "day"], name="one_follow_up_per_day")]

    def __str__(self):
        return f"{self.placement_id} day {self.day}"


class JobAlert(models.Model):
    """A saved board search, mailed instantly or as a daily digest, each posting at most once."""

    class Frequency(models.TextChoices):
        INSTANT = "instant", _("As soon as a job is posted")
        DAILY = "daily", _("Daily digest")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="job_alerts"
    )
    email = models.EmailField(_("e-mail"))
    query = models.CharField(_("search"), max_length=500, blank=True)
    frequency = models.CharField(_("how often"), max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    # The language the alert was saved in: a visitor's mails are written in it.
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    token = models.CharField(max_length=40, unique=True, default=new_invitation_token, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("job alert")
        verbose_name_plural = _("job alerts")

    def __str__(self):
        return f"{self.email} {self.query}"


class AlertDelivery(models.Model):
    alert = models.ForeignKey(JobAlert, on_delete=models.CASCADE, related_name="deliveries")
    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "posting"], name="each_posting_once_per_alert")]

    def __str__(self):
        return f"{self.alert_id} {self.posting_id}"


class CandidateInvitation(models.Model):
    """A merchant invited a consenting graduate to apply for a posting; their application, if they
    apply, is marked `invited`. The graduate is told; nothing is applied for them."""

    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="candidate_invitations")
    graduate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation to apply")
        verbose_name_plural = _("invitations to apply")
        constraints = [models.UniqueConstraint(fields=["posting", "graduate"], name="one_invitation_per_posting")]

    def __str__(self):
        return f"{self.graduate_id} → {self.posting_id}"


class CandidateFeatures(models.Model):
    """What matching knows about one person, gathered from the school's record and their job profile
    (jobs.matching.features keeps it current). A copy, never the source: rebuilt from the enrolments,
    certificates and profile whenever one of them changes, so matching reads one row per person."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="candidate_features"
    )
    shared = models.BooleanField(default=False, help_text="consents to merchants seeing the profile")
    placed = models.BooleanField(default=False, help_text="holds a job found through the school")
    districts = models.JSONField(default=list, help_text="district codes: where they want to work, else home")
    categories = models.JSONField(default=list, help_text="JobCategory ids they want")
    expected_monthly_pay = models.PositiveIntegerField(null=True, blank=True)
    available_from = models.DateField(null=True, blank=True)
    last_trained_on = models.DateField(null=True, blank=True, help_text="last day of the latest completed course")
    # {skill id: {"certified": [level, course id], "completed": [level, course id], "declared": level}}
    skills = models.JSONField(default=dict)
    # {course id: true when a valid certificate of it is held}
    courses = models.JSONField(default=dict)
    programs = models.JSONField(default=list, help_text="Program ids of the completed courses")
    updated_at = models.DateTimeField()
    # Taken from CandidateFeaturesVersion in the writing transaction: versions grow in commit order, so a
    # reader that has seen version v needs exactly the rows above v to be current.
    version = models.BigIntegerField(default=0, db_index=True)

    def __str__(self):
        return str(self.user_id)


class CandidateFeaturesVersion(models.Model):
    """One row: the last version given to CandidateFeatures. Writers update it first, which holds its
    row lock until they commit and so orders the versions as the commits."""

    value = models.BigIntegerField(default=0)

    def __str__(self):
        return str(self.value)


class PlacementRound(models.Model):
    """Staff match a set of graduates (say, a finishing cohort) to a set of open postings at once: the
    optimiser proposes, staff adjust, and sending invites each graduate to apply for their posting."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed")
        SENT = "sent", _("Invitations sent")

    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    min_score = models.FloatField(
        _("lowest score proposed"),
        default=MIN_PROPOSAL_SCORE,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("A graduate is not proposed for a posting they fit less well than this (0–100)."),
    )
    proposed_at = models.DateTimeField(_("proposed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("invitations sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("placement round")
        verbose_name_plural = _("placement rounds")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__gte=0) & Q(min_score__lte=100), name="placement_round_min_score_range"
            ),
            # A round that was sent says when.
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="placement_round_sent_at"
            ),
        ]

    def __str__(self):
        return self.name


class PlacementRoundGraduate(models.Model):
    """A graduate staff picked for the round."""

    round = models.ForeignKey(PlacementRound, on_delete=models.CASCADE, related_name="round_graduates")
    graduate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "graduate"], name="one_entry_per_round_graduate")]

    def __str__(self):
        return f"{self.round_id} · {self.graduate_id}"


class PlacementRoundPosting(models.Model):
    """A posting in the round, and how many of the round's graduates it may take."""

    round = models.ForeignKey(PlacementRound, on_delete=models.CASCADE, related_name="round_postings")
    posting = models.ForeignKey(JobPosting, verbose_name=_("posting"), on_delete=models.CASCADE, related_name="+")
    capacity = models.PositiveSmallIntegerField(_("places in this round"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "posting"], name="one_entry_per_round_posting"),
            models.CheckConstraint(condition=Q(capacity__gte=0), name="placement_round_capacity_not_negative"),
        ]

    def __str__(self):
        return f"{self.round_id} · {self.posting_id} × {self.capacity}"


class PlacementProposal(models.Model):
    """Where the round places one graduate: a posting, or none this round (`posting` empty). `pinned`
    when staff chose it, so proposing again keeps it; `invitation` once the graduate was invited."""

    round = models.ForeignKey(PlacementRound, on_delete=models.CASCADE, related_name="proposals")
    graduate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    posting = models.ForeignKey(
        JobPosting, verbose_name=_("posting"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    pinned = models.BooleanField(_("chosen by staff"), default=False)
    invitation = models.ForeignKey(
        CandidateInvitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("placement proposal")
        verbose_name_plural = _("placement proposals")
        constraints = [
            models.UniqueConstraint(fields=["round", "graduate"], name="one_proposal_per_round_graduate"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)), name="proposal_score_range"
            ),
            # Only a graduate proposed for a posting is invited to apply for it.
            models.CheckConstraint(
                condition=Q(invitation__isnull=True) | Q(posting__isnull=False), name="proposal_invited_to_posting"
            ),
        ]

    def __str__(self):
        return f"{self.round_id} · {self.graduate_id} → {self.posting_id or '—'}"


class OutcomeReportDelivery(models.Model):
    """The monthly outcomes report was mailed to staff for this month (jobs.outcomes.report): at most once."""

    month = models.DateField(_("month"), unique=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("outcomes report delivery")
        verbose_name_plural = _("outcomes report deliveries")

    def __str__(self):
        return f"{self.month:%Y-%m}"


class EnrollmentOutcome(models.Model):
    """What followed one seated enrolment (enrolled, completed, failed or withdrawn), flattened for the
    outcome measures (jobs.outcomes.rows keeps it current). A copy, never the source: rebuilt from the
    enrolments, certificates, placements and follow-ups of the student whenever one of them changes, so
    each measure is a plain aggregate over these rows. Facts that depend on `today` are not stored:
    the measures compare today with the stored dates."""

    enrollment = models.OneToOneField(
        "school.Enrollment", primary_key=True, on_delete=models.CASCADE, related_name="outcome"
    )
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey("school.Cohort", on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("school.Course", on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey("school.Program", on_delete=models.CASCADE, related_name="+")
    end_date = models.DateField(help_text="the class's last day: the period the enrolment belongs to")
    status = models.CharField(max_length=10)
    certified = models.BooleanField(help_text="holds a valid certificate for the class")
    certified_on = models.DateField(null=True, help_text="the first valid certificate's date of issue")
    credential_in_year = models.BooleanField(help_text="a valid or superseded certificate within a year of the end")
    placed_on = models.DateField(null=True, help_text="start of the first job through the school since the class began")
    days_to_job = models.IntegerField(null=True, help_text="from the last day to that start, 0 when it started first")
    starting_pay = models.DecimalField(max_digits=12, decimal_places=2, null=True, help_text="CNY a month")
    insured = models.BooleanField(null=True, help_text="that job has social insurance")
    employed_after_certificate = models.BooleanField(help_text="that job started within 6 months of the certificate")
    retained = models.BooleanField(null=True, help_text="the first answered 180-day follow-up since the class began")
    exited = models.BooleanField(help_text="finished, and no further class started within 90 days")
    employed_q2 = models.BooleanField(help_text="in a job during the 4th–6th month after the end")
    employed_q4 = models.BooleanField(help_text="in a job during the 10th–12th month after the end")
    pay_q2 = models.DecimalField(max_digits=12, decimal_places=2, null=True, help_text="that job's monthly pay")

    class Meta:
        verbose_name = _("enrolment outcome")
        verbose_name_plural = _("enrolment outcomes")
        # Every view of the figures picks a period of classes' last days first.
        indexes = [models.Index(fields=["end_date"], name="outcome_end_date")]

    def __str__(self):
        return str(self.enrollment_id)


class StaleOutcome(models.Model):
    """A student whose outcome rows wait to be brought up to date: enrolling marks the student here with
    one INSERT, and whoever reads the rows next (jobs.outcomes.rows.refresh_stale_outcomes: the measures,
    and Celery beat every few minutes) rebuilds the marked students' rows in one batch. Rebuilding one
    student's rows in the enrolment request cost ~9 ms of CPU, more than the rest of the request."""

    # Ids grow in the order marks are taken: a refresh removes only the marks it read before reading facts.
    id = models.BigAutoField(primary_key=True)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return str(self.student_id)
