from django.db import migrations

from accounts.roles import Role, grant_permissions

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "delete_page"]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", ["add_image", "change_image", "choose_image"]),
    ("wagtaildocs", ["add_document", "change_document", "choose_document"]),
]


def grant_staff_content_permissions(apps, schema_editor):
    """School staff edit every page, image and document, and the school's details."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore.Page")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")

    grant_permissions(apps, Role.STAFF, [("cms", "change_schoolsettings")])
    staff = Group.objects.get(name=Role.STAFF)
    home = Page.objects.get(depth=2, slug="home")
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=staff,
            page=home,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
        )
    root_collection = Collection.objects.get(depth=1)
    for app_label, codenames in COLLECTION_PERMISSIONS:
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=staff,
                collection=root_collection,
                permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_create_homepage"),
        ("accounts", "0002_roles"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(grant_staff_content_permissions, migrations.RunPython.noop)]
