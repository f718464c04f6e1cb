"""What a student does: keep a profile, enrol, withdraw, follow their classes, read their inbox."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.forms import MobileNumberField
from accounts.models import Notification
from school.dashboard import render_panels
from school.errors import EnrolmentError
from school.identity import normalize_id_card, validate_id_card
from school.models import Enrollment, EnrolmentSettings, StudentProfile
from school.selectors import student_enrollments, with_issued_certificates
from school.services import enrolment as enrolment_services


class StudentProfileForm(forms.ModelForm):
    id_card = forms.CharField(
        label=gettext_lazy("ID card number"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Needed for the government training subsidy and certificates. Stored encrypted."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    emergency_contact_phone = MobileNumberField(label=gettext_lazy("Emergency contact's mobile"), required=False)

    class Meta:
        model = StudentProfile
        fields = ["real_name", "education", "district", "emergency_contact_name", "emergency_contact_phone"]
        widgets = {"real_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def __init__(self, *args, ask_id_card: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_id_card:
            del self.fields["id_card"]
        elif self.instance.id_card_masked:
            self.fields["id_card"].help_text = gettext_lazy("On file: %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.id_card_masked
            }

    def clean_id_card(self):
        number = normalize_id_card(self.cleaned_data.get("id_card", ""))
        if number:
            validate_id_card(number)
        return number

    def save(self, commit=True):
        profile = super().save(commit=False)
        if self.cleaned_data.get("id_card"):
            profile.set_id_card(self.cleaned_data["id_card"])
        if commit:
            profile.save()
        return profile


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def profile(request):
    instance = StudentProfile.objects.filter(user=request.user).first() or StudentProfile(
        user=request.user, real_name=request.user.display_name
    )
    form = StudentProfileForm(
        request.POST or None, instance=instance, ask_id_card=EnrolmentSettings.for_request(request).ask_id_card
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect(_next_url(request, reverse("school:my_courses")))
    return render(request, "school/student_profile.html", {"form": form, "next": _next_url(request, "")})


@login_required
def enrol(request, code: str):
    """GET: the class, what enrolling means, and any warnings; POST: enrol."""
    # Read as enrol() reads it, with the student's place: a second enrolment is refused before any write,
    # and the page shows that place without another query.
    cohort = get_object_or_404(
        enrolment_services.cohorts_to_enrol_in(student=request.user).select_related("course__program"),
        code__iexact=code,
    )
    if not StudentProfile.objects.filter(user=request.user).exists():
        messages.info(request, _("Please complete your profile first: the school needs it to enrol you."))
        return redirect(f"{reverse('school:profile')}?next={request.get_full_path()}")
    referral_code = request.POST.get("ref") or request.GET.get("ref") or request.session.get("referral_code", "")
    if request.method == "POST":
        try:
            enrollment = enrolment_services.enrol(student=request.user, cohort=cohort, referral_code=referral_code)
        except EnrolmentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _message_for(enrollment))
            return redirect("school:my_courses")
    place = cohort.student_status
    return render(
        request,
        "school/student_enrol.html",
        {
            "cohort": cohort,
            "place_label": Enrollment.Status(place).label if place in Enrollment.ACTIVE else "",
            "clashes": enrolment_services.schedule_clashes(student=request.user, cohort=cohort),
            "missing": enrolment_services.missing_prerequisites(student=request.user, cohort=cohort),
            "referral_code": referral_code,
        },
    )


def _message_for(enrollment: Enrollment) -> str:
    if enrollment.status == Enrollment.Status.WAITLISTED:
        return _("The class is full: you are on its waiting list. We will tell you when a seat frees up.")
    if enrollment.status == Enrollment.Status.PENDING:
        return _("Enrolment received. Staff will confirm it soon; your seat is held until then.")
    return _("You are enrolled. See you in class!")


@login_required
@require_POST
def withdraw(request, pk: int):
    enrollment = get_object_or_404(Enrollment, pk=pk, student=request.user)
    try:
        enrolment_services.withdraw(enrollment=enrollment, actor=request.user)
    except EnrolmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You have left class %(code)s.") % {"code": enrollment.cohort.code})
    return redirect("school:my_courses")


@login_required
def my_courses(request):
    enrollments = student_enrollments(request.user)
    profile = StudentProfile.objects.filter(user=request.user).first()
    referral_link = ""
    if profile:
        referral_link = request.build_absolute_uri(f"{reverse('wagtail_serve', args=[''])}?ref={profile.referral_code}")
    return render(
        request,
        "school/student_dashboard.html",
        {
            "active": [e for e in enrollments if e.is_active],
            "past": [e for e in enrollments if not e.is_active],
            "profile": profile,
            "referral_link": referral_link,
            "completed": with_issued_certificates([e for e in enrollments if e.status == Enrollment.Status.COMPLETED]),
            "unread": Notification.objects.filter(recipient=request.user, read_at__isnull=True).count(),
            "calendar_url": request.build_absolute_uri(reverse("school:calendar", args=[profile.calendar_token]))
            if profile
            else "",
            "panels": render_panels(request),
        },
    )


@login_required
def inbox(request):
    notifications = Notification.objects.filter(recipient=request.user)[:100]
    response = render(request, "school/student_inbox.html", {"notifications": notifications})
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return response


def calendar(request, token: str):
    """The student's class sessions as an iCalendar feed, to subscribe to from a phone calendar.
    The unguessable token in the address stands in for signing in, as calendar apps cannot."""
    from icalendar import Calendar, Event

    from school.models import ClassSession

    profile = StudentProfile.objects.filter(calendar_token=token).select_related("user").first()
    if profile is None:
        raise Http404
    sessions = (
        ClassSession.objects.filter(
            cohort__enrollments__student=profile.user,
            cohort__enrollments__status__in=Enrollment.SEAT_HOLDING,
            cancelled=False,
        )
        .select_related("cohort__course")
        .order_by("date", "starts")
    )
    feed = Calendar()
    feed.add("prodid", "-//Baijia Training//Classes//ZH")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "百佳商务培训课表")
    zone = timezone.get_default_timezone()
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@baijia")
        event.add("summary", f"{session.cohort.course.title}（{session.cohort.code}）")
        event.add("dtstart", timezone.datetime.combine(session.date, session.starts, tzinfo=zone))
        event.add("dtend", timezone.datetime.combine(session.date, session.ends, tzinfo=zone))
        event.add("location", session.cohort.location)
        feed.add_component(event)
    response = HttpResponse(feed.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="baijia.ics"'
    return response


urlpatterns = [
    path("me/", my_courses, name="my_courses"),
    path("me/profile/", profile, name="profile"),
    path("me/inbox/", inbox, name="inbox"),
    path("me/enrolments/<int:pk>/withdraw/", withdraw, name="withdraw"),
    path("classes/<str:code>/enrol/", enrol, name="enrol"),
    path("calendar/<str:token>.ics", calendar, name="calendar"),
]
