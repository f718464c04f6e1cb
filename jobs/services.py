"""Every write of the job board: merchants joining and being reviewed, postings and their review,
graduates' consent, applications through their stages, and placements with their follow-ups.

Each function does one thing a person asked for, in one transaction, refuses with JobError (a
translated message and a code), records what changed, and tells the people it concerns."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.notifications import notify
from accounts.phone import normalize_mobile
from accounts.roles import Role
from jobs.models import (
    Application,
    ApplicationEvent,
    CandidateInvitation,
    ConsentRecord,
    FollowUp,
    GraduateProfile,
    JobPosting,
    Merchant,
    MerchantInvitation,
    MerchantMember,
    PayPeriod,
    Placement,
)
from jobs.signals import announce_postings_change
from jobs.validators import normalise_credit_code
from school.search import search_text_for

Stage = Application.Status
PostingStatus = JobPosting.Status

# What a graduate agrees to, shown beside the switch and stored with each grant (PIPL art. 23 and 14:
# who receives what, why, and that it can be withdrawn).
CONSENT_WORDING = _(
    "I agree that Baijia Training shows my job profile (name, district, courses completed, certificates, "
    "skills, expected pay, availability, self-introduction and résumé) to its approved partner merchants, "
    "so that they can invite me to apply for jobs. I can withdraw this consent at any time; merchants then "
    "stop seeing my profile at once."
)


class JobError(Exception):
    """A request the job board's rules refuse; `message` is translated and shown to the person."""

    def __init__(self, message, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


# --- Merchants ------------------------------------------------------------------------------------------


@transaction.atomic
def merchant_apply(*, user, **fields) -> Merchant:
    """A business applies to join; the applicant becomes its owner. Staff review it before it posts."""
    fields["credit_code"] = normalise_credit_code(fields.get("credit_code", ""))
    merchant = Merchant(**fields)
    merchant.full_clean()
    merchant.save()
    MerchantMember.objects.create(merchant=merchant, user=user, role=MerchantMember.Role.OWNER)
    user.groups.add(Group.objects.get_or_create(name=Role.MERCHANT)[0])
    return merchant


def _tell_members(merchant: Merchant, /, *, subject, body, link=None, **params) -> None:
    # Positional-only: notices pass their own "merchant" parameter (its name) among **params.
    for member in merchant.members.select_related("user"):
        notify(recipient=member.user, subject=subject, body=body, link=link or "", **params)


@transaction.atomic
def merchant_review(*, merchant: Merchant, reviewer, approve: bool, reason: str = "") -> Merchant:
    reason = (reason or "").strip()
    if not approve and not reason:
        raise JobError(_("Give the reason for rejecting this merchant; it is sent to them."), code="reason_required")
    merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
    merchant.status = Merchant.Status.APPROVED if approve else Merchant.Status.REJECTED
    merchant.review_reason, merchant.reviewed_by, merchant.reviewed_at = reason[:300], reviewer, timezone.now()
    merchant.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at"])
    if approve:
        _tell_members(
            merchant,
            subject=_("%(merchant)s is now a partner merchant"),
            body=_("The school approved %(merchant)s. You can post jobs now."),
            link=lambda: reverse("jobs:merchant_home"),
            merchant=merchant.name,
        )
    else:
        _tell_members(
            merchant,
            subject=_("%(merchant)s was not approved"),
            body=_("The school could not approve %(merchant)s: %(reason)s"),
            link=lambda: reverse("jobs:merchant_home"),
            merchant=merchant.name,
            reason=reason,
        )
    return merchant


def membership(user, merchant: Merchant) -> MerchantMember | None:
    if not user.is_authenticated:
        return None
    return MerchantMember.objects.filter(user=user, merchant=merchant).first()


@transaction.atomic
def invite_member(*, merchant: Merchant, invited_by, contact: str, role: str = MerchantMember.Role.RECRUITER):
    member = membership(invited_by, merchant)
    if member is None or member.role != MerchantMember.Role.OWNER:
        raise JobError(_("Only the merchant's owner can invite colleagues."), code="not_owner")
    contact = (contact or "").strip()
    if not contact:
        raise JobError(_("Give the colleague's mobile number or e-mail address."), code="contact_required")
    invitation = MerchantInvitation.objects.create(merchant=merchant, contact=contact, role=role, invited_by=invited_by)
    # Someone already signed up at that mobile or e-mail finds the invitation in their inbox; anyone
    # else receives the link from the owner (shown on the members page).
    invitee = _user_at(contact)
    if invitee is not None and membership(invitee, merchant) is None:
        notify(
            recipient=invitee,
            subject=_("%(name)s invites you to join %(merchant)s"),
            body=_("%(name)s invites you to recruit for %(merchant)s on the Baijia Training job board."),
            link=lambda: reverse("jobs:invitation", args=[invitation.token]),
            name=invited_by.display_name,
            merchant=merchant.name,
        )
    return invitation


def _user_at(contact: str):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if "@" in contact:
        return User.objects.filter(email__iexact=contact, is_active=True).first()
    return User.objects.filter(phone=normalize_mobile(contact), is_active=True).first()


@transaction.atomic
def merchant_update_profile(*, merchant: Merchant, user, **fields) -> Merchant:
    """The owner keeps the business's public description and contact up to date (not its identity:
    name, credit code and licence were what staff approved)."""
    member = membership(user, merchant)
    if member is None or member.role != MerchantMember.Role.OWNER:
        raise JobError(_("Only the merchant's owner can change its profile."), code="not_owner")
    allowed = {"description", "contact_name", "contact_phone", "address"}
    merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"{name} is not part of the merchant's editable profile")
        setattr(merchant, name, value)
    merchant.full_clean()
    merchant.save(update_fields=[*fields])
    return merchant


