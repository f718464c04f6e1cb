import django.core.validators
from django.db import migrations, models

import jobs.models
from accounts.roles import Role, grant_permissions


def grant(apps, schema_editor):
    """School staff review merchants and postings and keep the job categories in the back office.
    Merchants join online and postings are written by merchants: staff never add or delete them."""
    grant_permissions(
        apps,
        Role.STAFF,
        [
            ("jobs", "view_merchant"),
            ("jobs", "change_merchant"),
            ("jobs", "view_jobposting"),
            ("jobs", "change_jobposting"),
            *[("jobs", f"{action}_jobcategory") for action in ("add", "change", "delete", "view")],
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0004_pipeline_candidate_invitations"),
        ("accounts", "0002_roles"),
    ]

    operations = [
        # A business licence is personal data of the business: private storage, served to staff only.
        migrations.AlterField(
            model_name="merchant",
            name="licence",
            field=models.FileField(
                help_text="A photo or scan (JPEG, PNG or PDF, at most 5 MB).",
                storage=jobs.models.private_storage,
                upload_to="merchant-licences/",
                validators=[django.core.validators.FileExtensionValidator(["jpg", "jpeg", "png", "pdf"])],
                verbose_name="business licence",
            ),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
