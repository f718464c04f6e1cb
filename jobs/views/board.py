"""The public job board: the list with filters and search, a posting's page with the apply button,
and job alerts (save a search, confirm the address, unsubscribe in one click)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from wagtail.rich_text import expand_db_html

from django_ratelimit.decorators import ratelimit

from baijia.http import mark_public
from jobs import alerts, services
from jobs.models import EmploymentType, JobAlert, JobPosting, PayPeriod
from jobs.selectors import filter_postings, is_taking_applications, public_postings
from jobs.services import JobError
from school.permissions import is_student

POSTINGS_PER_PAGE = 20

# schema.org employmentType for ours; hourly work is part-time work paid by the hour.
SCHEMA_EMPLOYMENT_TYPES = {
    EmploymentType.FULL_TIME: "FULL_TIME",
    EmploymentType.PART_TIME: "PART_TIME",
    EmploymentType.HOURLY: "PART_TIME",
    EmploymentType.INTERNSHIP: "INTERN",
}
SCHEMA_PAY_UNITS = {PayPeriod.MONTH: "MONTH", PayPeriod.HOUR: "HOUR"}


class AlertForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    frequency = forms.ChoiceField(
        label=gettext_lazy("How often"), choices=JobAlert.Frequency.choices, initial=JobAlert.Frequency.DAILY
    )
    query = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def board(request):
    """/jobs/: postings on the board, filtered, searched, sorted and paginated."""
    board_filter = filter_postings(request.GET)
    paginator = Paginator(board_filter.qs, POSTINGS_PER_PAGE)
    page_of_postings = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    alert_query = alerts.alert_query(request.GET)
    response = render(
        request,
        "jobs/board.html",
        {
            "board_filter": board_filter,
            "postings": page_of_postings,
            "result_count": paginator.count,
            "query_without_page": query.urlencode(),
            "is_filtered": any(value for key, value in request.GET.items() if key not in {"page", "sort"}),
            "alert_query": alert_query,
            "alert_search": alerts.describe(alert_query),
        },
    )
    # The same board for every visitor (the alert form, with its CSRF token, is on a page of its own); a
    # graduate's own links and recommendations are personal parts of it (jobs/includes/board_*.html).
    return mark_public(response)


@never_cache
def alert_new(request):
    """The form that saves the board's search as an alert."""
    query = alerts.alert_query(request.GET)
    return render(request, "jobs/alert_new.html", _alert_context(request, query=query))


def _alert_context(request, *, query: str, form=None) -> dict:
    return {
        "alert_form": form
        or AlertForm(initial={"email": request.user.email if request.user.is_authenticated else "", "query": query}),
        "alert_search": alerts.describe(query),
        "board_url": alerts.board_path(query),
    }


def posting_json_ld(*, posting: JobPosting, request) -> dict:
    """A schema.org JobPosting for search engines' job listings."""
    published = timezone.localtime(posting.published_at) if posting.published_at else None
    data = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": posting.title,
        "description": expand_db_html(posting.description) or posting.title,
        "identifier": {"@type": "PropertyValue", "name": posting.merchant.name, "value": str(posting.pk)},
        "url": request.build_absolute_uri(reverse("jobs:posting_detail", args=[posting.pk])),
        "employmentType": SCHEMA_EMPLOYMENT_TYPES.get(posting.employment_type, "OTHER"),
        # The end of the closing day in Luoyang.
        "validThrough": f"{posting.closing_date.isoformat()}T23:59:59+08:00",
        "hiringOrganization": {"@type": "Organization", "name": posting.merchant.name},
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": posting.address or posting.merchant.address,
                "addressLocality": posting.get_district_display(),
                "addressRegion": "洛阳市",
                "addressCountry": "CN",
            },
        },
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "CNY",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": float(posting.pay_min),
                "maxValue": float(posting.pay_max),
                "unitText": SCHEMA_PAY_UNITS.get(posting.pay_period, "MONTH"),
            },
        },
        "totalJobOpenings": posting.openings,
    }
    if published:
        data["datePosted"] = published.date().isoformat()
    skills = [requirement.skill.name for requirement in posting.required_skills.all()]
    if skills:
        data["skills"] = ", ".join(skills)
    if posting.merchant.description:
        data["hiringOrganization"]["description"] = strip_tags(posting.merchant.description)[:500]
    return data


