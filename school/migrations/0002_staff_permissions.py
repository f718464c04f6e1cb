from django.db import migrations

from accounts.roles import Role, grant_permissions

MODELS = ["program", "skillcategory", "skill", "course", "cohort"]
STAFF_PERMISSIONS = [
    ("school", f"{action}_{model}") for model in MODELS for action in ("add", "change", "delete", "view")
]
# Instructors read the courses and classes they teach; they do not edit the catalogue.
INSTRUCTOR_PERMISSIONS = [("school", "view_course"), ("school", "view_cohort")]


def grant_school_permissions(apps, schema_editor):
    """School staff keep the school's records in the back office."""
    grant_permissions(apps, Role.STAFF, STAFF_PERMISSIONS)
    grant_permissions(apps, Role.INSTRUCTOR, INSTRUCTOR_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("school", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_school_permissions, migrations.RunPython.noop)]
