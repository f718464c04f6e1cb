"""The monthly outcomes report for staff: a Chinese (or English) A4 PDF of one month's figures —
the headline with each measure's definition, a table per program and per course, and hires per
merchant — rendered by WeasyPrint with the certificates' fonts, and mailed on the 1st of each month.

The report is internal, so figures are not suppressed. The HTML is our template and our data (names
escaped by the template engine); the URL fetcher serves only the embedded font, never files or the
network."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from accounts.roles import Role
from jobs.outcomes import may_see_outcomes
from jobs.outcomes.measures import MEASURES, Filters, headline, hires_per_merchant, outcome_table
from jobs.outcomes.public import format_figure
from school.certificates import fonts

REPORT_FONT_URL = "baijia:report-font"
TYPEFACE = "sans"


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def previous_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


class ReportFetcher(URLFetcher):
    """The report's font, cut to its characters; nothing else."""

    def __init__(self, font: bytes | None):
        super().__init__(allowed_protocols={"baijia"})
        self.font = font

    def fetch(self, url, headers=None):
        if url == REPORT_FONT_URL and self.font is not None:
            return URLFetcherResponse(url, self.font, {"Content-Type": "font/otf"})
        raise ValueError(f"The outcomes report may not load {url[:80]}")


def _cells(row) -> list[dict]:
    return [
        {
            "text": format_figure(measure, row.values[measure.key].value),
            "numerator": row.values[measure.key].numerator,
            "denominator": row.values[measure.key].denominator,
            "kind": measure.kind,
        }
        for measure in MEASURES
    ]


def report_html(month: datetime.date, *, today: datetime.date | None = None, run_font_url: str = "") -> str:
    start, end = month_bounds(month)
    filters = Filters(start=start, end=end)
    school = headline(filters, today=today)
    return render_to_string(
        "jobs/outcomes_report.html",
        {
            "month": start,
            "start": start,
            "end": end,
            "generated_on": timezone.localdate(),
            "school_name": settings.WAGTAIL_SITE_NAME,
            "font_families": ", ".join(
                [
                    *(["'Baijia Report'"] if run_font_url else []),
                    *(f"'{font.family}'" for font in fonts.chain(TYPEFACE)),
                ]
            ),
            "run_font_url": run_font_url,
            "measures": MEASURES,
            "headline": [
                {"measure": measure, "cell": cell} for measure, cell in zip(MEASURES, _cells(school), strict=True)
            ],
            "tables": [
                {
                    "title": _("By program"),
                    "rows": [(row.label, _cells(row)) for row in outcome_table(filters, "program", today=today)],
                },
                {
                    "title": _("By course"),
                    "rows": [(row.label, _cells(row)) for row in outcome_table(filters, "course", today=today)],
                },
            ],
            "hires": hires_per_merchant(filters, today=today),
        },
    )


def render_monthly_report(month: datetime.date, *, today: datetime.date | None = None) -> bytes:
    """The PDF of the month containing `month`, in the active language."""
    html = report_html(month, today=today, run_font_url=REPORT_FONT_URL)
    font = fonts.run_font(html, TYPEFACE)
    if font is None:  # Noto is not installed: let WeasyPrint find fonts by itself
        html = report_html(month, today=today)
    document = HTML(string=html, url_fetcher=ReportFetcher(font[1] if font else None), base_url="baijia:")
    return document.write_pdf(font_config=FontConfiguration())


def report_filename(month: datetime.date) -> str:
    return f"outcomes-{month:%Y-%m}.pdf"


def staff_recipients():
    """Active staff (school staff role, or superusers) with an e-mail address."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(is_superuser=True) | Q(is_staff=True, groups__name=Role.STAFF))
        .distinct()
        .order_by("pk")
    )


def send_monthly_report(month: datetime.date) -> int:
    """Mail the month's report to every active staff member with an e-mail address, each in their
    language, once: the month's OutcomeReportDelivery row is locked while sending and marks it sent, so
    a second run (or a concurrent one, which waits) sends nothing. Returns the number of mails sent."""
    from jobs.models import OutcomeReportDelivery

    month = month.replace(day=1)
    with transaction.atomic():
        delivery, _created = OutcomeReportDelivery.objects.select_for_update().get_or_create(month=month)
        if delivery.sent_at is not None:
            return 0
        by_language: dict[str, list] = {}
        for user in staff_recipients():
            by_language.setdefault(user.language or settings.LANGUAGE_CODE, []).append(user)
        messages = []
        for language, users in by_language.items():
            with translation.override(language):
                pdf = render_monthly_report(month)
                subject = _("Outcomes report for %(month)s") % {"month": f"{month:%Y-%m}"}
                body = _(
                    "Attached is the outcomes report for %(month)s: completion, certification, placement and "
                    "pay of the students whose class ended that month, per program and course, and hires per "
                    "merchant.\n\nYou can download any month's report in the back office."
                ) % {"month": f"{month:%Y-%m}"}
            for user in users:
                message = EmailMessage(subject, body, to=[user.email])
                message.attach(report_filename(month), pdf, "application/pdf")
                messages.append(message)
        sent = (get_connection().send_messages(messages) or 0) if messages else 0
        delivery.sent_at = timezone.now()
        delivery.recipients = len(messages)
        delivery.save(update_fields=["sent_at", "recipients"])
    return sent


def download_report(request):
    """GET /admin/outcomes/report.pdf?month=YYYY-MM (last month without one): school staff only."""
    if not may_see_outcomes(request.user):
        raise PermissionDenied
    try:
        month = (
            datetime.datetime.strptime(request.GET["month"], "%Y-%m").date()
            if request.GET.get("month")
            else previous_month(timezone.localdate())
        )
    except ValueError:
        return HttpResponseBadRequest(_("Give the month as YYYY-MM."))
    response = HttpResponse(render_monthly_report(month), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(month)}"'
    return response


urlpatterns = [path("outcomes/report.pdf", download_report, name="outcomes_report_pdf")]