def posting_detail(request, pk: int):
    """/jobs/<id>/: a posting with its employer. Closed and filled postings still open (links live on), but
    take no applications; drafts and postings in review are not public. The same page for everyone but
    its personal part (jobs/includes/posting_apply.html): the visitor's match, application or apply form."""
    posting = get_object_or_404(public_postings(), pk=pk)
    response = render(
        request,
        "jobs/posting.html",
        {
            "posting": posting,
            "merchant": posting.merchant,
            "taking_applications": is_taking_applications(posting),
            "json_ld": posting_json_ld(posting=posting, request=request),
        },
    )
    return mark_public(response)


@login_required
@require_POST
def apply(request, pk: int):
    posting = get_object_or_404(public_postings(), pk=pk)
    if not is_student(request.user):
        messages.error(request, _("Only the school's students and graduates can apply for jobs here."))
        return redirect("jobs:posting_detail", pk=posting.pk)
    try:
        services.apply(graduate=request.user, posting=posting, message=request.POST.get("message", "")[:1000])
    except JobError as error:
        messages.error(request, error.message)
        return redirect("jobs:posting_detail", pk=posting.pk)
    messages.success(
        request,
        _("You have applied for “%(title)s”. %(merchant)s sees your job profile and certificates; follow it here.")
        % {"title": posting.title, "merchant": posting.merchant.name},
    )
    return redirect("jobs:my_applications")


# --- Job alerts -----------------------------------------------------------------------------------------


@require_POST
@ratelimit(key="ip", rate="20/h", method="POST", group="jobs:alerts", block=False)
def alert_create(request):
    """Save the board's current search as an alert."""
    form = AlertForm(request.POST)
    # The search travels as the board's query string; only the board's filters are kept from it.
    query = alerts.alert_query(QueryDict(request.POST.get("query", "")))
    back = alerts.board_path(query)
    if getattr(request, "limited", False):
        messages.error(request, _("Too many job alerts from this connection; please try again later."))
        return HttpResponseRedirect(back)
    if not form.is_valid():
        # Shown again with what was typed and what is wrong.
        return render(request, "jobs/alert_new.html", _alert_context(request, query=query, form=form), status=400)
    try:
        alert = alerts.alert_save(
            email=form.cleaned_data["email"],
            query=query,
            frequency=form.cleaned_data["frequency"],
            user=request.user,
        )
    except JobError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(back)
    if alert.confirmed_at:
        messages.success(
            request, _("Job alert saved: we will e-mail new jobs like these to %(email)s.") % {"email": alert.email}
        )
    else:
        messages.success(
            request,
            _("Almost done: we sent a link to %(email)s. Follow it to start receiving job alerts.")
            % {"email": alert.email},
        )
    return HttpResponseRedirect(back)


@never_cache
@require_http_methods(["GET", "POST"])
def alert_confirm(request, token: str):
    """GET asks to confirm (mail scanners follow links; they do not press buttons); POST confirms."""
    alert = JobAlert.objects.filter(token=token).first()
    if request.method == "POST" and alert is not None:
        alerts.alert_confirm(token=token)
        messages.success(
            request, _("Your job alert is on: new jobs will be e-mailed to %(email)s.") % {"email": alert.email}
        )
        return redirect(alerts.board_path(alert.query))
    return render(
        request,
        "jobs/alert_confirm.html",
        {"alert": alert, "search": alerts.describe(alert.query) if alert else ""},
        status=200 if alert else 404,
    )


@never_cache
@csrf_exempt  # the token is the credential; mail apps POST here (RFC 8058) without a CSRF token
@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request, token: str):
    """GET shows what will stop and a button; POST (the button, or a mail app's one-click) unsubscribes."""
    alert = JobAlert.objects.filter(token=token).first()
    if request.method == "POST":
        alerts.alert_unsubscribe(token=token)
        return render(request, "jobs/alert_unsubscribed.html", {"email": alert.email if alert else ""})
    return render(
        request,
        "jobs/alert_unsubscribe.html",
        {"alert": alert, "search": alerts.describe(alert.query) if alert else ""},
        status=200 if alert else 404,
    )


urlpatterns = [
    path("", board, name="board"),
    path("<int:pk>/", posting_detail, name="posting_detail"),
    path("<int:pk>/apply/", apply, name="apply"),
    path("alerts/", alert_create, name="alert_create"),
    path("alerts/new/", alert_new, name="alert_new"),
    path("alerts/confirm/<str:token>/", alert_confirm, name="alert_confirm"),
    path("alerts/unsubscribe/<str:token>/", alert_unsubscribe, name="alert_unsubscribe"),
]
