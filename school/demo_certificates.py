"""Demo certificates for `manage.py seed_demo`: every finished class's graduates certified through the
same issuing service the site uses, one certificate revoked and one reissued with a corrected name, so
the dashboards, the back office and verification show real ones. The default template gets a
signatory and a red seal. Idempotent: the service skips students already certified, and the examples
are made once."""

import io
import math

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db.models import Exists, OuterRef

from wagtail.images.models import Image

from PIL import Image as PillowImage
from PIL import ImageDraw, ImageFont

from accounts.demo import ROLE_ACCOUNTS
from accounts.roles import Role
from school.certificates import fonts
from school.demo_enrolment import DEMO_STUDENT_PHONE
from school.models import Certificate, CertificateTemplate, Cohort, Enrollment
from school.services.certificates import issue_certificates, reissue_certificate, revoke_certificate

User = get_user_model()

SEAL_TITLE = "百佳商务培训 结业证书专用章（演示）"
SIGNATORY = "校长 王志强"
REVOKE_REASON = "复核发现实操考核成绩登记错误，待补考合格后重新发证。"
RENAMED_LAST_CHARACTER = ("喆", "堃")  # a correction an ID card often brings: a less common character


def seed_certificates() -> dict[str, int]:
    staff = _staff_account()
    _dress_default_template()
    finished = (
        Cohort.objects.filter(status=Cohort.Status.FINISHED)
        .filter(Exists(Enrollment.objects.filter(cohort=OuterRef("pk"), status=Enrollment.Status.COMPLETED)))
        .select_related("course")
        .order_by("code")
    )
    for cohort in finished:
        issue_certificates(cohort=cohort, issued_by=staff)
    _revoked_example(staff)
    _reissued_example(staff)
    counts = dict.fromkeys(Certificate.Status.values, 0)
    for status in Certificate.objects.values_list("status", flat=True):
        counts[status] += 1
    return {f"{status} certificates": count for status, count in counts.items() if count}


def _staff_account():
    phone = next((phone for role, _name, phone, _email in ROLE_ACCOUNTS if role == Role.STAFF), None)
    return User.objects.filter(phone=phone).first()


def _examples():
    """Certificates the examples may use: anyone's but the demo student's, whose dashboard shows a valid one."""
    return Certificate.objects.exclude(enrollment__student__phone=DEMO_STUDENT_PHONE).order_by("number")


def _revoked_example(staff) -> None:
    if Certificate.objects.filter(status=Certificate.Status.REVOKED).exists():
        return
    certificate = _examples().filter(status=Certificate.Status.VALID).first()
    if certificate is not None:
        revoke_certificate(certificate=certificate, actor=staff, reason=REVOKE_REASON)


def _reissued_example(staff) -> None:
    if Certificate.objects.filter(status=Certificate.Status.SUPERSEDED).exists():
        return
    certificate = _examples().filter(status=Certificate.Status.VALID).last()
    if certificate is None:
        return
    old_name = certificate.holder_name
    new_last = next(character for character in RENAMED_LAST_CHARACTER if character != old_name[-1])
    new_name = old_name[:-1] + new_last
    # The student's profile is corrected first, as the office would, then the certificate reissued.
    profile = certificate.enrollment.student.student_profile
    profile.real_name = new_name
    profile.save(update_fields=["real_name"])
    reissue_certificate(
        certificate=certificate,
        actor=staff,
        holder_name=new_name,
        reason=f"学员反映姓名有误，按身份证更正为“{new_name}”（原为“{old_name}”）。",
    )


def _dress_default_template() -> None:
    """The migration's plain default gets a signatory and the school's seal; a template staff have
    already changed is left alone."""
    template = CertificateTemplate.objects.filter(is_default=True).first()
    if template is None or template.seal_id is not None or template.signatory not in ("", "校长"):
        return
    seal = Image.objects.filter(title=SEAL_TITLE).first()
    if seal is None:
        seal = Image.objects.create(title=SEAL_TITLE, file=ImageFile(io.BytesIO(seal_png()), name="baijia-seal.png"))
    template.signatory = SIGNATORY
    template.seal = seal
    template.save(update_fields=["signatory", "seal"])


def seal_png(size: int = 480, final_size: int = 300) -> bytes:
    """A round red seal: the school's name along the rim, a star, and what the seal is for. Drawn large
    and scaled down: 300 px is sharp at the 36 mm it prints, and small enough that embedding it in
    every certificate (WeasyPrint re-encodes a transparent PNG per PDF) costs little."""
    red = (200, 22, 29, 235)
    installed = fonts.locate(fonts.FAMILIES["serif"])
    if installed is None:
        font, small = ImageFont.load_default(54), ImageFont.load_default(38)
    else:
        font = ImageFont.truetype(installed.path, 54, index=installed.index)
        small = ImageFont.truetype(installed.path, 38, index=installed.index)
    seal = PillowImage.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    centre, rim = size / 2, 14
    draw.ellipse((rim, rim, size - rim, size - rim), outline=red, width=rim)
    outer, inner = 70, 70 * 0.382
    draw.polygon(
        [
            (
                centre + (outer if k % 2 == 0 else inner) * math.sin(math.pi * k / 5),
                centre - (outer if k % 2 == 0 else inner) * math.cos(math.pi * k / 5),
            )
            for k in range(10)
        ],
        fill=red,
    )
    name, radius, box = "洛阳百佳商务培训学校", size / 2 - 3 * rim - 36, 72
    for index, character in enumerate(name):
        angle = math.radians(-112 + 224 * index / (len(name) - 1))  # clockwise from the top
        glyph = PillowImage.new("RGBA", (box, box), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((box / 2, box / 2), character, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle), resample=PillowImage.Resampling.BICUBIC)
        x = centre + radius * math.sin(angle) - box / 2
        y = centre - radius * math.cos(angle) - box / 2
        seal.alpha_composite(glyph, (round(x), round(y)))
    draw.text((centre, centre + 125), "结业证书专用章", font=small, fill=red, anchor="mm")
    output = io.BytesIO()
    seal.resize((final_size, final_size), PillowImage.Resampling.LANCZOS).save(output, format="PNG", optimize=True)
    return output.getvalue()
