"""Certificates as PDF: one WeasyPrint document per print run (a page per certificate), then one PDF
per page. Laying out the run once and embedding a font cut to the run's characters is what makes a
class's certificates cheap (see fonts.py); a single certificate is a run of one.

Nothing a user typed reaches WeasyPrint as HTML: placeholders and names are escaped, and the URL
fetcher serves only our run font, files from our own storage and data: URIs — never the network or
the local file system."""

import copy
import datetime
import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

import segno
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from school.certificates import credential, fonts
from school.models.certificates import PLACEHOLDER_PATTERN, CertificateTemplate

logger = logging.getLogger(__name__)

# PDF/A-2b: archival, and (unlike PDF/A-1) allows the transparency of a seal image.
PDF_VARIANT = "pdf/a-2b"
RUN_FONT_URL = "baijia:run-font"
QR_MASK = 0


@dataclass
class CertificateContent:
    """What one certificate prints: the snapshot of a Certificate, or sample data for a preview."""

    holder_name: str
    course_title: str
    hours: int
    start_date: datetime.date
    end_date: datetime.date
    final_score: Decimal | None
    number: str
    issued_on: datetime.date
    expires_on: datetime.date | None
    verify_url: str
    display_code: str

    @classmethod
    def of(cls, certificate) -> "CertificateContent":
        return cls(
            holder_name=certificate.holder_name,
            course_title=certificate.course_title,
            hours=certificate.hours,
            start_date=certificate.start_date,
            end_date=certificate.end_date,
            final_score=certificate.final_score,
            number=certificate.number,
            issued_on=certificate.issued_on,
            expires_on=certificate.expires_on,
            # The canonical (Chinese, unprefixed) address, whatever language the run happens in.
            verify_url=credential.verify_url(certificate),
            display_code=certificate.display_code,
        )

    @property
    def text(self) -> str:
        """Every character this certificate prints, for the font checks."""
        return "".join([self.holder_name, self.course_title, self.number, self.display_code])


def chinese_date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def score_text(score: Decimal | None) -> str:
    """88.50 as "88.5" and 90.00 as "90" (a Decimal's :g keeps the zeros; normalize() alone gives 9E+1)."""
    return "" if score is None else f"{Decimal(score).normalize():f}"


def fill(text: str, content: CertificateContent) -> str:
    values = {
        "student_name": content.holder_name,
        "course": content.course_title,
        "hours": str(content.hours),
        "start_date": chinese_date(content.start_date),
        "end_date": chinese_date(content.end_date),
        "final_score": score_text(content.final_score),
        "number": content.number,
        "issue_date": chinese_date(content.issued_on),
        "expiry_date": chinese_date(content.expires_on),
    }
    return PLACEHOLDER_PATTERN.sub(lambda match: values.get(match[1], match[0]), text)


def body_html(template: CertificateTemplate, content: CertificateContent) -> str:
    """The body as escaped paragraphs, with the holder's name and the course set off."""
    paragraphs = [part.strip() for part in template.body.replace("\r\n", "\n").split("\n\n") if part.strip()]
    emphasised = {"student_name": "holder", "course": "course"}

    def paragraph(text: str) -> str:
        pieces, last = [], 0
        for match in PLACEHOLDER_PATTERN.finditer(text):
            pieces.append(escape(fill(text[last : match.start()], content)))
            value = escape(fill(match[0], content))
            css_class = emphasised.get(match[1])
            pieces.append(f'<span class="{css_class}">{value}</span>' if css_class else value)
            last = match.end()
        pieces.append(escape(fill(text[last:], content)))
        return "".join(pieces).replace("\n", "<br>")

    return mark_safe(format_html_join("", "<p>{}</p>", ((mark_safe(paragraph(text)),) for text in paragraphs)))  # noqa: S308 - every piece is escaped above


def qr_data_uri(url: str) -> str:
    """The QR code as a PNG (not SVG, so the QR is one image a scanner — or a test — can read straight
    out of the PDF), one pixel per module: the page scales it up with `image-rendering: pixelated`, so
    it prints as sharp as a large image from 2 KB of pixels. The mask is fixed: choosing the "best" of
    the eight (segno's default) is pure Python and cost 3 ms a certificate; every mask is valid QR."""
    return segno.make(url, error="m", mask=QR_MASK).png_data_uri(scale=1, border=2)


