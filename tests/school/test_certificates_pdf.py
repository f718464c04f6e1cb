"""The issued PDF, opened as a merchant's computer would open it: the text is there (rare characters
too), every font is embedded, the QR code scans to the verification page, it is archival A4, and
nothing a user typed is interpreted or fetched."""

import io
import logging
import re

from django.conf import settings

import pytest
import zxingcpp
from pypdf import PdfReader

from school.certificates import fonts, pdf
from school.errors import CertificateError
from school.models import Certificate, CertificateSequence
from school.services import certificates as services
from tests.factories import CertificateTemplateFactory, CompletedEnrollmentFactory, StaffFactory

pytestmark = pytest.mark.django_db


def as_printed(image):
    """The QR image as a scanner sees it on paper: the PDF stores one pixel per module and the page
    scales it up without smoothing."""
    return image.resize((image.width * 8, image.height * 8), resample=0)  # 0: nearest neighbour


SUBSET_NAME = re.compile(r"^/[A-Z]{6}\+")


def issue(name="王小丽", template=None, **enrollment):
    enrollment.setdefault("cohort__course__program__code", "JZ")
    if template is not None:
        enrollment["cohort__course__certificate_template"] = template
    enrollment = CompletedEnrollmentFactory(profile__real_name=name, **enrollment)
    return services.issue_certificate(enrollment=enrollment, issued_by=StaffFactory())


def opened(certificate) -> PdfReader:
    with certificate.pdf.open("rb") as stored:
        return PdfReader(io.BytesIO(stored.read()))


def text_of(reader: PdfReader) -> str:
    return "".join(page.extract_text() for page in reader.pages)


def fonts_of(reader: PdfReader):
    """(name, descriptor) for every font the pages use, descendant fonts of Type0 fonts included."""
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for described in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                if "/FontDescriptor" in described:
                    yield described["/BaseFont"], described["/FontDescriptor"].get_object()


@pytest.mark.parametrize("name", ["王小丽", "𠮷䶮龘"])
def test_the_text_holds_the_name_and_number_and_every_font_is_an_embedded_subset(name):
    certificate = issue(name)
    reader = opened(certificate)

    text = text_of(reader)
    assert name in text
    assert certificate.number in text
    assert certificate.display_code in text
    embedded = list(fonts_of(reader))
    assert embedded
    for base_font, descriptor in embedded:
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), f"{base_font} is not embedded"
        assert SUBSET_NAME.match(base_font), f"{base_font} is not a subset"


def test_the_qr_code_scans_to_the_certificates_verification_page():
    certificate = issue()
    [page] = opened(certificate).pages

    decoded = [barcode.text for image in page.images for barcode in zxingcpp.read_barcodes(as_printed(image.image))]

    assert decoded == [settings.SITE_URL + certificate.get_verify_url()]
    assert certificate.code in decoded[0]


def test_it_is_pdf_a_with_a_title_and_author():
    certificate = issue()
    reader = opened(certificate)

    assert reader.metadata.title and certificate.number in reader.metadata.title
    assert reader.metadata.author == settings.WAGTAIL_SITE_NAME
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")2", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)


@pytest.mark.parametrize(
    ("orientation", "size"), [("landscape", (842, 595)), ("portrait", (595, 842))], ids=["landscape", "portrait"]
)
def test_the_page_is_a4_in_the_templates_orientation(orientation, size):
    certificate = issue(template=CertificateTemplateFactory(orientation=orientation))
    [page] = opened(certificate).pages

    box = page.mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


def test_the_expiry_date_is_printed_when_the_course_certificate_expires():
    certificate = issue(template=CertificateTemplateFactory(validity_months=12))

    assert certificate.expires_on is not None
    text = text_of(opened(certificate))
    assert "有效期至" in text
    assert pdf.chinese_date(certificate.expires_on) in text


def test_no_expiry_date_is_printed_when_the_certificate_does_not_expire():
    certificate = issue(template=CertificateTemplateFactory(validity_months=None))

    assert certificate.expires_on is None
    assert "有效期至" not in text_of(opened(certificate))


def test_the_templates_placeholders_are_filled_and_its_words_printed_as_written():
    template = CertificateTemplateFactory(
        body="兹证明 {student_name} 完成《{course}》{hours} 学时，成绩 {final_score} 分。\n\n"
        "证号 {number}，发证 {issue_date}。<i>不是斜体</i> &amp;",
    )
    certificate = issue(template=template, final_score="91.50", cohort__course__hours=64)

    text = text_of(opened(certificate))
    assert "兹证明" in text and "王小丽" in text
    assert f"《{certificate.course_title}》64 学时" in text
    assert "成绩 91.5 分" in text
    assert f"证号 {certificate.number}" in text
    assert f"发证 {pdf.chinese_date(certificate.issued_on)}" in text
    assert "<i>不是斜体</i> &amp;" in text
    assert "{" not in text


