"""The school's part of a person's data (see accounts.personal_data): the student profile, enrolments,
attendance, scores, certificates and referrals. Registered from SchoolConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Group, Section, register_section, row
from school.models import Attendance, Certificate, Enrollment, EnrollmentEvent, Score, StudentProfile
from school.services import enrolment as enrolment_services


def _class(enrollment: Enrollment) -> dict:
    return {"class_code": enrollment.cohort.code, "course": enrollment.cohort.course.title}


def export(user) -> dict[str, list[dict]]:
    profile = StudentProfile.objects.filter(user=user).first()
    enrollments = list(Enrollment.objects.filter(student=user).select_related("cohort__course").order_by("pk"))
    return {
        # The ID card number only masked, as every page shows it: a downloaded file travels.
        "student_profile": [
            row(
                profile,
                ["real_name", "education", "district", "emergency_contact_name", "emergency_contact_phone"],
                id_card_masked=profile.id_card_masked,
                referral_code=profile.referral_code,
            )
        ]
        if profile
        else [],
        "enrolments": [
            row(
                e,
                ["status", "waitlisted_at", "final_score", "attendance_rate", "result_reasons", "created_at"],
                **_class(e),
                referred=e.referred_by_id is not None,
            )
            for e in enrollments
        ],
        # Changes and marks name no one: who made them is staff's business, not part of the person's data.
        "enrolment_changes": [
            row(event, ["from_status", "to_status", "note", "created_at"], class_code=event.enrollment.cohort.code)
            for event in EnrollmentEvent.objects.filter(enrollment__student=user).select_related("enrollment__cohort")
        ],
        "attendance": [
            row(mark, ["mark"], class_code=mark.session.cohort.code, date=mark.session.date)
            for mark in Attendance.objects.filter(enrollment__student=user)
            .select_related("session__cohort")
            .order_by("session__date", "pk")
        ],
        "scores": [
            row(score, ["score"], class_code=score.enrollment.cohort.code, item=score.item.name)
            for score in Score.objects.filter(enrollment__student=user).select_related("enrollment__cohort", "item")
        ],
        "certificates": [
            row(
                c,
                [
                    "number",
                    "code",
                    "status",
                    "holder_name",
                    "course_title",
                    "hours",
                    "start_date",
                    "end_date",
                    "final_score",
                    "issued_on",
                    "expires_on",
                    "revoked_at",
                    "revoked_reason",
                ],
                verify_url=c.get_verify_url(),
            )
            for c in Certificate.objects.issued().filter(enrollment__student=user).order_by("issued_on", "pk")
        ],
        # Whom the person brought in is the other students' data: only the classes and the dates.
        "referrals": [
            row(e, ["created_at"], **_class(e))
            for e in Enrollment.objects.filter(referred_by=user).select_related("cohort__course").order_by("pk")
        ],
    }


def erase(*, user, actor) -> None:
    """Leave every class and waiting list (a seat goes to the next in line), delete the profile, the marks
    and the scores; keep the enrolments (the certificates rest on them, the outcome measures count them)
    and the certificates (name and course, as verification shows them)."""
    for enrollment in Enrollment.objects.filter(student=user, status__in=Enrollment.ACTIVE):
        enrolment_services.withdraw(enrollment=enrollment, actor=actor)
    StudentProfile.objects.filter(user=user).delete()
    Attendance.objects.filter(enrollment__student=user).delete()
    Score.objects.filter(enrollment__student=user).delete()
    EnrollmentEvent.objects.filter(enrollment__student=user).update(note="")
    Enrollment.objects.filter(student=user).update(result_reasons=[], referred_by=None)


CLASS_LABELS = {"class_code": _("Class"), "course": _("Course")}

SECTION = Section(
    name="school",
    title=_("Training"),
    order=10,
    groups=(
        Group(
            "student_profile",
            _("Student profile"),
            StudentProfile,
            {"id_card_masked": _("ID card number"), "referral_code": _("Referral code")},
        ),
        Group("enrolments", _("Enrolments"), Enrollment, {**CLASS_LABELS, "referred": _("Came through a referral")}),
        Group("enrolment_changes", _("Enrolment changes"), EnrollmentEvent, CLASS_LABELS),
        Group("attendance", _("Attendance"), Attendance, {**CLASS_LABELS, "date": _("Date")}),
        Group("scores", _("Scores"), Score, {**CLASS_LABELS, "item": _("Assessment item")}),
        Group("certificates", _("Certificates"), Certificate, {"verify_url": _("Verification page")}),
        Group("referrals", _("People you referred"), Enrollment, {**CLASS_LABELS, "created_at": _("Enrolled on")}),
    ),
    export=export,
    erase=erase,
)


def register() -> None:
    register_section(SECTION)