class CertificateFetcher(URLFetcher):
    """Serves the run font, our own media (background, seal, signature, title font) and data: URIs."""

    def __init__(self, run_font: bytes | None):
        super().__init__(allowed_protocols={"baijia", "data"})
        self.run_font = run_font

    def fetch(self, url, headers=None):
        if url == RUN_FONT_URL and self.run_font is not None:
            return URLFetcherResponse(url, self.run_font, {"Content-Type": "font/otf"})
        if url.startswith("baijia:media/"):
            with default_storage.open(url.removeprefix("baijia:media/"), "rb") as stored:
                return URLFetcherResponse(url, stored.read())
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"Certificates may not load {url[:80]}")


def media_url(image) -> str:
    return f"baijia:media/{image.file.name}" if image else ""


def document_html(
    template: CertificateTemplate, contents: list[CertificateContent], *, run_font_url: str = RUN_FONT_URL
) -> str:
    """The HTML of a print run, a page per content. With run_font_url="" it names only the installed
    fonts (the naive way the benchmark compares with, WeasyPrint or Chromium finding them by itself)."""
    with translation.override("zh-hans"):
        return render_to_string(
            "school/certificate_document.html",
            {
                "template": template,
                "font_families": ", ".join(
                    f"'{family}'"
                    for family in [
                        *(["Baijia Run"] if run_font_url else []),
                        *(font.family for font in fonts.chain(template.typeface)),
                    ]
                ),
                "run_font_url": run_font_url,
                "title_font_url": f"baijia:media/{template.title_font.name}" if template.title_font else "",
                "background_url": media_url(template.background),
                "seal_url": media_url(template.seal),
                "signature_url": media_url(template.signature),
                "pages": [
                    {
                        "content": content,
                        "body": body_html(template, content),
                        "qr": qr_data_uri(content.verify_url),
                        "issued_on": chinese_date(content.issued_on),
                        "expires_on": chinese_date(content.expires_on),
                    }
                    for content in contents
                ],
            },
        )


def render(
    template: CertificateTemplate, contents: list[CertificateContent], *, titles: list[str] | None = None
) -> list[bytes]:
    """One PDF per content, in order. Raises fonts.FontCoverageError (naming the characters) when any
    text cannot be drawn with the installed fonts — before anything is rendered."""
    if not fonts.subsetter_available():
        logger.error(
            "HarfBuzz's subsetter (libharfbuzz-subset0) is missing: WeasyPrint falls back to fontTools, ~60x slower"
        )
    for content in contents:
        fonts.check_coverage(content.text, template.typeface, who=content.holder_name)
    html = document_html(template, contents)
    # The template's own words (title, body, signatory) too; the markup around them is ASCII.
    fonts.check_coverage(html, template.typeface)
    run_font = fonts.run_font(html, template.typeface)
    fetcher = CertificateFetcher(run_font[1] if run_font else None)
    document = HTML(string=html, url_fetcher=fetcher, base_url="baijia:").render(font_config=FontConfiguration())
    if len(document.pages) != len(contents):
        raise RuntimeError(f"{len(contents)} certificates laid out on {len(document.pages)} pages")
    pdfs = []
    for index, (page, content) in enumerate(zip(document.pages, contents, strict=True)):
        single = document.copy([page])
        single.metadata = copy.copy(document.metadata)
        single.metadata.title = (titles[index] if titles else None) or f"{template.title} {content.number}"
        single.metadata.authors = [settings.WAGTAIL_SITE_NAME]
        single.metadata.keywords = [content.number, content.holder_name, content.course_title]
        single.metadata.created = single.metadata.modified = datetime.datetime.now(datetime.UTC).isoformat(
            timespec="seconds"
        )
        pdfs.append(single.write_pdf(pdf_variant=PDF_VARIANT))
    return pdfs


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sample_content() -> CertificateContent:
    today = datetime.date.today()
    return CertificateContent(
        holder_name="王小丽",
        course_title="家政服务员（中级）",
        hours=120,
        start_date=today - datetime.timedelta(days=60),
        end_date=today - datetime.timedelta(days=2),
        final_score=Decimal("88.5"),
        number=f"BJ{today.year}-JZ-00001",
        issued_on=today,
        expires_on=None,
        verify_url=settings.SITE_URL + "/certificates/verify/SAMPLE/",
        display_code="SAMP-LE00-0000-0000",
    )


def render_sample(template: CertificateTemplate) -> bytes:
    content = sample_content()
    if template.validity_months:
        from school.services.certificates import add_months

        content.expires_on = add_months(content.issued_on, template.validity_months)
    return render(template, [content], titles=[f"{template.title}（样张）"])[0]