@pytest.mark.parametrize(("score", "printed"), [("91.50", "91.5"), ("90.00", "90"), ("88.25", "88.25")])
def test_a_final_score_prints_without_trailing_zeros(score, printed):
    template = CertificateTemplateFactory(body="成绩 {final_score} 分")
    certificate = issue(template=template, final_score=score)

    assert f"成绩 {printed} 分" in text_of(opened(certificate))


def test_html_in_a_name_is_printed_literally():
    certificate = issue("<b>王</b>")

    text = text_of(opened(certificate))
    assert "<b>王</b>" in text


def test_the_renderer_fetches_nothing_outside_our_storage():
    fetcher = pdf.CertificateFetcher(run_font=b"font bytes")

    for url in (
        "file:///etc/passwd",
        "http://example.com/seal.png",
        "https://example.com/seal.png",
        "baijia:media/../../../../etc/passwd",
        "/etc/passwd",
    ):
        with pytest.raises(Exception):  # noqa: B017, PT011 - refused, whichever way; never served
            fetcher.fetch(url)
    assert fetcher.fetch(pdf.RUN_FONT_URL).read() == b"font bytes"


def test_a_page_asking_for_a_local_file_renders_without_it():
    from weasyprint import HTML

    fetched = []

    class Recording(pdf.CertificateFetcher):
        def fetch(self, url, headers=None):
            fetched.append(url)
            return super().fetch(url, headers)

    data = HTML(
        string='<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><p>证书</p>',
        url_fetcher=Recording(None),
        base_url="baijia:",
    ).write_pdf()

    assert data.startswith(b"%PDF")
    assert b"root:" not in data
    assert fetched  # it asked, and was refused


def test_a_name_no_font_can_draw_stops_the_whole_class_and_names_the_character():
    enrollment = CompletedEnrollmentFactory(profile__real_name="张三", cohort__course__program__code="JZ")
    CompletedEnrollmentFactory(cohort=enrollment.cohort, profile__real_name="李\U000f0002四")

    with pytest.raises(CertificateError) as refused:
        services.issue_certificates(cohort=enrollment.cohort, issued_by=StaffFactory())

    assert "U+F0002" in refused.value.message
    assert "李\U000f0002四" in refused.value.message
    assert not Certificate.objects.exists()
    assert not CertificateSequence.objects.filter(last__gt=0).exists()  # no number was taken


def test_the_renderer_itself_refuses_text_no_font_has():
    content = pdf.sample_content()
    content.holder_name = "王\U000f0003"

    with pytest.raises(fonts.FontCoverageError, match=r"U\+F0003"):
        pdf.render(CertificateTemplateFactory(), [content])


def test_a_missing_harfbuzz_subsetter_is_logged_as_an_error(monkeypatch, caplog):
    monkeypatch.setattr(fonts, "subsetter_available", lambda: False)

    with caplog.at_level(logging.ERROR, logger="school.certificates.pdf"):
        [data] = pdf.render(CertificateTemplateFactory(), [pdf.sample_content()])

    assert data.startswith(b"%PDF")
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert any("libharfbuzz-subset0" in record.getMessage() for record in errors)


def test_the_subsetter_is_installed_here():
    # Without it every certificate takes seconds (WeasyPrint subsets the CJK font with fontTools).
    assert fonts.subsetter_available()


def test_a_class_run_gives_each_student_their_own_pdf():
    first = CompletedEnrollmentFactory(profile__real_name="赵一", cohort__course__program__code="JZ")
    CompletedEnrollmentFactory(cohort=first.cohort, profile__real_name="钱𠮷")
    CompletedEnrollmentFactory(cohort=first.cohort, profile__real_name="孙龘")

    services.issue_certificates(cohort=first.cohort, issued_by=StaffFactory())

    for certificate in Certificate.objects.all():
        reader = opened(certificate)
        assert len(reader.pages) == 1
        text = text_of(reader)
        assert certificate.holder_name in text and certificate.number in text
        others = {"赵一", "钱𠮷", "孙龘"} - {certificate.holder_name}
        assert not any(other in text for other in others)
        [qr] = [b.text for image in reader.pages[0].images for b in zxingcpp.read_barcodes(as_printed(image.image))]
        assert qr.endswith(certificate.get_verify_url())