@transaction.atomic
def merchant_set_trusted(*, merchant: Merchant, reviewer, trusted: bool) -> Merchant:
    """Staff trust an approved merchant: its postings are then published without review."""
    merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
    if trusted and not merchant.is_approved:
        raise JobError(_("Approve the merchant before trusting it."), code="not_approved")
    merchant.trusted = trusted
    merchant.save(update_fields=["trusted"])
    return merchant


# An invitation link is good for this long, and only for the account at the mobile or e-mail it was sent to.
INVITATION_VALID_FOR = datetime.timedelta(days=14)


def _is_invited(user, contact: str) -> bool:
    if "@" in contact:
        return bool(user.email) and user.email.lower() == contact.lower()
    return user.phone == contact


@transaction.atomic
def accept_invitation(*, token: str, user) -> MerchantMember:
    invitation = MerchantInvitation.objects.select_for_update().filter(token=token, accepted_at__isnull=True).first()
    if invitation is None:
        raise JobError(_("This invitation has been used or does not exist."), code="invitation_used")
    if invitation.created_at < timezone.now() - INVITATION_VALID_FOR:
        raise JobError(_("This invitation has expired: ask the owner to invite you again."), code="invitation_expired")
    if not _is_invited(user, invitation.contact):
        # Not saying which address it was sent to: the link may have reached someone else.
        raise JobError(
            _("This invitation was sent to another mobile number or e-mail address: sign in with that account."),
            code="invitation_for_another",
        )
    member, _created = MerchantMember.objects.get_or_create(
        merchant=invitation.merchant, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    user.groups.add(Group.objects.get_or_create(name=Role.MERCHANT)[0])
    return member


# --- Postings -------------------------------------------------------------------------------------------

# Editing any of these on a published posting of an untrusted merchant sends it back to review.
SUBSTANTIVE_FIELDS = ("title", "category", "description", "employment_type", "pay_min", "pay_max", "pay_period")


def sanitise_description(html: str) -> str:
    """A posting's description as the rich-text field stores it: only its features (bold, italic,
    lists, links) survive; scripts, styles, event handlers and unknown tags are dropped."""
    from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

    features = JobPosting._meta.get_field("description").features
    return EditorHTMLConverter(features=features).to_database_format(html or "").strip()


def _search_text(posting: JobPosting) -> str:
    return search_text_for(posting.title, posting.merchant.name, posting.category.name, posting.category.name_en)


def _check_can_post(user, merchant: Merchant) -> None:
    if membership(user, merchant) is None:
        raise JobError(_("You are not a member of this merchant."), code="not_member")
    if not merchant.is_approved:
        raise JobError(
            _("Your business is awaiting the school's approval; you can post once approved."), code="not_approved"
        )


@transaction.atomic
def posting_save(*, posting: JobPosting, user, submit: bool = False, skills=None, courses=None) -> JobPosting:
    """Create or edit a posting. `submit` publishes it (trusted merchants) or sends it to review. A
    substantive edit of a published posting of an untrusted merchant goes back to review. The
    description is stored sanitised (only the rich-text features the field allows). `skills`
    ((skill, min_level) pairs) and `courses` replace the posting's own when given."""
    _check_can_post(user, posting.merchant)
    posting.description = sanitise_description(posting.description)
    if posting.pk:
        before = JobPosting.objects.select_for_update().get(pk=posting.pk)
        changed = any(getattr(before, name) != getattr(posting, name) for name in SUBSTANTIVE_FIELDS)
        if before.status == PostingStatus.PUBLISHED and changed and not posting.merchant.trusted:
            posting.status = PostingStatus.PENDING
    else:
        posting.created_by = user
    if posting.closing_date and posting.closing_date < timezone.localdate():
        raise JobError(_("The closing date has passed; choose a later date."), code="closing_date")
    if submit and posting.status in (PostingStatus.DRAFT, PostingStatus.REJECTED, PostingStatus.CLOSED):
        posting.status = PostingStatus.PUBLISHED if posting.merchant.trusted else PostingStatus.PENDING
    if posting.status == PostingStatus.PUBLISHED and posting.published_at is None:
        posting.published_at = timezone.now()
    posting.search_text = _search_text(posting)
    # created_by is empty for postings seeded or made by staff (and when the author has left).
    posting.full_clean(exclude=["preferred_courses", "created_by"])
    posting.save()
    if skills is not None:
        from jobs.models import PostingSkill

        posting.required_skills.all().delete()
        PostingSkill.objects.bulk_create(
            [PostingSkill(posting=posting, skill=skill, min_level=level) for skill, level in skills]
        )
    if courses is not None:
        posting.preferred_courses.set(courses)
    if posting.status == PostingStatus.PUBLISHED:
        announce_published(posting)
    return posting


@transaction.atomic
def posting_review(*, posting: JobPosting, reviewer, approve: bool, reason: str = "") -> JobPosting:
    reason = (reason or "").strip()
    posting = JobPosting.objects.select_for_update().select_related("merchant").get(pk=posting.pk)
    if posting.status != PostingStatus.PENDING:
        raise JobError(_("Only a posting awaiting review can be reviewed."), code="not_pending")
    if not approve and not reason:
        raise JobError(_("Give the reason for returning this posting; the merchant sees it."), code="reason_required")
    posting.status = PostingStatus.PUBLISHED if approve else PostingStatus.REJECTED
    posting.review_reason = "" if approve else reason[:300]
    if approve and posting.published_at is None:
        posting.published_at = timezone.now()
    posting.save(update_fields=["status", "review_reason", "published_at", "updated_at"])
    if approve:
        announce_published(posting)
    _tell_members(
        posting.merchant,
        subject=_("Posting published: %(title)s") if approve else _("Posting returned: %(title)s"),
        body=_("Your posting “%(title)s” is on the job board now.")
        if approve
        else _("Your posting “%(title)s” was returned: %(reason)s"),
        link=lambda: reverse("jobs:merchant_posting_edit", args=[posting.pk]),
        title=posting.title,
        reason=reason,
    )
    return posting


@transaction.atomic
def posting_close(*, posting: JobPosting, user) -> JobPosting:
    _check_can_post(user, posting.merchant)
    JobPosting.objects.filter(pk=posting.pk, status__in=[PostingStatus.PUBLISHED, PostingStatus.PENDING]).update(
        status=PostingStatus.CLOSED, updated_at=timezone.now()
    )
    announce_postings_change()
    posting.refresh_from_db()
    return posting


def close_expired_postings(today: datetime.date | None = None) -> int:
    """Postings past their closing date leave the board (they stay in reports). For Celery beat."""
    today = today or timezone.localdate()
    closed = JobPosting.objects.filter(
        status__in=[PostingStatus.PUBLISHED, PostingStatus.PENDING], closing_date__lt=today
    ).update(status=PostingStatus.CLOSED, updated_at=timezone.now())
    if closed:
        announce_postings_change()
    return closed


# --- Graduate profile and consent -----------------------------------------------------------------------


def profile_for(user) -> GraduateProfile:
    return GraduateProfile.objects.get_or_create(user=user)[0]


@transaction.atomic
def set_consent(*, user, granted: bool, ip_address: str | None = None) -> GraduateProfile:
    """Share the profile with merchants, or stop sharing it: at once, and logged with the wording."""
    profile = GraduateProfile.objects.select_for_update().get(pk=profile_for(user).pk)
    if profile.shared_with_merchants != granted:
        profile.shared_with_merchants = granted
        profile.save(update_fields=["shared_with_merchants", "updated_at"])
    ConsentRecord.objects.create(profile=profile, granted=granted, wording=str(CONSENT_WORDING), ip_address=ip_address)
    return profile


# --- Applications ---------------------------------------------------------------------------------------


def _record(application: Application, from_status: str, *, actor, note: str = "") -> None:
    ApplicationEvent.objects.create(
        application=application, from_status=from_status, to_status=application.status, actor=actor, note=note[:500]
    )


def _tell_both(application: Application, *, actor) -> None:
    """Both sides hear of every step, each in their own language; not the one who made it."""
    params = {
        "title": application.posting.title,
        "stage": lambda: application.get_status_display(),
        "name": application.graduate.display_name,
    }
    if application.graduate_id != actor.pk:
        notify(
            recipient=application.graduate,
            subject=_("Your application for %(title)s: %(stage)s"),
            body=_("Your application for “%(title)s” is now at the stage: %(stage)s."),
            link=lambda: reverse("jobs:my_applications"),
            **params,
        )
    for member in application.posting.merchant.members.select_related("user"):
        if member.user_id != actor.pk:
            notify(
                recipient=member.user,
                subject=_("%(name)s — %(title)s: %(stage)s"),
                body=_("The application of %(name)s for “%(title)s” is now at the stage: %(stage)s."),
                link=lambda: reverse("jobs:posting_applications", args=[application.posting_id]),
                **params,
            )


@transaction.atomic
def apply(*, graduate, posting: JobPosting, message: str = "", invited: bool = False) -> Application:
    posting = JobPosting.objects.select_related("merchant").get(pk=posting.pk)
    if posting.status != PostingStatus.PUBLISHED or posting.closing_date < timezone.localdate():
        raise JobError(_("This posting is no longer taking applications."), code="closed")
    # A graduate the merchant invited (candidate search) applies as invited, whichever page they use.
    invited = invited or CandidateInvitation.objects.filter(posting=posting, graduate=graduate).exists()
    application = Application(posting=posting, graduate=graduate, message=(message or "").strip(), invited=invited)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise JobError(_("You have already applied for this job."), code="duplicate") from None
    _record(application, "", actor=graduate)
    _tell_both(application, actor=graduate)
    return application


@transaction.atomic
def move_application(
    *, application: Application, to_status: str, actor, note: str = "", interview_at=None, interview_place: str = ""
) -> Application:
    """Move an application to its next stage. The graduate may only withdraw; the merchant's members
    move it along the pipeline. Hiring makes the placement and counts the opening."""
    application = (
        Application.objects.select_for_update().select_related("posting__merchant", "graduate").get(pk=application.pk)
    )
    is_graduate = application.graduate_id == actor.pk
    if not is_graduate and membership(actor, application.posting.merchant) is None:
        raise JobError(_("You cannot change this application."), code="forbidden")
    if is_graduate and to_status != Stage.WITHDRAWN:
        raise JobError(_("You can only withdraw your application."), code="forbidden")
    if not is_graduate and to_status == Stage.WITHDRAWN:
        raise JobError(_("Only the graduate can withdraw an application; reject it instead."), code="forbidden")
    if to_status not in Application.NEXT[application.status]:
        raise JobError(
            _("An application at “%(from)s” cannot move to “%(to)s”.")
            % {
                "from": application.get_status_display(),
                "to": Stage(to_status).label if to_status in Stage.values else to_status,
            },
            code="transition",
        )
    if to_status == Stage.INTERVIEW and (interview_at is None or not interview_place.strip()):
        raise JobError(_("Give the interview's date, time and place (or video link)."), code="interview_details")
    from_status = application.status
    application.status = to_status
    if to_status == Stage.INTERVIEW:
        application.interview_at, application.interview_place = interview_at, interview_place.strip()[:200]
    application.save(update_fields=["status", "interview_at", "interview_place", "updated_at"])
    _record(application, from_status, actor=actor, note=note)
    _tell_both(application, actor=actor)
    return application


# --- Placements -----------------------------------------------------------------------------------------


@transaction.atomic
def hire(
    *,
    application: Application,
    actor,
    start_date: datetime.date,
    pay,
    pay_period: str = "month",
    position: str = "",
    social_insurance: bool = False,
) -> Placement:
    """Offer → hired: the placement, its follow-ups, and the opening counted (the posting is filled
    when every opening is)."""
    if start_date is None:
        raise JobError(_("Give the start date."), code="start_date_required")
    if pay is None or Decimal(pay) < 0:
        raise JobError(_("Give the starting pay (0 or more)."), code="pay_required")
    if pay_period not in PayPeriod.values:
        raise JobError(_("Choose a pay period."), code="pay_period")
    application = move_application(application=application, to_status=Stage.HIRED, actor=actor)
    posting = application.posting
    counted = JobPosting.objects.filter(pk=posting.pk, hired_count__lt=F("openings")).update(
        hired_count=F("hired_count") + 1, updated_at=timezone.now()
    )
    if not counted:
        raise JobError(_("Every opening of this posting is already filled."), code="filled")
    JobPosting.objects.filter(pk=posting.pk, hired_count__gte=F("openings")).update(status=PostingStatus.FILLED)
    announce_postings_change()  # openings left, or the posting leaving the board
    placement = Placement.objects.create(
        application=application,
        graduate=application.graduate,
        merchant=posting.merchant,
        posting=posting,
        position=position or posting.title,
        start_date=start_date,
        pay=pay,
        pay_period=pay_period,
        social_insurance=social_insurance,
        created_by=actor,
    )
    schedule_follow_ups(placement)
    return placement


def schedule_follow_ups(placement: Placement) -> list[FollowUp]:
    return [
        FollowUp.objects.get_or_create(
            placement=placement, day=day, defaults={"due_on": placement.start_date + datetime.timedelta(days=day)}
        )[0]
        for day in FollowUp.DAYS
    ]


@transaction.atomic
def answer_follow_up(*, follow_up: FollowUp, actor, still_employed: bool, note: str = "") -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().select_related("placement").get(pk=follow_up.pk)
    placement = follow_up.placement
    allowed = actor.pk == placement.graduate_id or membership(actor, placement.merchant) is not None
    if not allowed and not actor.is_staff:
        raise JobError(_("You cannot answer this follow-up."), code="forbidden")
    follow_up.still_employed, follow_up.answered_by, follow_up.answered_at = still_employed, actor, timezone.now()
    follow_up.note = (note or "")[:300]
    follow_up.save(update_fields=["still_employed", "answered_by", "answered_at", "note"])
    if not still_employed and placement.ended_on is None:
        placement.ended_on = timezone.localdate()
        placement.save(update_fields=["ended_on"])
    return follow_up


# --- Candidate search and follow-ups (the merchant's pipeline) ------------------------------------------


def approved_memberships(user):
    """The user's memberships of approved merchants: who may search candidates."""
    if not user.is_authenticated:
        return MerchantMember.objects.none()
    return MerchantMember.objects.filter(user=user, merchant__status=Merchant.Status.APPROVED)


@transaction.atomic
def invite_candidate(*, posting: JobPosting, graduate, actor) -> CandidateInvitation:
    """A merchant's member invites a consenting graduate to apply for one of its open postings. The
    graduate is told, with a link to the posting; nothing is applied for them. Inviting twice is refused."""
    posting = JobPosting.objects.select_related("merchant").get(pk=posting.pk)
    if not approved_memberships(actor).filter(merchant=posting.merchant_id).exists():
        raise JobError(_("Only members of an approved merchant can invite candidates."), code="forbidden")
    if not GraduateProfile.objects.filter(user=graduate, shared_with_merchants=True).exists():
        # Consent withdrawn (or never given): the merchant must not reach them through the school.
        raise JobError(_("This graduate is not sharing their profile with merchants."), code="no_consent")
    if posting.status != PostingStatus.PUBLISHED or posting.closing_date < timezone.localdate():
        raise JobError(_("Invite to a published posting that is still open."), code="closed")
    if Application.objects.filter(posting=posting, graduate=graduate).exists():
        raise JobError(_("This graduate has already applied for this job."), code="already_applied")
    invitation, created = CandidateInvitation.objects.get_or_create(
        posting=posting, graduate=graduate, defaults={"invited_by": actor}
    )
    if not created:
        raise JobError(_("You have already invited this graduate to apply for this job."), code="already_invited")
    _tell_invited(invitation, by_school=False)
    return invitation


def _tell_invited(invitation: CandidateInvitation, *, by_school: bool) -> None:
    """Tell the graduate they are invited to apply, with a link to the posting: by the merchant (candidate
    search) or by the school (a placement round)."""
    posting = invitation.posting
    if by_school:
        subject = _("The school suggests you apply: %(title)s at %(merchant)s")
        body = _(
            "The school thinks “%(title)s” at %(merchant)s fits what you learned and what you are looking for, "
            "and invites you to apply."
        )
    else:
        subject = _("%(merchant)s invites you to apply: %(title)s")
        body = _("%(merchant)s saw your job profile and invites you to apply for “%(title)s”.")
    notify(
        recipient=invitation.graduate,
        subject=subject,
        body=body,
        link=lambda: reverse("jobs:posting_detail", args=[posting.pk]),
        merchant=posting.merchant.name,
        title=posting.title,
    )


def ask_due_follow_ups(today: datetime.date | None = None) -> int:
    """Ask the merchant's members and the graduate whether each job due a follow-up (today or earlier)
    continues. Each follow-up is claimed by a conditional update before anyone is told, so a second run,
    or two workers at once, ask nobody twice. Follow-ups already answered or of ended jobs are not asked.
    For Celery beat; returns how many follow-ups were asked."""
    today = today or timezone.localdate()
    due = (
        FollowUp.objects.filter(
            due_on__lte=today, asked_at__isnull=True, still_employed__isnull=True, placement__ended_on__isnull=True
        )
        .select_related("placement__graduate", "placement__merchant")
        .order_by("due_on", "pk")
    )
    asked = 0
    for follow_up in due:
        with transaction.atomic():
            claimed = FollowUp.objects.filter(pk=follow_up.pk, asked_at__isnull=True).update(asked_at=timezone.now())
            if not claimed:
                continue
            placement = follow_up.placement
            params = {
                "name": placement.graduate.display_name,
                "merchant": placement.merchant.name,
                "position": placement.position,
                "day": follow_up.day,
            }
            link = lambda pk=follow_up.pk: reverse("jobs:follow_up", args=[pk])  # noqa: E731
            notify(
                recipient=placement.graduate,
                subject=_("Are you still working at %(merchant)s?"),
                body=_(
                    "It is %(day)s days since you started as %(position)s at %(merchant)s. "
                    "Tell the school in one tap whether the job continues."
                ),
                link=link,
                **params,
            )
            _tell_members(
                placement.merchant,
                subject=_("Is %(name)s still working with you?"),
                body=_(
                    "It is %(day)s days since %(name)s started as %(position)s. "
                    "Tell the school in one tap whether the job continues."
                ),
                link=link,
                **params,
            )
            asked += 1
    return asked


@transaction.atomic
def placement_record(*, placement: Placement, actor) -> Placement:
    """Staff record a placement by hand (a hire made outside the board): saved with its follow-ups."""
    placement.created_by = placement.created_by or actor
    placement.full_clean(exclude=["application", "posting"])
    placement.save()
    schedule_follow_ups(placement)
    return placement


# --- Job alerts -----------------------------------------------------------------------------------------


def announce_published(posting: JobPosting) -> None:
    """A posting is (still) published: once the transaction commits, mail the instant job alerts it
    matches. Safe on every save of a published posting: each alert mails a posting at most once."""
    from jobs.tasks import send_instant_job_alerts

    send_instant_job_alerts.delay_on_commit(posting.pk)
