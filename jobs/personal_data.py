"""The job board's part of a person's data (see accounts.personal_data): the job profile and its consents,
applications, placements and follow-ups, alerts, invitations, memberships and outcome rows. Registered
from JobsConfig.ready()."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Group, Section, delete_files_on_commit, register_section, row
from jobs.models import (
    Application,
    ApplicationEvent,
    CandidateFeatures,
    CandidateInvitation,
    ConsentRecord,
    DeclaredSkill,
    EnrollmentOutcome,
    FollowUp,
    GraduateProfile,
    JobAlert,
    MerchantMember,
    Placement,
    PlacementProposal,
    PlacementRoundGraduate,
)


def _posting(posting) -> dict:
    return {"posting": posting.title if posting else "", "merchant": posting.merchant.name if posting else ""}


def export(user) -> dict[str, list[dict]]:
    profile = GraduateProfile.objects.filter(user=user).prefetch_related("desired_categories").first()
    placements = list(Placement.objects.filter(graduate=user).select_related("merchant").order_by("start_date", "pk"))
    return {
        "job_profile": [
            row(
                profile,
                [
                    "desired_districts",
                    "expected_pay",
                    "expected_pay_period",
                    "available_from",
                    "introduction",
                    "resume",
                    "shared_with_merchants",
                    "updated_at",
                ],
                desired_categories=[category.name for category in profile.desired_categories.all()],
            )
        ]
        if profile
        else [],
        "declared_skills": [
            row(skill, ["level"], skill=skill.skill.name)
            for skill in DeclaredSkill.objects.filter(profile__user=user).select_related("skill")
        ],
        "consents": [
            row(consent, ["granted", "wording", "ip_address", "created_at"])
            for consent in ConsentRecord.objects.filter(profile__user=user).order_by("created_at", "pk")
        ],
        "applications": [
            row(
                a,
                ["status", "message", "interview_at", "interview_place", "invited", "created_at"],
                **_posting(a.posting),
            )
            for a in Application.objects.filter(graduate=user).select_related("posting__merchant").order_by("pk")
        ],
        "application_changes": [
            row(event, ["from_status", "to_status", "note", "created_at"], posting=event.application.posting.title)
            for event in ApplicationEvent.objects.filter(application__graduate=user).select_related(
                "application__posting"
            )
        ],
        "placements": [
            row(
                p,
                ["position", "start_date", "pay", "pay_period", "social_insurance", "ended_on"],
                merchant=p.merchant.name,
            )
            for p in placements
        ],
        "follow_ups": [
            row(f, ["day", "due_on", "still_employed", "answered_at", "note"], position=f.placement.position)
            for f in FollowUp.objects.filter(placement__graduate=user).select_related("placement")
        ],
        "job_alerts": [
            row(alert, ["email", "query", "frequency", "confirmed_at", "created_at"])
            for alert in JobAlert.objects.filter(_alerts_of(user))
        ],
        "invitations": [
            row(invitation, ["created_at"], **_posting(invitation.posting))
            for invitation in CandidateInvitation.objects.filter(graduate=user).select_related("posting__merchant")
        ],
        "merchant_memberships": [
            row(m, ["role", "created_at"], merchant=m.merchant.name)
            for m in MerchantMember.objects.filter(user=user).select_related("merchant")
        ],
        # The flattened copy the outcome measures count (what followed each class).
        "outcomes": [
            row(
                o,
                ["end_date", "status", "certified", "placed_on", "starting_pay", "retained"],
                class_code=o.cohort.code,
            )
            for o in EnrollmentOutcome.objects.filter(student=user).select_related("cohort").order_by("end_date")
        ],
    }


def _alerts_of(user) -> Q:
    # A visitor's alert saved with the same address before signing up is theirs too.
    return Q(user=user) | (Q(email__iexact=user.email) if user.email else Q(pk__in=[]))


def erase(*, user, actor) -> None:
    """Delete the job profile (with its consents, skills and résumé file), applications, alerts, invitations,
    matching rows and memberships; keep placements and follow-ups (notes blanked) and the outcome rows as
    anonymous statistics: hires per merchant and retention are counted from them."""
    profile = GraduateProfile.objects.filter(user=user).first()
    if profile is not None:
        delete_files_on_commit([profile.resume])
        profile.delete()  # consents and declared skills go with it
    PlacementProposal.objects.filter(graduate=user).delete()
    PlacementRoundGraduate.objects.filter(graduate=user).delete()
    # A placement keeps its hire (application is SET_NULL): the merchant's pipeline loses the person.
    Application.objects.filter(graduate=user).delete()
    CandidateInvitation.objects.filter(graduate=user).delete()
    JobAlert.objects.filter(_alerts_of(user)).delete()
    CandidateFeatures.objects.filter(user=user).delete()
    MerchantMember.objects.filter(user=user).delete()
    FollowUp.objects.filter(placement__graduate=user).update(note="")


SECTION = Section(
    name="jobs",
    title=_("Jobs"),
    order=20,
    groups=(
        Group("job_profile", _("Job profile"), GraduateProfile, {"desired_categories": _("Kinds of work")}),
        Group("declared_skills", _("Skills you declared"), DeclaredSkill, {"skill": _("Skill")}),
        Group(
            "consents",
            _("Consents to share your profile"),
            ConsentRecord,
            {
                "granted": _("Granted"),
                "wording": _("Wording shown"),
                "ip_address": _("IP address"),
                "created_at": _("When"),
            },
        ),
        Group("applications", _("Applications"), Application, {"posting": _("Posting"), "merchant": _("Merchant")}),
        Group(
            "application_changes",
            _("Application changes"),
            ApplicationEvent,
            {
                "posting": _("Posting"),
                "from_status": _("From"),
                "to_status": _("To"),
                "note": _("Note"),
                "created_at": _("When"),
            },
        ),
        Group("placements", _("Jobs found through the school"), Placement, {"merchant": _("Merchant")}),
        Group("follow_ups", _("Follow-ups"), FollowUp, {"position": _("Position"), "answered_at": _("Answered")}),
        Group("job_alerts", _("Job alerts"), JobAlert, {"confirmed_at": _("Confirmed"), "created_at": _("Created")}),
        Group(
            "invitations",
            _("Invitations to apply"),
            CandidateInvitation,
            {"posting": _("Posting"), "merchant": _("Merchant"), "created_at": _("When")},
        ),
        Group(
            "merchant_memberships",
            _("Merchant accounts"),
            MerchantMember,
            {"merchant": _("Merchant"), "created_at": _("Since")},
        ),
        Group(
            "outcomes",
            _("Outcome records"),
            EnrollmentOutcome,
            {
                "class_code": _("Class"),
                "end_date": _("Last day"),
                "status": _("Status"),
                "certified": _("Certified"),
                "placed_on": _("Started a job"),
                "starting_pay": _("Starting pay (CNY a month)"),
                "retained": _("Still employed at 180 days"),
            },
        ),
    ),
    export=export,
    erase=erase,
)


def register() -> None:
    register_section(SECTION)
