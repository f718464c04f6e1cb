from django.db import migrations

from accounts.roles import Role, grant_permissions


def staff_answer_deletion_requests(apps, schema_editor):
    grant_permissions(
        apps,
        Role.STAFF,
        [
            ("accounts", "view_deletionrequest"),
            ("accounts", "change_deletionrequest"),
            ("accounts", "view_personaldataevent"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_deletion_requests")]

    operations = [migrations.RunPython(staff_answer_deletion_requests, migrations.RunPython.noop)]
