"""The four roles of the school. Each is a Django Group of the same name; data migrations in each app
grant the group the permissions that app's models need (see grant_permissions)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    INSTRUCTOR = "instructor", _("Instructor")
    MERCHANT = "merchant", _("Partner merchant")
    STAFF = "staff", _("School staff")


def grant_permissions(apps, role: str, codenames: list[tuple[str, str]]) -> None:
    """For data migrations: make sure the role's group exists and holds these (app_label, codename)
    permissions, creating any permission rows that post_migrate has not created yet."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_label in {app_label for app_label, _codename in codenames}:
        # Migration state app configs have no models module, so ask the real registry.
        create_permissions(global_apps.get_app_config(app_label), apps=apps, verbosity=0)
    group, _created = Group.objects.get_or_create(name=role)
    for app_label, codename in codenames:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def is_school_staff(user) -> bool:
    """Staff of the school: back-office access with the staff role (or a superuser)."""
    return user.is_authenticated and (user.is_superuser or (user.is_staff and user.has_role(Role.STAFF)))
