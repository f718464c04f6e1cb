from django.db import migrations

from accounts.roles import Role, grant_permissions


def grant_lockout_permissions(apps, schema_editor):
    """Staff see sign-in lockouts and lift them (accounts/admin_lockouts.py)."""
    grant_permissions(apps, Role.STAFF, [("axes", "view_accessattempt"), ("axes", "delete_accessattempt")])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_deletion_request_permissions"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant_lockout_permissions, migrations.RunPython.noop)]
