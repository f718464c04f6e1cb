from django.db import migrations

from accounts.roles import Role, grant_permissions


def defaults(apps, schema_editor):
    CertificateTemplate = apps.get_model("school", "CertificateTemplate")
    if not CertificateTemplate.objects.filter(is_default=True).exists():
        CertificateTemplate.objects.create(name="百佳结业证书", signatory="校长", is_default=True)
    # Programs made before certificate numbers need letters: their slug's first letters until staff choose.
    Program = apps.get_model("school", "Program")
    for program in Program.objects.filter(code=""):
        program.code = "".join(ch for ch in program.slug.upper() if "A" <= ch <= "Z")[:4] or "P"
        program.save(update_fields=["code"])
    grant_permissions(
        apps,
        Role.STAFF,
        [
            *[("school", f"{action}_certificatetemplate") for action in ("add", "change", "delete", "view")],
            ("school", "view_certificate"),
            ("school", "change_certificate"),
            ("school", "view_certificateevent"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("school", "0005_certificates")]

    operations = [migrations.RunPython(defaults, migrations.RunPython.noop)]
