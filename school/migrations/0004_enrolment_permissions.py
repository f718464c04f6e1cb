from django.db import migrations

from accounts.roles import Role, grant_permissions


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        Role.STAFF,
        [
            ("school", "view_enrollment"),
            ("school", "change_enrollment"),
            ("school", "view_studentprofile"),
            ("school", "change_enrolmentsettings"),
            *[("school", f"{action}_classsession") for action in ("add", "change", "delete", "view")],
            *[("school", f"{action}_assessmentitem") for action in ("add", "change", "delete", "view")],
        ],
    )
    grant_permissions(apps, Role.INSTRUCTOR, [("school", "view_enrollment"), ("school", "view_classsession")])


class Migration(migrations.Migration):
    dependencies = [("school", "0003_enrolment_attendance_assessment")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
