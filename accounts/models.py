from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.phone import normalize_mobile, validate_mobile
from accounts.roles import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, phone, password, **extra_fields):
        phone = normalize_mobile(phone)
        validate_mobile(phone)
        extra_fields["email"] = self.normalize_email(extra_fields.get("email", "")).lower()
        user = self.model(phone=phone, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, phone, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(phone, password, **extra_fields)

    def create_superuser(self, phone, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(phone, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(phone=normalize_mobile(username))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: by mobile number (always present) or by e-mail (optional)."""

    phone = models.CharField(
        _("mobile number"),
        max_length=11,
        unique=True,
        validators=[validate_mobile],
        error_messages={"unique": _("An account with this mobile number already exists.")},
    )
    email = models.EmailField(_("e-mail"), blank=True, default="")
    display_name = models.CharField(_("name"), max_length=50)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether this person may sign in to the back office."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the messages the school sends."),
    )
    welcomed_at = models.DateTimeField(_("welcome e-mail sent"), null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # E-mail is optional, but two accounts never share one (in any letter case).
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_unique",
                violation_error_message=_("An account with this e-mail already exists."),
            ),
        ]

    def __str__(self):
        return self.display_name or self.phone

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name

    @cached_property
    def group_names(self) -> frozenset[str]:
        # One query per request for the roles and the page cache's editor check (groups are often
        # prefetched, and then none).
        return frozenset(group.name for group in self.groups.all())

    @cached_property
    def roles(self) -> set[str]:
        # Group names are role values (accounts.roles).
        return set(self.group_names & set(Role.values))

    def has_role(self, role: Role) -> bool:
        return role in self.roles


class Notification(models.Model):
    """A message in a person's in-site inbox; also sent by e-mail when they have an address.
    Written in the recipient's language when it is created."""

    # Many rows, linking nothing an editor needs to find: keep them out of Wagtail's reference index.
    wagtail_reference_index_ignore = True

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.subject


class DeletionRequest(models.Model):
    """A person asks the school to erase their personal data (PIPL art. 47). Staff complete it (which runs
    accounts.personal_data.erase_personal_data) or refuse it with a reason."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        COMPLETED = "completed", _("Completed")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.PROTECT, related_name="deletion_requests")
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    completed_by = models.ForeignKey(
        User, verbose_name=_("handled by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    response = models.CharField(_("answer"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One open request at a time: asking twice does not make staff erase twice.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="requested"), name="one_open_deletion_request"
            ),
        ]

    def __str__(self):
        return f"{self.pk} {self.status}"


class PersonalDataEvent(models.Model):
    """The audit log of personal-data rights: every export and every deletion request, completion and refusal.
    Our own rows rather than Wagtail's log, whose entries keep the object's label (here: the person's name)."""

    class Action(models.TextChoices):
        VIEWED = "viewed", _("Viewed their data")
        DOWNLOADED = "downloaded", _("Downloaded their data")
        API = "api", _("Read their data through the API")
        DELETION_REQUESTED = "deletion_requested", _("Asked for deletion")
        DELETION_COMPLETED = "deletion_completed", _("Deletion completed")
        DELETION_REFUSED = "deletion_refused", _("Deletion refused")

    # Many rows, linking nothing an editor needs to find: keep them out of Wagtail's reference index.
    wagtail_reference_index_ignore = True

    subject = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.PROTECT, related_name="personal_data_events"
    )
    actor = models.ForeignKey(
        User, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("personal data event")
        verbose_name_plural = _("personal data log")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.subject_id} {self.action}"
